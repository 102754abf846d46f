"""Risk cases: a signal opens (or updates, never duplicates) a case that holds the subject's unpaid
entries, the export skips them, an operator's decision or the rule's default ends it, and the
organization sees its case without another party's evidence."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from creators.models import Binding, Creator
from incentives.models import HoldReason, LedgerEntry, PaymentStatus
from incentives.services import exported_entries, settlement_export
from portal.accounts.permissions import SYSTEM
from portal.audit.models import AuditEntry
from risk.models import CaseStatus, RiskCase, RiskRule, RiskRun, RunStatus, Signal
from risk.selectors import evidence_for
from risk.services.cases import case_decide, case_statement_send, cases_expire
from risk.services.compute import risk_run_start, risk_signals_compute
from risk.services.partner_data import identity_hashes_record
from tests.creators.factories import BindingFactory, CreatorFactory
from tests.incentives.test_holds import publish, with_rules

D = datetime.date
TODAY = D(2026, 12, 5)
SAME = "cd" * 32


@pytest.fixture
def held_world(operator, organization, other_organization, beauty):
    """A published cycle paying one creator of `organization`; another creator, of
    `other_organization`, shares the first one's real-name identity."""
    reward_list = publish(operator, with_rules(operator, organization, beauty))
    creator = Creator.objects.get(bindings__organization=organization)
    twin = CreatorFactory(display_name="Twin")
    BindingFactory(creator=twin, organization=other_organization, started_on=D(2026, 11, 3))
    identity_hashes_record(
        actor=operator,
        rows=[
            {"creator_id": creator.pk, "identity": SAME},
            {"creator_id": twin.pk, "identity": SAME},
        ],
    )
    return reward_list, creator, twin


def creator_entries(creator):
    return LedgerEntry.objects.filter(creator=creator)


def test_a_signal_opens_one_case_that_holds_the_creators_entries_and_the_export_skips_them(
    operator, organization, held_world
):
    reward_list, creator, _twin = held_world
    summary = risk_signals_compute(actor=operator, today=TODAY)
    assert summary[Signal.SHARED_IDENTITY]["opened"] == 2  # one case per organization
    case = RiskCase.objects.get(creator=creator)
    assert case.organization == organization and case.figure == 2
    entries = list(creator_entries(creator))
    assert entries and all(e.payment_status == PaymentStatus.HELD for e in entries)
    assert all(e.holds.filter(reason=HoldReason.RISK, released_at=None).exists() for e in entries)
    # Computing again updates the case: no second case, no second hold.
    again = risk_signals_compute(actor=operator, today=TODAY)
    assert again[Signal.SHARED_IDENTITY] == {"opened": 0, "updated": 2, "held": 0}
    assert RiskCase.objects.filter(creator=creator).count() == 1
    export = settlement_export(actor=operator, reward_list=reward_list)
    exported = set(exported_entries(export).values_list("pk", flat=True))
    assert exported and not exported & {e.pk for e in entries}


def test_release_makes_the_entries_payable_and_forfeit_returns_them(operator, held_world):
    _list, creator, _twin = held_world
    risk_signals_compute(actor=operator, today=TODAY)
    case = RiskCase.objects.get(creator=creator)
    with pytest.raises(ValidationError):
        case_decide(actor=operator, case=case, decision="release", note="  ")
    decided = case_decide(actor=operator, case=case, decision="release", note="Twins, verified")
    assert decided.status == CaseStatus.RELEASED and decided.decided_by == operator
    assert {e.payment_status for e in creator_entries(creator)} == {PaymentStatus.PENDING}
    assert AuditEntry.objects.filter(action="risk.decide").exists()
    with pytest.raises(ValidationError, match="already decided"):
        case_decide(actor=operator, case=case, decision="forfeit", note="late")


def test_forfeit_forfeits_every_held_entry(operator, held_world):
    _list, creator, _twin = held_world
    risk_signals_compute(actor=operator, today=TODAY)
    case = RiskCase.objects.get(creator=creator)
    case_decide(actor=operator, case=case, decision="forfeit", note="One person, two accounts")
    assert {e.payment_status for e in creator_entries(creator)} == {PaymentStatus.FORFEITED}


def test_only_operators_decide(owner, held_world, operator):
    _list, creator, _twin = held_world
    risk_signals_compute(actor=operator, today=TODAY)
    with pytest.raises(PermissionDenied):
        case_decide(
            actor=owner, case=RiskCase.objects.get(creator=creator), decision="release", note="x"
        )


def test_an_undecided_case_takes_the_rules_default_once_it_expires(operator, held_world):
    _list, creator, _twin = held_world
    risk_signals_compute(actor=operator, today=TODAY)
    case = RiskCase.objects.get(creator=creator)
    rule = RiskRule.objects.get(pk=case.rule_id)
    assert rule.default_decision == "forfeit"
    assert cases_expire(today=case.expires_on - datetime.timedelta(days=1)) == 0
    assert cases_expire(today=case.expires_on) == 2
    assert cases_expire(today=case.expires_on) == 0  # idempotent
    case.refresh_from_db()
    assert case.status == CaseStatus.FORFEITED and case.expired
    assert {e.payment_status for e in creator_entries(creator)} == {PaymentStatus.FORFEITED}


def test_opening_a_case_tells_each_organization_and_the_operators_once(
    operator, owner, other_owner, held_world
):
    from portal.core.models import Notification
    from portal.core.notifications import message_for

    risk_signals_compute(actor=operator, today=TODAY)
    mine = Notification.objects.get(recipient=owner, event="risk.case_opened")
    theirs = Notification.objects.get(recipient=other_owner, event="risk.case_opened")
    assert mine.organization == owner.membership.organization
    assert theirs.organization == other_owner.membership.organization
    assert mine.link == "/risk/mine/"
    # The message names no evidence: no creator, no other organization.
    text = message_for(mine)
    assert "Twin" not in text and other_owner.membership.organization.legal_name not in text
    assert Notification.objects.filter(recipient=operator, event="risk.cases_opened").count() == 1
    # The next night updates the cases: nobody is told again.
    told = Notification.objects.filter(event__startswith="risk.case").count()
    risk_signals_compute(actor=operator, today=TODAY)
    assert Notification.objects.filter(event__startswith="risk.case").count() == told


def test_a_new_case_opens_after_a_decided_one(operator, held_world):
    _list, creator, _twin = held_world
    risk_signals_compute(actor=operator, today=TODAY)
    case_decide(
        actor=operator, case=RiskCase.objects.get(creator=creator), decision="release", note="ok"
    )
    risk_signals_compute(actor=operator, today=TODAY)
    assert RiskCase.objects.filter(creator=creator).count() == 2
    assert RiskCase.objects.filter(creator=creator, status=CaseStatus.OPEN).count() == 1


def test_the_organization_never_sees_another_partys_evidence(
    operator, owner, other_owner, held_world
):
    _list, creator, twin = held_world
    risk_signals_compute(actor=operator, today=TODAY)
    mine = RiskCase.objects.get(creator=creator)
    assert list(RiskCase.objects.for_user(owner)) == [mine]
    shown, hidden = evidence_for(owner, mine)
    assert shown == [] and hidden == 1  # the twin is another organization's creator
    operator_view, _ = evidence_for(operator, mine)
    assert operator_view[0]["creator"] == twin.pk


def test_the_organization_sends_a_statement_with_a_cleaned_document(owner, operator, held_world):
    from tests.organizations.factories import licence_png

    _list, creator, _twin = held_world
    risk_signals_compute(actor=operator, today=TODAY)
    case = RiskCase.objects.get(creator=creator)
    statement = case_statement_send(
        actor=owner,
        case=case,
        text="Two sisters",
        document=SimpleUploadedFile("id.png", licence_png(), content_type="image/png"),
    )
    assert statement.document_type == "image/png"
    with pytest.raises(ValidationError):
        case_statement_send(
            actor=owner,
            case=case,
            text="x",
            document=SimpleUploadedFile("a.pdf", b"not a file", content_type="application/pdf"),
        )


def test_the_run_button_runs_once_at_a_time(
    operator, held_world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = risk_run_start(actor=operator)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.signals_done == run.signals_total == 6
    assert RiskCase.objects.exists()
    queued = risk_run_start(actor=operator)  # not delivered yet
    assert queued != run and risk_run_start(actor=operator) == queued
    assert RiskRun.objects.count() == 2


def test_a_transferred_creators_cases_follow_each_organization(
    operator, organization, other_organization, held_world
):
    """A creator paid by A who moved to B: A's case holds A's entries, B has its own case."""
    _list, creator, _twin = held_world
    binding = Binding.objects.get(creator=creator, ended_on=None)
    Binding.objects.filter(pk=binding.pk).update(ended_on=D(2026, 12, 1))
    BindingFactory(
        creator=creator,
        organization=other_organization,
        started_on=D(2026, 12, 1),
        source="transferred",
    )
    risk_signals_compute(actor=SYSTEM, today=TODAY)
    orgs = set(RiskCase.objects.filter(creator=creator).values_list("organization", flat=True))
    assert orgs == {organization.pk, other_organization.pk}
