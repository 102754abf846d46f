"""Holds with reasons, release, forfeit, the minimum payout and clawbacks (issue 18)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from creators.models import DailyMetric, PlayFlag
from incentives.models import (
    CarryReason,
    Hold,
    HoldingPeriod,
    HoldReason,
    LedgerEntry,
    PaymentStatus,
    Pool,
    RewardList,
    RuleVersion,
)
from incentives.services import (
    exported_entries,
    settlement_approve,
    settlement_compute,
    settlement_export,
    settlement_mark_paid,
    settlement_publish,
    settlement_submit,
)
from incentives.services.clawbacks import (
    abnormal_play_correct,
    originality_org_correct,
    refund_record,
)
from incentives.services.holds import (
    entry_forfeit,
    hold_place,
    hold_release,
    holds_release_due,
)
from portal.accounts.permissions import SYSTEM
from portal.audit.models import AuditEntry
from tests.incentives.test_computation import setup_cycle
from tests.incentives.test_review import result_file

D = datetime.date


def publish(operator, cycle):
    reward_list = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    settlement_approve(actor=operator, reward_list=reward_list, revision=reward_list.revision)
    return settlement_publish(actor=operator, reward_list=reward_list)


def with_rules(operator, organization, beauty, *, commission_days=0, minimum=0):
    cycle, version = setup_cycle(operator, organization, beauty)
    if commission_days:
        HoldingPeriod.objects.create(version=version, kind="commission", days=commission_days)
    RuleVersion.objects.filter(pk=version.pk).update(minimum_payout=Decimal(minimum))
    return cycle


def pay_all(operator, reward_list, export):
    rows = [(e.pk, e.amount, "paid", f"P{e.pk}") for e in exported_entries(export)]
    return settlement_mark_paid(actor=operator, reward_list=reward_list, upload=result_file(rows))


def entry(kind):
    return LedgerEntry.objects.get(kind=kind, corrects=None)


@pytest.fixture
def today(monkeypatch):
    """The day the holds are judged on: inside the program (holding periods not over)."""
    day = D(2026, 11, 20)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)
    return day


def test_a_holding_period_holds_commission_with_its_release_day(
    operator, organization, beauty, today
):
    cycle = with_rules(operator, organization, beauty, commission_days=15)
    reward_list = publish(operator, cycle)
    commission = entry("commission")
    assert commission.payment_status == PaymentStatus.HELD
    (hold,) = commission.holds.all()
    assert (hold.reason, hold.releases_on) == (HoldReason.PERIOD, D(2026, 12, 16))
    assert LedgerEntry.objects.filter(payment_status=PaymentStatus.PENDING).count() == 5
    export = settlement_export(actor=operator, reward_list=reward_list)
    assert commission.pk not in {e.pk for e in exported_entries(export)}
    assert export.entry_count == 5
    # The payment system cannot pay a held entry: it was never in the file.
    rows = [(commission.pk, commission.amount, "paid", "X")]
    with pytest.raises(ValidationError, match="not exported"):
        settlement_mark_paid(actor=operator, reward_list=reward_list, upload=result_file(rows))
    assert holds_release_due(today=D(2026, 12, 15)) == 0
    assert holds_release_due(today=D(2026, 12, 16)) == 1
    commission.refresh_from_db()
    assert commission.payment_status == PaymentStatus.PENDING
    assert Hold.objects.get(pk=hold.pk).release_note
    second = settlement_export(actor=operator, reward_list=reward_list)
    assert [e.pk for e in exported_entries(second)] == [commission.pk]
    assert second.number == 2


def test_a_growth_level_with_days_off_releases_the_organizations_entries_sooner(
    operator, organization, beauty, today
):
    """The right is read where the hold is placed: L4 takes 3 days off (the seeded rights), so
    the 15-day period releases on 13 December instead of 16; a level without the right, the full
    period."""
    from growth.models import Scorecard, ScorecardVersion

    card = Scorecard.objects.create(
        organization=organization,
        month=D(2026, 11, 1),
        version=ScorecardVersion.objects.get(number=1),
        score=80,
        reached_level=4,
        level=4,
    )
    cycle = with_rules(operator, organization, beauty, commission_days=15)
    publish(operator, cycle)
    assert entry("commission").holds.get().releases_on == D(2026, 12, 13)
    assert holds_release_due(today=D(2026, 12, 13)) == 1
    Scorecard.objects.filter(pk=card.pk).update(level=1)
    Hold.objects.all().delete()
    LedgerEntry.objects.update(payment_status=PaymentStatus.PENDING)
    from incentives.services.holds import holds_post_periods

    assert (
        holds_post_periods(cycle, RuleVersion.objects.get(holding_periods__kind="commission")) == 1
    )
    assert entry("commission").holds.get().releases_on == D(2026, 12, 16)


def test_a_period_already_over_at_approval_holds_nothing(operator, organization, beauty):
    cycle = with_rules(operator, organization, beauty, commission_days=1)
    publish(operator, cycle)  # today (December 2026 or later) is past 2026-12-02
    assert not LedgerEntry.objects.filter(payment_status=PaymentStatus.HELD).exists()


def test_an_operator_hold_keeps_an_entry_out_until_released(operator, organization, beauty, owner):
    cycle = with_rules(operator, organization, beauty)
    reward_list = publish(operator, cycle)
    tier = entry("org_tier")
    with pytest.raises(PermissionDenied):
        hold_place(actor=owner, entries=[tier], reason=HoldReason.REVIEW, note="x")
    with pytest.raises(ValidationError):
        hold_place(actor=operator, entries=[tier], reason=HoldReason.REVIEW, note=" ")
    (hold,) = hold_place(
        actor=operator, entries=[tier], reason=HoldReason.REVIEW, note="Check the contract"
    )
    # A second hold for the same reason is not stacked.
    assert hold_place(actor=operator, entries=[tier], reason=HoldReason.REVIEW, note="again") == []
    export = settlement_export(actor=operator, reward_list=reward_list)
    assert tier.pk not in {e.pk for e in exported_entries(export)}
    hold_release(actor=operator, hold=hold, note="Contract checked")
    tier.refresh_from_db()
    assert tier.payment_status == PaymentStatus.PENDING
    with pytest.raises(ValidationError, match="already released"):
        hold_release(actor=operator, hold=hold, note="again")
    assert AuditEntry.objects.filter(action__in=("payouts.hold", "payouts.release")).count() == 2


def test_an_exported_entry_takes_no_hold(operator, organization, beauty):
    cycle = with_rules(operator, organization, beauty)
    reward_list = publish(operator, cycle)
    settlement_export(actor=operator, reward_list=reward_list)
    assert (
        hold_place(actor=operator, entries=[entry("org_tier")], reason=HoldReason.RISK, note="late")
        == []
    )
    assert entry("org_tier").payment_status == PaymentStatus.EXPORTED


def test_forfeiting_a_held_entry_returns_its_amount_to_the_pool(operator, organization, beauty):
    cycle = with_rules(operator, organization, beauty)
    publish(operator, cycle)
    tier = entry("org_tier")
    cash = Pool.objects.get(program=cycle.program, kind="cash")
    with pytest.raises(ValidationError, match="Only a held"):
        entry_forfeit(actor=operator, entry=tier, note="fraud")
    hold_place(actor=operator, entries=[tier], reason=HoldReason.RISK, note="Shared identity")
    forfeited = entry_forfeit(actor=operator, entry=tier, note="Confirmed fraud")
    assert forfeited.payment_status == PaymentStatus.FORFEITED
    assert Pool.objects.get(pk=cash.pk).committed == cash.committed - Decimal(5000)
    assert not Hold.objects.filter(entry=tier, released_at=None).exists()


def test_below_the_minimum_payout_entries_carry_over(operator, organization, beauty):
    cycle = with_rules(operator, organization, beauty, minimum=200)
    reward_list = publish(operator, cycle)
    export = settlement_export(actor=operator, reward_list=reward_list)
    paid = {e.kind for e in exported_entries(export)}
    # The organization's own cash (100 + 5,000) and the creator's cash (2,900 + 100 + 24.69)
    # reach 200; the traffic coupon has no minimum.
    assert paid == {"org_basic", "org_tier", "creator_subsidy", "playback", "commission", "traffic"}
    RuleVersion.objects.filter(pk=reward_list.rule_version_id).update(
        minimum_payout=Decimal(10_000)
    )
    LedgerEntry.objects.filter(kind="commission").update(payment_status=PaymentStatus.FAILED)
    RewardList.objects.filter(pk=reward_list.pk).update(status="exported")
    again = settlement_export(actor=operator, reward_list=RewardList.objects.get(pk=reward_list.pk))
    assert again.entry_count == 0 and again.carried_over == 1
    assert entry("commission").carry_reason == CarryReason.MINIMUM


def test_a_refund_after_payment_is_taken_back_in_the_next_cycle(operator, organization, beauty):
    cycle = with_rules(operator, organization, beauty)
    reward_list = publish(operator, cycle)
    pay_all(operator, reward_list, settlement_export(actor=operator, reward_list=reward_list))
    commission = entry("commission")
    creator = commission.creator
    _refund, (clawback,) = refund_record(
        actor=operator, creator=creator, day=D(2026, 11, 5), amount=Decimal("100.00")
    )
    assert clawback.amount == Decimal("-2.00")  # 200 basis points of 100 CNY
    assert clawback.corrects == commission and clawback.cycle.number == 2
    assert "refund" in clawback.note.lower() and clawback.reason_code == "refund"
    # The same running total again changes nothing; a higher one takes back the difference.
    assert refund_record(actor=operator, creator=creator, day=D(2026, 11, 5), amount="100")[1] == []
    _r, (more,) = refund_record(actor=operator, creator=creator, day=D(2026, 11, 5), amount="150")
    assert more.amount == Decimal("-1.00")
    with pytest.raises(ValidationError, match="never goes down"):
        refund_record(actor=operator, creator=creator, day=D(2026, 11, 5), amount="10")
    commission.refresh_from_db()
    assert commission.payment_status == PaymentStatus.PAID  # the paid entry is never edited
    # Nothing else to pay the creator in December: the clawbacks carry over, never a negative
    # payment.
    december = publish(operator, cycle.program.cycles.get(number=2))
    export = settlement_export(actor=operator, reward_list=december)
    assert more.pk not in {e.pk for e in exported_entries(export)}
    more.refresh_from_db()
    assert more.payment_status == PaymentStatus.PENDING
    assert more.carry_reason == CarryReason.NOT_POSITIVE


def test_a_refund_nets_against_an_entry_not_yet_paid(operator, organization, beauty, today):
    cycle = with_rules(operator, organization, beauty, commission_days=15)
    reward_list = publish(operator, cycle)
    commission = entry("commission")
    _r, (clawback,) = refund_record(
        actor=SYSTEM, creator=commission.creator, day=D(2026, 11, 3), amount="234.50"
    )
    assert clawback.cycle == commission.cycle and clawback.amount == Decimal("-4.69")
    holds_release_due(today=D(2026, 12, 16))
    settlement_export(actor=operator, reward_list=reward_list)
    # The creator is paid the cash net of the clawback in one file.
    exported = LedgerEntry.objects.filter(
        creator=commission.creator, payment_status=PaymentStatus.EXPORTED, pool__kind="cash"
    )
    assert sum(e.amount for e in exported) == Decimal("3000.00") + Decimal("24.69") - Decimal(
        "4.69"
    )


def test_a_clawback_never_takes_more_than_the_entry_paid(operator, organization, beauty):
    cycle = with_rules(operator, organization, beauty)
    publish(operator, cycle)
    commission = entry("commission")
    _r, (clawback,) = refund_record(
        actor=operator, creator=commission.creator, day=D(2026, 11, 5), amount="99999999"
    )
    assert clawback.amount == -commission.amount


def test_confirmed_abnormal_plays_take_back_playback_paid_for_them(operator, organization, beauty):
    cycle = with_rules(operator, organization, beauty)
    reward_list = publish(operator, cycle)
    pay_all(operator, reward_list, settlement_export(actor=operator, reward_list=reward_list))
    playback = entry("playback")
    # Nine of ten days confirmed abnormal: 100,000 valid plays are left, under the cap the
    # playback would be 50 CNY and the subsidy stays at level 2 (10,000 plays needed).
    DailyMetric.objects.filter(creator=playback.creator, date__gte=D(2026, 11, 3)).update(
        flag=PlayFlag.CONFIRMED, counted_valid_plays=0
    )
    made = abnormal_play_correct(creator=playback.creator, day=D(2026, 11, 3))
    assert [(c.corrects.kind, c.amount) for c in made] == [("playback", Decimal("-50.00"))]
    assert abnormal_play_correct(creator=playback.creator, day=D(2026, 11, 3)) == []


def test_a_copy_decision_takes_back_the_organizations_incentives_that_counted_the_video(
    operator, organization, beauty
):
    cycle = with_rules(operator, organization, beauty)
    reward_list = publish(operator, cycle)
    pay_all(operator, reward_list, settlement_export(actor=operator, reward_list=reward_list))
    basic, tier = entry("org_basic"), entry("org_tier")
    creator = entry("commission").creator
    # After the copy decision no original video of the creator counts in the window.
    DailyMetric.objects.filter(creator=creator).update(original_videos=0)

    class Video:
        creator_id = creator.pk
        published_on = D(2026, 11, 4)
        title = "Lipstick test"
        video_id = "v-1"

    made = originality_org_correct(video=Video, decision_outcome="copy")
    assert sorted((c.corrects_id, c.amount) for c in made) == sorted(
        [(basic.pk, -basic.amount), (tier.pk, -tier.amount)]
    )
    assert all(c.cycle.number == 2 and "Lipstick test" in c.note for c in made)
    assert originality_org_correct(video=Video, decision_outcome="copy") == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_release_hold_and_export_at_once_never_put_a_held_entry_in_the_file(beauty):
    from organizations.models import Organization
    from tests.accounts.factories import OperatorFactory
    from tests.incentives.test_settlement_runs import race
    from tests.organizations.factories import OrganizationFactory

    operator = OperatorFactory()
    organization = OrganizationFactory(categories=[beauty])
    cycle = with_rules(operator, organization, beauty)
    reward_list = publish(operator, cycle)
    tier, subsidy = entry("org_tier"), entry("creator_subsidy")
    (hold,) = hold_place(actor=operator, entries=[tier], reason=HoldReason.RISK, note="case")

    outcomes = race(
        LedgerEntry.objects.filter(pk__in=[tier.pk, subsidy.pk]),
        lambda: settlement_export(actor=operator, reward_list=reward_list),
        lambda: hold_release(actor=operator, hold=hold, note="cleared"),
        lambda: hold_place(
            actor=operator, entries=[subsidy], reason=HoldReason.RISK, note="new case"
        ),
    )

    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    export = outcomes[0]
    in_file = set(exported_entries(export).values_list("pk", flat=True))
    active = set(Hold.objects.filter(released_at=None).values_list("entry_id", flat=True))
    assert not in_file & active
    for held in LedgerEntry.objects.filter(payment_status=PaymentStatus.HELD):
        assert held.pk not in in_file
    # The subsidy is either in the file (the hold came too late and was not placed) or held.
    assert (subsidy.pk in in_file) != (subsidy.pk in active)
    assert Organization.objects.filter(pk=organization.pk).exists()


def test_the_statement_says_why_an_entry_is_held_and_what_releases_it(
    client, operator, organization, beauty, owner, today
):
    from django.urls import reverse

    cycle = with_rules(operator, organization, beauty, commission_days=15)
    reward_list = publish(operator, cycle)
    hold_place(
        actor=operator, entries=[entry("org_tier")], reason=HoldReason.RISK, note="Shared phone"
    )
    pay = settlement_export(actor=operator, reward_list=reward_list)
    pay_all(operator, reward_list, pay)
    refund_record(
        actor=operator, creator=entry("commission").creator, day=D(2026, 11, 5), amount=50
    )
    client.force_login(owner)
    url = reverse("incentives:statement", args=[reward_list.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "Released on 2026-12-16, when the holding period is over." in text
    assert "Shared phone" in text and "Risk review" in text
    assert "Corrections of earlier amounts" in text and "-1.00" in text
    states = page.context["program_states"]
    assert states["held"]["n"] == 2 and states["paid"]["n"] == 4
    assert states["posted"] == sum(
        (e.amount for e in LedgerEntry.objects.filter(organization=organization)), Decimal(0)
    )
    owner.language = "zh-hans"
    owner.save()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2026-12-16" in chinese and "Released on" not in chinese


def test_operators_release_and_forfeit_held_entries_on_the_holds_page(
    client, operator, owner, organization, beauty, today
):
    from django.urls import reverse

    cycle = with_rules(operator, organization, beauty, commission_days=15)
    reward_list = publish(operator, cycle)
    tier, subsidy = entry("org_tier"), entry("creator_subsidy")
    (risk,) = hold_place(actor=operator, entries=[tier], reason=HoldReason.RISK, note="Case 7")
    hold_place(actor=operator, entries=[subsidy], reason=HoldReason.REVIEW, note="Check")
    url = reverse("incentives:holds", args=[reward_list.pk])
    client.force_login(owner)
    assert client.get(url).status_code == 403
    assert (
        client.post(
            reverse("incentives:hold_release", args=[reward_list.pk, risk.pk]), {"note": "x"}
        ).status_code
        == 403
    )
    client.force_login(operator)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["page"].paginator.count == 3  # commission, tier, subsidy
    assert "Case 7" in page.content.decode()
    assert client.get(url, {"reason": "risk"}).context["page"].paginator.count == 1
    client.post(reverse("incentives:hold_release", args=[reward_list.pk, risk.pk]), {"note": ""})
    assert entry("org_tier").payment_status == PaymentStatus.HELD  # a decision needs a reason
    client.post(
        reverse("incentives:hold_release", args=[reward_list.pk, risk.pk]), {"note": "Cleared"}
    )
    assert entry("org_tier").payment_status == PaymentStatus.PENDING
    client.post(
        reverse("incentives:entry_forfeit", args=[reward_list.pk, subsidy.pk]), {"note": "Fake"}
    )
    assert entry("creator_subsidy").payment_status == PaymentStatus.FORFEITED
    client.post(reverse("incentives:holds_release_due", args=[reward_list.pk]))
    assert entry("commission").payment_status == PaymentStatus.HELD  # today is before its day
    assert AuditEntry.objects.filter(action="payouts.forfeit").count() == 1
