"""Programs are cut into closed-open cycles; rule versions are drafted, published and then fixed."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incentives.models import OrgTier, Pool, RuleStatus, SubsidyRule
from incentives.selectors import rule_version_in_force
from incentives.services import (
    cycles_for,
    program_create,
    rule_version_draft,
    rule_version_publish,
)
from portal.audit.models import AuditEntry

D = datetime.date


@pytest.fixture
def program(operator):
    return program_create(
        actor=operator,
        name="2027 program",
        starts_on=D(2027, 1, 1),
        ends_on=D(2028, 1, 1),
        cash_budget=Decimal(1_000_000_000),
        traffic_budget=Decimal(1_000_000_000),
    )


def test_cycles_are_closed_open_months_and_the_last_ends_with_the_program():
    assert cycles_for(D(2027, 1, 1), D(2027, 4, 1), 1) == [
        (D(2027, 1, 1), D(2027, 2, 1)),
        (D(2027, 2, 1), D(2027, 3, 1)),
        (D(2027, 3, 1), D(2027, 4, 1)),
    ]
    assert cycles_for(D(2027, 11, 15), D(2028, 3, 10), 2) == [
        (D(2027, 11, 15), D(2028, 1, 1)),
        (D(2028, 1, 1), D(2028, 3, 1)),
        (D(2028, 3, 1), D(2028, 3, 10)),
    ]


def test_a_program_has_two_pools_and_all_its_cycles(program):
    assert program.cycles.count() == 12
    assert {p.kind: p.budget for p in Pool.objects.filter(program=program)} == {
        "cash": Decimal("1000000000.00"),
        "traffic": Decimal("1000000000.00"),
    }
    assert AuditEntry.objects.filter(action="program.create").count() == 1


def test_only_operators_create_programs(manager):
    with pytest.raises(PermissionDenied):
        program_create(
            actor=manager,
            name="x",
            starts_on=D(2027, 1, 1),
            ends_on=D(2027, 2, 1),
            cash_budget=Decimal(1),
            traffic_budget=Decimal(1),
        )


def test_a_new_draft_copies_the_newest_rules_and_the_cycle_uses_the_version_in_force(
    program, operator, beauty
):
    first = rule_version_draft(actor=operator, program=program, effective_from=D(2027, 1, 1))
    SubsidyRule.objects.create(
        version=first,
        category=beauty,
        level=1,
        min_original_videos=10,
        min_valid_plays=100_000,
        min_followers=1000,
        amount=Decimal(3000),
    )
    OrgTier.objects.create(version=first, level=1, min_introduced=50, amount=Decimal(100_000))
    assert rule_version_in_force(program, D(2027, 1, 1)) is None, "a draft is not in force"
    rule_version_publish(actor=operator, version=first)
    with pytest.raises(ValidationError):
        rule_version_publish(actor=operator, version=first)
    second = rule_version_draft(actor=operator, program=program, effective_from=D(2027, 3, 1))
    assert second.number == 2 and second.status == RuleStatus.DRAFT
    assert second.subsidy_rules.get().amount == Decimal(3000)
    assert second.org_tiers.get().min_introduced == 50
    rule_version_publish(actor=operator, version=second)
    assert rule_version_in_force(program, D(2027, 2, 1)) == first
    assert rule_version_in_force(program, D(2027, 3, 1)) == second


def test_an_empty_version_cannot_be_published(program, operator):
    draft = rule_version_draft(actor=operator, program=program, effective_from=D(2027, 1, 1))
    with pytest.raises(ValidationError):
        rule_version_publish(actor=operator, version=draft)


def test_the_ledger_refuses_a_second_entry_for_the_same_cycle_beneficiary_and_kind(
    program, organization
):
    from django.db import IntegrityError, transaction

    from incentives.models import LedgerEntry

    cycle = program.cycles.first()
    pool = Pool.objects.get(program=program, kind="cash")
    entry = {
        "pool": pool,
        "cycle": cycle,
        "kind": "org_tier",
        "organization": organization,
        "reason_code": "tier",
    }
    LedgerEntry.objects.create(amount=Decimal(100), **entry)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(amount=Decimal(100), **entry)
    # adjustments are separate entries, each tied to its own reason
    LedgerEntry.objects.create(amount=Decimal(-20), **(entry | {"kind": "adjustment"}))
    LedgerEntry.objects.create(amount=Decimal(5), **(entry | {"kind": "adjustment"}))
    assert LedgerEntry.objects.count() == 3
