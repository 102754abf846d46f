"""Review, approval (the ledger), publication, payment and adjustments of a reward list."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from incentives.models import LedgerEntry, ListStatus, PaymentStatus, Pool, RewardList
from incentives.services import (
    exported_entries,
    settlement_adjust,
    settlement_approve,
    settlement_compute,
    settlement_export,
    settlement_mark_paid,
    settlement_publish,
    settlement_return,
    settlement_submit,
)
from portal.audit.models import AuditEntry
from portal.core.models import Notification
from tests.accounts.factories import OperatorFactory
from tests.incentives.test_computation import setup_cycle


@pytest.fixture
def computed(operator, organization, beauty):
    cycle, _version = setup_cycle(operator, organization, beauty)
    return settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )


def pool(reward_list, kind="cash"):
    return Pool.objects.get(program=reward_list.cycle.program, kind=kind)


def test_approval_posts_one_entry_per_paying_line_and_commits_the_pools(computed, operator):
    approved = settlement_approve(actor=operator, reward_list=computed, revision=computed.revision)
    assert approved.status == ListStatus.APPROVED and approved.approved_by == operator
    entries = LedgerEntry.objects.filter(cycle=computed.cycle)
    assert entries.count() == 6
    assert {e.reason_code for e in entries} == {
        "creator_subsidy",
        "playback",
        "commission",
        "traffic",
        "org_basic",
        "org_tier",
    }
    assert all(e.line.amount == e.amount and e.rule_version_id for e in entries)
    assert pool(computed).committed == Decimal("8124.69")
    assert pool(computed, "traffic").committed == Decimal(800)
    assert AuditEntry.objects.filter(action="ledger.post").count() == 1
    with pytest.raises(ValidationError):
        settlement_approve(actor=operator, reward_list=computed, revision=computed.revision)
    with pytest.raises(ValidationError):
        settlement_compute(actor=operator, cycle=computed.cycle)
    assert LedgerEntry.objects.count() == 6


def test_approval_refuses_a_list_computed_again_since_it_was_opened(computed, operator):
    with pytest.raises(ValidationError, match="computed again"):
        settlement_approve(actor=operator, reward_list=computed, revision=computed.revision - 1)
    assert not LedgerEntry.objects.exists()


def test_a_large_list_needs_two_different_operators(computed, operator):
    program = computed.cycle.program
    program.second_approval_above = Decimal(1000)
    program.save()
    once = settlement_approve(actor=operator, reward_list=computed, revision=computed.revision)
    assert once.status == ListStatus.IN_REVIEW and once.first_approved_by == operator
    assert not LedgerEntry.objects.exists()
    with pytest.raises(ValidationError, match="another operator"):
        settlement_approve(actor=operator, reward_list=computed, revision=computed.revision)
    second = OperatorFactory()
    done = settlement_approve(actor=second, reward_list=computed, revision=computed.revision)
    assert done.status == ListStatus.APPROVED and done.approved_by == second
    assert LedgerEntry.objects.count() == 6


def test_returning_to_draft_drops_the_first_approval(computed, operator):
    program = computed.cycle.program
    program.second_approval_above = Decimal(1000)
    program.save()
    settlement_approve(actor=operator, reward_list=computed, revision=computed.revision)
    with pytest.raises(ValidationError):
        settlement_return(actor=operator, reward_list=computed, reason="  ")
    back = settlement_return(actor=operator, reward_list=computed, reason="Check playback")
    assert back.status == ListStatus.DRAFT and back.first_approved_by is None


def test_a_pool_without_room_refuses_the_approval_and_posts_nothing(computed, operator):
    Pool.objects.filter(program=computed.cycle.program, kind="cash").update(budget=Decimal(8000))
    with pytest.raises(ValidationError, match=r"8,000\.00 CNY left"):
        settlement_approve(actor=operator, reward_list=computed, revision=computed.revision)
    assert not LedgerEntry.objects.exists()
    assert RewardList.objects.get(pk=computed.pk).status == ListStatus.IN_REVIEW


def test_only_operators_settle(computed, manager, owner):
    for person in (manager, owner):
        with pytest.raises(PermissionDenied):
            settlement_approve(actor=person, reward_list=computed, revision=computed.revision)


def approved_and_published(computed, operator):
    settlement_approve(actor=operator, reward_list=computed, revision=computed.revision)
    return settlement_publish(actor=operator, reward_list=computed)


def test_publication_tells_the_organizations_owners(computed, operator, owner):
    published = approved_and_published(computed, operator)
    assert published.status == ListStatus.PUBLISHED and published.published_at
    assert Notification.objects.filter(recipient=owner, event="rewards.published").count() == 1


def result_file(rows, name="result.csv"):
    text = "entry,amount,status,reference\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)
    return SimpleUploadedFile(name, text.encode())


def test_export_then_payment_result_pays_each_entry_once(computed, operator):
    published = approved_and_published(computed, operator)
    entries = list(exported_entries(settlement_export(actor=operator, reward_list=published)))
    assert len(entries) == 6
    assert RewardList.objects.get(pk=computed.pk).status == ListStatus.EXPORTED
    rows = [(e.pk, e.amount, "paid", f"P{e.pk}") for e in entries]
    rows[0] = (entries[0].pk, entries[0].amount, "failed", "")
    result = settlement_mark_paid(actor=operator, reward_list=published, upload=result_file(rows))
    assert (result.paid, result.failed) == (5, 1)
    assert RewardList.objects.get(pk=computed.pk).status == ListStatus.EXPORTED
    retry = list(exported_entries(settlement_export(actor=operator, reward_list=published)))
    assert [e.pk for e in retry] == [entries[0].pk]
    rows[0] = (entries[0].pk, entries[0].amount, "已支付", "P-retry")
    again = settlement_mark_paid(actor=operator, reward_list=published, upload=result_file(rows))
    assert (again.paid, again.unchanged) == (1, 5)
    assert RewardList.objects.get(pk=computed.pk).status == ListStatus.PAID
    assert LedgerEntry.objects.filter(payment_status=PaymentStatus.PAID).count() == 6
    with pytest.raises(ValidationError, match="nothing to export"):
        exported_entries(settlement_export(actor=operator, reward_list=published))


def test_a_bad_result_file_changes_nothing_and_names_the_rows(computed, operator):
    published = approved_and_published(computed, operator)
    entries = list(exported_entries(settlement_export(actor=operator, reward_list=published)))
    rows = [
        (entries[0].pk, entries[0].amount, "paid", "P1"),
        (entries[1].pk, entries[1].amount + 1, "paid", "P2"),
        (entries[2].pk, entries[2].amount, "maybe", "P3"),
        (999999, 1, "paid", "P4"),
        (entries[3].pk, entries[3].amount, "paid", ""),
    ]
    with pytest.raises(ValidationError) as error:
        settlement_mark_paid(actor=operator, reward_list=published, upload=result_file(rows))
    messages = error.value.messages
    assert [m.split(":")[0] for m in messages] == ["Row 3", "Row 4", "Row 5", "Row 6"]
    assert not LedgerEntry.objects.filter(payment_status=PaymentStatus.PAID).exists()


def test_a_paid_entry_cannot_be_paid_again_under_another_reference(computed, operator):
    published = approved_and_published(computed, operator)
    entries = list(exported_entries(settlement_export(actor=operator, reward_list=published)))
    rows = [(e.pk, e.amount, "paid", f"P{e.pk}") for e in entries]
    settlement_mark_paid(actor=operator, reward_list=published, upload=result_file(rows))
    rows[0] = (entries[0].pk, entries[0].amount, "paid", "OTHER")
    with pytest.raises(ValidationError, match="already paid"):
        settlement_mark_paid(actor=operator, reward_list=published, upload=result_file(rows))


def test_an_adjustment_is_a_new_line_and_entry_never_an_edit(computed, operator, organization):
    published = approved_and_published(computed, operator)
    before = {e.pk: e.amount for e in LedgerEntry.objects.all()}
    with pytest.raises(ValidationError) as error:
        settlement_adjust(
            actor=operator, reward_list=published, amount=Decimal(0), reason_code="x", note=""
        )
    assert set(error.value.error_dict) == {"amount", "reason_code", "note", "creator"}
    line = settlement_adjust(
        actor=operator,
        reward_list=published,
        amount=Decimal("-24.69"),
        reason_code="metric_correction",
        note="GMV of 11 Nov was refunded",
        organization=organization,
    )
    assert line.kind == "adjustment" and line.ledger_entry.amount == Decimal("-24.69")
    assert {e.pk: e.amount for e in LedgerEntry.objects.exclude(pk=line.ledger_entry.pk)} == before
    assert pool(computed).committed == Decimal("8100.00")
    assert RewardList.objects.get(pk=computed.pk).cash_total == Decimal("8100.00")


def test_an_adjustment_cannot_overspend_the_pool(computed, operator, organization):
    published = approved_and_published(computed, operator)
    Pool.objects.filter(program=computed.cycle.program, kind="cash").update(
        budget=Decimal("8200.00")
    )
    with pytest.raises(ValidationError, match=r"75\.31 CNY left"):
        settlement_adjust(
            actor=operator,
            reward_list=published,
            amount=Decimal(100),
            reason_code="other",
            note="bonus",
            organization=organization,
        )
    assert not LedgerEntry.objects.filter(kind="adjustment").exists()


def test_export_rows_name_the_beneficiaries(computed, operator):
    from incentives.services.payments import payment_rows

    published = approved_and_published(computed, operator)
    rows = list(
        payment_rows(exported_entries(settlement_export(actor=operator, reward_list=published)))
    )
    assert len(rows) == 6 and all(row[7] > 0 for row in rows)
    assert {row[1] for row in rows} == {"Cash pool", "Traffic pool"}
