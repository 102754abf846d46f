"""Safeguards on the steps that move money: closing and reopening a program (with a reason), a
closed program settles nothing new, confirmations that state the amount, and pages that offer
only the steps the services accept (incentives.policy)."""

import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from incentives import policy
from incentives.models import LedgerEntry, ListStatus, Program, ProgramStatus, RewardList
from incentives.services import (
    exported_entries,
    program_close,
    program_open,
    program_reopen,
    settlement_adjust,
    settlement_approve,
    settlement_compute,
    settlement_export,
    settlement_publish,
    settlement_return,
    settlement_submit,
)
from portal.audit.models import AuditEntry
from tests.accounts.factories import OperatorFactory
from tests.incentives.test_computation import setup_cycle


@pytest.fixture
def cycle(operator, organization, beauty):
    cycle, _version = setup_cycle(operator, organization, beauty)
    program_open(actor=operator, program=cycle.program)
    return cycle


@pytest.fixture
def in_review(operator, cycle):
    return settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )


def status(program) -> str:
    return Program.objects.get(pk=program.pk).status


# --- closing and reopening ---------------------------------------------------------------------


def test_closing_needs_a_reason_and_the_audit_log_keeps_it(operator, cycle):
    program = cycle.program
    with pytest.raises(ValidationError) as refused:
        program_close(actor=operator, program=program, reason="   ")
    assert "reason" in refused.value.error_dict
    assert status(program) == ProgramStatus.ACTIVE
    program_close(actor=operator, program=program, reason="Budget moved to the spring program")
    assert status(program) == ProgramStatus.CLOSED
    entry = AuditEntry.objects.get(action="program.close")
    assert entry.reason == "Budget moved to the spring program"
    assert (entry.before, entry.after) == ({"status": "active"}, {"status": "closed"})
    with pytest.raises(ValidationError, match="Only an active program"):
        program_close(actor=operator, program=program, reason="again")


def test_a_closed_program_settles_nothing_new_but_pays_what_was_approved(
    operator, cycle, in_review
):
    second_cycle = cycle.program.cycles.get(number=2)
    draft = settlement_compute(actor=operator, cycle=second_cycle)
    approved = settlement_approve(
        actor=operator, reward_list=in_review, revision=in_review.revision
    )
    program_close(actor=operator, program=cycle.program, reason="Mistake test")
    with pytest.raises(ValidationError, match="closed"):
        settlement_compute(actor=operator, cycle=second_cycle)
    with pytest.raises(ValidationError, match="closed"):
        settlement_submit(actor=operator, reward_list=draft)
    published = settlement_publish(actor=operator, reward_list=approved)
    assert published.status == ListStatus.PUBLISHED
    assert exported_entries(settlement_export(actor=operator, reward_list=published)).count() == 6


def test_an_approval_racing_a_close_is_refused_after_the_pool_locks(operator, cycle, in_review):
    """The list was read while the program ran; the close committed before the approval took the
    pool locks: nothing is posted."""
    Program.objects.filter(pk=cycle.program_id).update(status=ProgramStatus.CLOSED)
    stale = RewardList.objects.select_related("cycle__program").get(pk=in_review.pk)
    stale.cycle.program.status = ProgramStatus.ACTIVE  # what the approver's page saw
    with pytest.raises(ValidationError, match="closed"):
        settlement_approve(actor=operator, reward_list=stale, revision=stale.revision)
    assert not LedgerEntry.objects.exists()


def test_a_program_closed_by_mistake_is_reopened_with_a_reason(operator, manager, cycle):
    program = program_close(actor=operator, program=cycle.program, reason="Wrong program")
    with pytest.raises(PermissionDenied):
        program_reopen(actor=manager, program=program, reason="Please")
    with pytest.raises(ValidationError):
        program_reopen(actor=operator, program=program, reason="")
    program_reopen(actor=operator, program=program, reason="Closed the wrong program")
    assert status(program) == ProgramStatus.ACTIVE
    assert AuditEntry.objects.get(action="program.reopen").reason == "Closed the wrong program"
    assert settlement_compute(actor=operator, cycle=cycle).status == ListStatus.DRAFT


def test_a_program_whose_every_cycle_is_settled_stays_closed(operator, cycle):
    for each in cycle.program.cycles.all():
        reward_list = settlement_submit(
            actor=operator, reward_list=settlement_compute(actor=operator, cycle=each)
        )
        settlement_approve(actor=operator, reward_list=reward_list, revision=reward_list.revision)
    program = program_close(actor=operator, program=cycle.program, reason="Year done")
    with pytest.raises(ValidationError, match="settled"):
        program_reopen(actor=operator, program=program, reason="Once more")
    assert status(program) == ProgramStatus.CLOSED


# --- what is offered is what the services accept ------------------------------------------------


def _attempt(name, actor, reward_list, organization):
    """Take the step through its service, then roll it back; True when the service accepts."""
    calls = {
        "list.submit": lambda: settlement_submit(actor=actor, reward_list=reward_list),
        "list.return": lambda: settlement_return(actor=actor, reward_list=reward_list, reason="r"),
        "list.approve": lambda: settlement_approve(
            actor=actor, reward_list=reward_list, revision=reward_list.revision
        ),
        "list.publish": lambda: settlement_publish(actor=actor, reward_list=reward_list),
        "list.export": lambda: exported_entries(
            settlement_export(actor=actor, reward_list=reward_list)
        ),
        "list.adjust": lambda: settlement_adjust(
            actor=actor,
            reward_list=reward_list,
            amount=Decimal(1),
            reason_code="other",
            note="n",
            organization=organization,
        ),
    }
    try:
        with transaction.atomic():
            calls[name]()
            raise _Undo
    except _Undo:
        return True
    except (ValidationError, PermissionDenied):
        return False


class _Undo(Exception):
    pass


def test_the_steps_offered_are_exactly_the_steps_the_services_accept(
    operator, manager, organization, cycle, in_review
):
    """Every list state (the first approval given or not, the program running or closed) for the
    first approver, another operator and a manager."""
    program = cycle.program
    program.second_approval_above = Decimal(1000)
    program.save()
    other = OperatorFactory()
    states = {"in review": in_review}
    first = settlement_approve(actor=operator, reward_list=in_review, revision=in_review.revision)
    states["first approval given"] = RewardList.objects.get(pk=first.pk)
    with transaction.atomic():
        draft = settlement_compute(actor=operator, cycle=program.cycles.get(number=2))
    states["draft"] = draft
    checked = 0
    for closed, (label, reward_list) in itertools.product((False, True), states.items()):
        program.status = ProgramStatus.CLOSED if closed else ProgramStatus.ACTIVE
        Program.objects.filter(pk=program.pk).update(status=program.status)
        reward_list = RewardList.objects.select_related("cycle__program").get(pk=reward_list.pk)
        for actor, name in itertools.product((operator, other, manager), policy.LIST_STEPS):
            if name == "list.result":
                continue  # needs a file; the state check is the export's
            offered = name in policy.offered(actor, reward_list, [name])
            accepted = _attempt(name, actor, reward_list, organization)
            assert offered == accepted, (label, closed, actor.email, name)
            checked += 1
    assert checked == 2 * 3 * 3 * 6


# --- pages --------------------------------------------------------------------------------------


def test_the_first_approver_is_not_offered_the_second_approval(client, operator, in_review):
    program = in_review.cycle.program
    program.second_approval_above = Decimal(1000)
    program.save()
    settlement_approve(actor=operator, reward_list=in_review, revision=in_review.revision)
    url = reverse("incentives:list", args=[in_review.pk])
    approve = reverse("incentives:list_approve", args=[in_review.pk])
    client.force_login(operator)
    page = client.get(url).content.decode()
    assert approve not in page and "Another operator must give the second" in page
    assert client.get(approve)["Location"] == url  # straight to the confirmation: sent back
    client.force_login(OperatorFactory())
    page = client.get(url).content.decode()
    assert f'href="{approve}"' in page and "Give the second approval…" in page


def test_the_approval_confirmation_states_the_amount_and_what_cannot_be_undone(
    client, operator, in_review
):
    client.force_login(operator)
    url = reverse("incentives:list_approve", args=[in_review.pk])
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200 and text.count("<main") == 1
    assert "8,924.69 CNY" in text  # cash 8,124.69 + traffic 800.00
    assert "Cannot be undone:" in text and "never changes" in text
    assert f'name="revision" value="{in_review.revision}"' in text
    assert not LedgerEntry.objects.exists()  # asking is not doing
    dialog = client.get(url, headers={"HX-Request": "true"})
    assert b"<main" not in dialog.content and b'formmethod="dialog"' in dialog.content
    client.post(url, {"revision": in_review.revision})
    assert RewardList.objects.get(pk=in_review.pk).status == ListStatus.APPROVED


def test_closing_from_the_page_asks_for_the_reason_first(client, operator, cycle):
    client.force_login(operator)
    program_url = reverse("incentives:program", args=[cycle.program_id])
    close_url = reverse("incentives:program_close", args=[cycle.program_id])
    compute = f'action="{reverse("incentives:cycle_compute", args=[cycle.program_id, cycle.pk])}"'
    page = client.get(program_url).content.decode()
    assert f'href="{close_url}"' in page and compute in page
    confirm = client.get(close_url).content.decode()
    assert "10,000,000 CNY" in confirm and 'name="reason"' in confirm
    refused = client.post(close_url, {"reason": ""})
    assert refused.status_code == 400 and status(cycle.program) == ProgramStatus.ACTIVE
    done = client.post(close_url, {"reason": "Closed at the sponsor's request"})
    assert done["Location"] == program_url and status(cycle.program) == ProgramStatus.CLOSED
    page = client.get(program_url).content.decode()
    assert compute not in page and f'href="{close_url}"' not in page
    assert "Closed at the sponsor&#x27;s request" in page
    reopen_url = reverse("incentives:program_reopen", args=[cycle.program_id])
    assert f'href="{reopen_url}"' in page
    client.post(reopen_url, {"reason": "Closed by mistake"})
    assert status(cycle.program) == ProgramStatus.ACTIVE


def test_an_adjustment_is_confirmed_with_its_amount_before_it_is_posted(
    client, operator, organization, in_review
):
    approved = settlement_approve(
        actor=operator, reward_list=in_review, revision=in_review.revision
    )
    client.force_login(operator)
    url = reverse("incentives:list_adjust", args=[approved.pk])
    form = {
        "account": "",
        "organization": organization.pk,
        "pool": "cash",
        "amount": "-250.00",
        "reason_code": "returned_payment",
        "note": "The bank returned the basic incentive",
    }
    before = LedgerEntry.objects.count()
    confirm = client.post(url, form)
    text = confirm.content.decode()
    assert confirm.status_code == 200 and "-250.00 CNY" in text
    assert organization.legal_name in text and "taken back" in text
    assert 'name="confirmed" value="1"' in text
    assert LedgerEntry.objects.count() == before  # asking is not doing
    done = client.post(url, {**form, "confirmed": "1"})
    assert done["Location"] == reverse("incentives:list", args=[approved.pk])
    assert LedgerEntry.objects.count() == before + 1
    assert LedgerEntry.objects.get(kind="adjustment").amount == Decimal("-250.00")


def test_a_version_without_rules_offers_no_publication(client, operator):
    import datetime

    from incentives.services import program_create, rule_version_draft

    program = program_create(
        actor=operator,
        name="empty",
        starts_on=datetime.date(2027, 1, 1),
        ends_on=datetime.date(2027, 7, 1),
        cash_budget=Decimal(1000),
        traffic_budget=Decimal(1000),
    )
    version = rule_version_draft(
        actor=operator, program=program, effective_from=datetime.date(2027, 1, 1)
    )
    client.force_login(operator)
    page = client.get(reverse("incentives:rules", args=[version.pk])).content.decode()
    assert reverse("incentives:rules_publish", args=[version.pk]) not in page
    refused = client.get(reverse("incentives:rules_publish", args=[version.pk]))
    assert refused["Location"] == reverse("incentives:rules", args=[version.pk])
