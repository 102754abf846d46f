"""One URL per action on the coaching pages: each POST has its own view, refuses the wrong role,
and the pages themselves only read."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from coaching import services as coaching
from coaching.models import CoachingGoal, CoachingSession, GoalKind, GoalStatus, SessionStatus
from organizations.models import ManagerAssignment


@pytest.fixture
def coached(organization, manager):
    ManagerAssignment.objects.create(organization=organization, manager=manager)
    return organization


@pytest.fixture
def session(coached, manager):
    return coaching.session_schedule(
        actor=manager,
        organization=coached,
        scheduled_at=timezone.now() + datetime.timedelta(days=2),
        channel="video",
        agenda="Reach the next tier",
    )


def test_the_coaching_manager_adds_a_goal_and_closes_it_through_their_own_urls(
    client, coached, manager
):
    client.force_login(manager)
    response = client.post(
        reverse("coaching:goal_add", args=[coached.pk]),
        {
            "goal-kind": GoalKind.ROSTER,
            "goal-title": "Grow the roster",
            "goal-target": "20",
            "goal-due_on": "2026-12-31",
        },
    )
    assert response.status_code == 302
    goal = CoachingGoal.objects.get(organization=coached)
    client.post(reverse("coaching:goal_status", args=[goal.pk]), {"status": GoalStatus.ACHIEVED})
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACHIEVED


def test_a_refused_goal_redraws_the_plan_with_the_error_on_its_field(client, coached, manager):
    client.force_login(manager)
    response = client.post(
        reverse("coaching:goal_add", args=[coached.pk]),
        {
            "goal-kind": GoalKind.ROSTER,
            "goal-title": "Nothing",
            "goal-target": "0",
            "goal-due_on": "2026-12-31",
        },
    )
    assert response.status_code == 200
    assert response.context["goal_form"].errors["target"]
    assert not CoachingGoal.objects.exists()


def test_the_plan_and_balance_pages_only_read(client, coached, manager, operator):
    client.force_login(manager)
    assert client.post(reverse("coaching:organization", args=[coached.pk])).status_code == 405
    client.force_login(operator)
    assert client.post(reverse("coaching:balance")).status_code == 405
    assert client.get(reverse("coaching:rebalance")).status_code == 405


def test_an_organization_member_cannot_use_the_staff_actions(client, coached, member, manager):
    client.force_login(member)
    assert client.post(reverse("coaching:reassign", args=[coached.pk])).status_code == 403
    assert client.post(reverse("coaching:rebalance")).status_code == 403
    assert client.post(reverse("coaching:assign"), {"organization": coached.pk}).status_code == 403
    assert client.post(reverse("coaching:manager_invite")).status_code == 403
    assert client.post(reverse("coaching:book_move", args=[manager.pk])).status_code == 403
    response = client.post(reverse("coaching:goal_add", args=[coached.pk]), {"goal-title": "Mine"})
    assert response.status_code == 403
    assert not CoachingGoal.objects.exists()


def test_a_manager_who_does_not_coach_the_organization_cannot_reach_its_actions(
    client, coached, session, pets_manager
):
    client.force_login(pets_manager)
    assert client.post(reverse("coaching:goal_add", args=[coached.pk])).status_code == 404
    assert client.post(reverse("coaching:session_cancel", args=[session.pk])).status_code == 404
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED


def test_the_coaching_manager_cancels_a_session_on_its_own_url(client, session, manager):
    client.force_login(manager)
    response = client.post(
        reverse("coaching:session_cancel", args=[session.pk]), {"reason": "Moved to next week"}
    )
    assert response.status_code == 302
    assert CoachingSession.objects.get().status == SessionStatus.CANCELLED


def test_an_operator_reassigns_the_organization_on_its_own_url(client, coached, manager, operator):
    from tests.accounts.factories import ManagerFactory

    other = ManagerFactory(categories=list(coached.primary_categories.all()))
    client.force_login(operator)
    url = reverse("coaching:reassign", args=[coached.pk])
    refused = client.post(url, {"reassign-manager": other.pk, "reassign-reason": ""})
    assert refused.status_code == 200 and refused.context["reassign_form"].errors["reason"]
    response = client.post(url, {"reassign-manager": other.pk, "reassign-reason": "Leave"})
    assert response.status_code == 302
    assert ManagerAssignment.objects.active().get(organization=coached).manager == other


def test_an_operator_moves_a_managers_book_on_its_own_url(client, coached, manager, operator):
    from tests.accounts.factories import ManagerFactory

    other = ManagerFactory(categories=list(coached.primary_categories.all()))
    client.force_login(operator)
    url = reverse("coaching:book_move", args=[manager.pk])
    response = client.post(url, {"to_manager": other.pk, "reason": "Parental leave"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('coaching:book')}?manager={manager.pk}"
    assert ManagerAssignment.objects.active().get(organization=coached).manager == other
