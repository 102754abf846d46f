import pytest
from django.core.management import call_command

from coaching.models import ActionItem, CoachingSession
from creators.models import Binding, Creator
from demo.program import DEMO_PASSWORD, demo_plan
from organizations.models import (
    Invitation,
    ManagerAssignment,
    Organization,
    OrganizationStatus,
)
from organizations.validators import validate_credit_code
from portal.accounts.models import ManagerProfile, User
from portal.audit.models import AuditEntry
from portal.core.models import Category

CODES = ["beauty", "pets", "fashion", "digital-3c", "personal-care"]


def test_the_plan_is_deterministic_for_a_seed():
    first = demo_plan(seed=7, category_codes=CODES, creators=50)
    again = demo_plan(seed=7, category_codes=list(reversed(CODES)), creators=50)
    other = demo_plan(seed=8, category_codes=CODES, creators=50)
    assert first == again
    assert first != other


def test_the_plan_uses_valid_unique_credit_codes_and_realistic_names():
    plan = demo_plan(seed=1, category_codes=CODES, creators=10)
    codes = [org.credit_code for org in plan.organizations]
    assert len(set(codes)) == len(codes)
    for code in codes:
        validate_credit_code(code)
    assert all(org.legal_name.endswith("有限公司") for org in plan.organizations)


@pytest.mark.django_db
def test_seed_demo_builds_every_state_through_the_services(capsys):
    call_command("seed_demo", seed=3, creators=300)

    states = set(Organization.objects.values_list("status", flat=True))
    assert states == set(OrganizationStatus.values)
    assert Creator.objects.count() == 300
    assert Binding.objects.filter(ended_on__isnull=True).count() > 200
    # Every category has managers; the applicants' steps are in the audit log, done by real people.
    assert not Category.objects.filter(manager_profiles__isnull=True).exists()
    # Every manager has a book to coach: goals, sessions held and planned, action items.
    for profile in ManagerProfile.objects.select_related("user"):
        assert ManagerAssignment.objects.active().filter(manager=profile.user).count() >= 3
        assert CoachingSession.objects.filter(manager=profile.user, status="held").exists()
        assert CoachingSession.objects.filter(manager=profile.user, status="planned").exists()
    assert ActionItem.objects.filter(status="open").exists()
    assert ActionItem.objects.filter(status="done").exists()
    approvals = AuditEntry.objects.filter(action="organization.approve").select_related("actor")
    assert approvals.exists() and all(e.actor.role == "manager" for e in approvals)
    assert AuditEntry.objects.filter(
        action="organization.submit", actor__role="organization"
    ).exists()
    # The printed logins work.
    out = capsys.readouterr().out
    assert "operator@demo.local" in out and DEMO_PASSWORD in out
    assert User.objects.get(email="owner@demo.local").check_password(DEMO_PASSWORD)

    # Applications carry real documents and accepted terms; active organizations have a manager.
    submitted = Organization.objects.exclude(status=OrganizationStatus.DRAFT)
    assert all(o.licence and o.terms_version_id for o in submitted)
    assert all(o.licence_content_type == "image/png" for o in submitted)
    active = Organization.objects.filter(status=OrganizationStatus.APPROVED)
    assert all(o.manager_assignments.filter(ended_at__isnull=True).exists() for o in active)
    assert Invitation.objects.pending().count() == 1

    # Last month is settled: approved by two operators, published, exported and paid but for
    # two failed payments; a draft rule version waits to be simulated.
    from incentives.models import LedgerEntry, RewardList, RuleVersion

    settled = RewardList.objects.get()
    assert settled.status == "exported" and settled.first_approved_by != settled.approved_by
    assert LedgerEntry.objects.filter(payment_status="failed").count() == 2
    assert LedgerEntry.objects.filter(payment_status="paid").count() > 20
    assert RuleVersion.objects.filter(status="draft").count() == 1

    # The reserve pool has nominated and rule-admitted creators, scored for two weeks, and this
    # year's shortlist is proposed with snapshots.
    from incubation.models import Nomination, PoolMember, ScoreSnapshot, ShortlistSnapshot

    assert PoolMember.objects.filter(source="nomination").exists()
    assert Nomination.objects.filter(status="accepted").exists()
    assert ScoreSnapshot.objects.values("day").distinct().count() == 14
    assert ShortlistSnapshot.objects.count() == 3

    # The risk center: the partner's identity hashes and linked orders opened cases that hold
    # unpaid entries; the showcase owner answered one, an operator decided another.
    from risk.models import CaseStatement, RiskCase

    assert RiskCase.objects.filter(signal="shared_identity", status="open").count() == 2
    assert RiskCase.objects.filter(signal="self_dealing").exists()
    assert RiskCase.objects.filter(status="released", decided_by__role="operator").exists()
    assert CaseStatement.objects.filter(
        case__organization__memberships__user__email="owner@demo.local"
    ).exists()
    assert LedgerEntry.objects.filter(holds__reason="risk", holds__released_at=None).exists()

    call_command("seed_demo", if_empty=True)  # make run on an existing database: nothing changes
    assert Creator.objects.count() == 300


def test_the_demo_build_reports_each_step_and_how_far_long_steps_have_got():
    """A first `make run` printed nothing for about two minutes while it built the demo."""
    from demo.progress import DemoProgress

    lines, now = [], [0.0]
    progress = DemoProgress(lines.append, steps=2, every=3.0, clock=lambda: now[0])
    progress.step("Organizations", 88)
    for done in range(1, 89):
        now[0] += 0.5
        progress.advance(done)
    progress.done("88 organizations")
    progress.step("Creators")
    progress.done("300 creators")

    assert lines[0] == "[1/2] Organizations…"
    reports = [line.strip() for line in lines if "/88" in line]
    assert reports[0] == "6/88 (6%)" and len(reports) == 14  # every three seconds, not every item
    assert lines[-3].strip() == "88 organizations (44 s)"
    assert lines[-2:] == ["[2/2] Creators…", "      300 creators (0 s)"]


def test_the_small_demo_has_every_state_with_fewer_organizations_and_creators():
    small = demo_plan(seed=3, category_codes=CODES, size="small")
    standard = demo_plan(seed=3, category_codes=CODES, creators=10)
    assert {org.status for org in small.organizations} == set(OrganizationStatus.values)
    assert len(small.organizations) < len(standard.organizations) / 4
    assert len(small.creators) == 150
