"""The organization lifecycle of domain.md: every transition from every state, legal or not."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from organizations import services
from organizations.models import Organization, OrganizationStatus, OrgRole
from organizations.services import TRANSITIONS, TransitionRefused
from portal.audit.models import AuditEntry
from tests.organizations.factories import OrganizationFactory, make_member

S = OrganizationStatus

LEGAL = {
    ("submit", S.DRAFT): S.SUBMITTED,
    ("submit", S.CHANGES_REQUESTED): S.SUBMITTED,
    ("start_review", S.SUBMITTED): S.UNDER_REVIEW,
    ("request_changes", S.UNDER_REVIEW): S.CHANGES_REQUESTED,
    ("approve", S.UNDER_REVIEW): S.APPROVED,
    ("reject", S.UNDER_REVIEW): S.REJECTED,
    ("suspend", S.APPROVED): S.SUSPENDED,
    ("reinstate", S.SUSPENDED): S.APPROVED,
    ("withdraw", S.DRAFT): S.WITHDRAWN,
    ("withdraw", S.SUBMITTED): S.WITHDRAWN,
    ("withdraw", S.UNDER_REVIEW): S.WITHDRAWN,
    ("withdraw", S.CHANGES_REQUESTED): S.WITHDRAWN,
}


def all_checks() -> list[str]:
    from organizations.models import ReviewCheck

    return list(ReviewCheck.objects.values_list("code", flat=True))


def actor_for(transition, *, owner, manager, operator):
    if transition in ("submit", "withdraw"):
        return owner
    if transition in ("suspend", "reinstate"):
        return operator
    return manager


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("transition", list(TRANSITIONS))
def test_every_transition_from_every_state(transition, state, operator, manager, beauty):
    organization = OrganizationFactory(status=state, categories=[beauty])
    owner = make_member(organization, OrgRole.OWNER)
    actor = actor_for(transition, owner=owner, manager=manager, operator=operator)
    expected = LEGAL.get((transition, state))

    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            services.organization_transition(
                actor=actor,
                organization=organization,
                transition=transition,
                reason="理由",
                checks=all_checks(),
            )
        assert str(S(state).label) in refused.value.messages[0]
        organization.refresh_from_db()
        assert organization.status == state
        assert not AuditEntry.objects.filter(action=f"organization.{transition}").exists()
    else:
        services.organization_transition(
            actor=actor,
            organization=organization,
            transition=transition,
            reason="理由",
            checks=all_checks(),
        )
        organization.refresh_from_db()
        assert organization.status == expected
        entry = AuditEntry.objects.get(action=f"organization.{transition}")
        assert entry.before == {"status": state}
        assert entry.after["status"] == expected


@pytest.mark.parametrize("transition", ["request_changes", "reject", "suspend", "reinstate"])
def test_transitions_that_need_a_reason_refuse_without_one(transition, operator, organization):
    source = next(state for (name, state) in LEGAL if name == transition)
    Organization.objects.filter(pk=organization.pk).update(status=source)
    with pytest.raises(ValidationError) as error:
        services.organization_transition(
            actor=operator, organization=organization, transition=transition, reason="  "
        )
    assert "reason" in error.value.message_dict


@pytest.mark.parametrize(
    "transition,who",
    [
        ("approve", "owner"),  # applicants do not approve themselves
        ("approve", "pets_manager"),  # a manager of another category
        ("suspend", "manager"),  # only operators suspend
        ("submit", "member"),  # plain members do not submit
        ("submit", "other_owner"),  # nor do people of another organization
    ],
)
def test_wrong_roles_are_refused(transition, who, request, organization, owner):
    source = next(state for (name, state) in LEGAL if name == transition)
    Organization.objects.filter(pk=organization.pk).update(status=source)
    with pytest.raises(PermissionDenied):
        services.organization_transition(
            actor=request.getfixturevalue(who),
            organization=organization,
            transition=transition,
            reason="x",
        )


def test_submitting_an_incomplete_application_names_the_missing_fields(owner, organization):
    Organization.objects.filter(pk=organization.pk).update(
        status=S.DRAFT, contact_phone="", legal_representative=""
    )
    organization.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.organization_submit(actor=owner, organization=organization)
    assert set(error.value.message_dict) == {"contact_phone", "legal_representative"}


def test_a_new_application_makes_the_applicant_owner(beauty, db):
    from tests.accounts.factories import UserFactory

    applicant = UserFactory()
    organization = services.organization_create(
        actor=applicant, legal_name="  成都禾木文化传播有限公司 ", main_category=beauty
    )
    assert organization.status == S.DRAFT
    assert organization.legal_name == "成都禾木文化传播有限公司"
    assert applicant.membership.role == OrgRole.OWNER
    with pytest.raises(PermissionDenied):  # one organization per person
        services.organization_create(actor=applicant, legal_name="第二家", main_category=beauty)


def test_an_application_has_at_most_three_categories(db, beauty):
    from portal.core.models import Category
    from tests.accounts.factories import UserFactory

    with pytest.raises(ValidationError) as error:
        services.organization_create(
            actor=UserFactory(),
            legal_name="四类机构",
            main_category=beauty,
            other_categories=Category.objects.exclude(pk=beauty.pk)[:3],
        )
    assert "other_categories" in error.value.message_dict


def test_a_credit_code_is_held_by_one_open_application_only(owner, organization, beauty):
    from tests.accounts.factories import UserFactory

    rival = UserFactory()
    with pytest.raises(ValidationError) as error:
        services.organization_create(
            actor=rival,
            legal_name="冒名机构",
            credit_code=organization.credit_code,
            main_category=beauty,
        )
    assert "credit_code" in error.value.message_dict
    # Once the first organization's application is closed, the code is free again.
    Organization.objects.filter(pk=organization.pk).update(status=S.REJECTED)
    services.organization_create(
        actor=rival,
        legal_name="重新申请",
        credit_code=organization.credit_code.lower(),
        main_category=beauty,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_approve_and_reject_end_in_exactly_one_decision(beauty):
    from tests.accounts.factories import ManagerFactory, OperatorFactory

    organization = OrganizationFactory(status=S.UNDER_REVIEW, categories=[beauty])
    reviewers = [OperatorFactory(), ManagerFactory(categories=[beauty])]
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(actor, transition):
        try:
            barrier.wait()
            services.organization_transition(
                actor=actor,
                organization=organization,
                transition=transition,
                reason="并发审核",
                checks=all_checks(),
            )
            outcomes.append(transition)
        except TransitionRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(reviewers[0], "approve")),
        threading.Thread(target=decide, args=(reviewers[1], "reject")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert outcomes.count("refused") == 1
    organization.refresh_from_db()
    decided = {"approve": S.APPROVED, "reject": S.REJECTED}[
        next(o for o in outcomes if o != "refused")
    ]
    assert organization.status == decided
    assert (
        AuditEntry.objects.filter(
            action__in=["organization.approve", "organization.reject"]
        ).count()
        == 1
    )


def test_approval_needs_every_checklist_item(manager, organization):
    Organization.objects.filter(pk=organization.pk).update(status=S.UNDER_REVIEW)
    with pytest.raises(ValidationError) as error:
        services.organization_transition(
            actor=manager, organization=organization, transition="approve", checks=all_checks()[1:]
        )
    assert "checks" in error.value.message_dict
    organization.refresh_from_db()
    assert organization.status == S.UNDER_REVIEW


def test_a_review_decision_records_the_checks_that_were_ticked(manager, organization):
    Organization.objects.filter(pk=organization.pk).update(status=S.UNDER_REVIEW)
    services.organization_transition(
        actor=manager,
        organization=organization,
        transition="request_changes",
        reason="执照模糊",
        checks=["name-matches", "not-a-check"],
    )
    entry = AuditEntry.objects.get(action="organization.request_changes")
    assert entry.after == {"status": S.CHANGES_REQUESTED, "checks": ["name-matches"]}
