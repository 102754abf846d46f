"""Automatic one-on-one assignment: least load, capacity, deterministic tie-break, waiting."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from organizations.models import ManagerAssignment, OrganizationStatus
from organizations.services import assign_least_loaded
from portal.accounts.models import ManagerProfile
from portal.accounts.permissions import SYSTEM
from tests.accounts.factories import ManagerFactory
from tests.organizations.factories import OrganizationFactory


def assign(organization):
    with transaction.atomic():
        return assign_least_loaded(actor=SYSTEM, organization=organization)


def give(manager, count, category):
    for _ in range(count):
        ManagerAssignment.objects.create(
            organization=OrganizationFactory(categories=[category]), manager=manager
        )


def test_the_least_loaded_manager_of_the_main_category_is_chosen(beauty, pets):
    busy = ManagerFactory(categories=[beauty])
    free = ManagerFactory(categories=[beauty])
    ManagerFactory(categories=[pets])  # another category, even though idle
    give(busy, 2, beauty)
    give(free, 1, beauty)
    assert assign(OrganizationFactory(categories=[beauty, pets])).manager == free


def test_ties_go_to_the_manager_who_joined_first(beauty):
    first = ManagerFactory(categories=[beauty])
    ManagerFactory(categories=[beauty])
    assert assign(OrganizationFactory(categories=[beauty])).manager == first


def test_a_full_manager_is_skipped_and_when_all_are_full_the_organization_waits(beauty):
    full = ManagerFactory(categories=[beauty])
    ManagerProfile.objects.filter(user=full).update(capacity=1)
    give(full, 1, beauty)
    waiting = OrganizationFactory(categories=[beauty])
    assert assign(waiting) is None
    assert not ManagerAssignment.objects.filter(organization=waiting).exists()
    roomy = ManagerFactory(categories=[beauty])
    assert assign(waiting).manager == roomy


def test_inactive_managers_are_not_chosen(beauty):
    away = ManagerFactory(categories=[beauty])
    ManagerProfile.objects.filter(user=away).update(is_active=False)
    assert assign(OrganizationFactory(categories=[beauty])) is None


def test_an_organization_keeps_its_one_active_manager(beauty):
    ManagerFactory(categories=[beauty])
    organization = OrganizationFactory(categories=[beauty])
    assert assign(organization) is not None
    assert assign(organization) is None
    assert ManagerAssignment.objects.filter(organization=organization).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_assignments_never_exceed_a_managers_capacity(beauty):
    manager = ManagerFactory(categories=[beauty])
    ManagerProfile.objects.filter(user=manager).update(capacity=3)
    organizations = [
        OrganizationFactory(categories=[beauty], status=OrganizationStatus.APPROVED)
        for _ in range(8)
    ]
    barrier = threading.Barrier(len(organizations))

    def run(organization):
        try:
            barrier.wait()
            assign(organization)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(o,)) for o in organizations]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ManagerAssignment.objects.active().filter(manager=manager).count() == 3


# --- away managers, reassignment, whole books, rebalancing -----------------------------------


def test_a_manager_away_today_is_skipped_but_not_one_away_later(beauty):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    first = ManagerFactory(categories=[beauty])
    second = ManagerFactory(categories=[beauty])
    ManagerProfile.objects.filter(user=first).update(
        away_from=today - datetime.timedelta(days=1), away_until=today + datetime.timedelta(days=3)
    )
    assert assign(OrganizationFactory(categories=[beauty])).manager == second
    ManagerProfile.objects.filter(user=first).update(
        away_from=today + datetime.timedelta(days=1), away_until=today + datetime.timedelta(days=3)
    )
    assert assign(OrganizationFactory(categories=[beauty])).manager == first


def test_reassigning_keeps_history_and_tells_both_managers_and_the_organization(
    operator, manager, owner, organization, beauty
):
    from organizations.services import assignment_reassign
    from portal.core.models import Notification

    ManagerAssignment.objects.create(organization=organization, manager=manager)
    successor = ManagerFactory(categories=[beauty])
    with pytest.raises(ValidationError) as error:
        assignment_reassign(actor=operator, organization=organization, manager=successor, reason="")
    assert "reason" in error.value.message_dict
    assignment_reassign(
        actor=operator, organization=organization, manager=successor, reason="Maternity leave"
    )
    history = list(ManagerAssignment.objects.filter(organization=organization).order_by("id"))
    assert [(a.manager, a.ended_at is None) for a in history] == [
        (manager, False),
        (successor, True),
    ]
    assert history[0].end_reason == "Maternity leave"
    assert {(n.recipient_id, n.event) for n in Notification.objects.all()} >= {
        (manager.pk, "assignment.released"),
        (successor.pk, "assignment.manager"),
        (owner.pk, "assignment.organization"),
    }


def test_reassigning_to_a_full_manager_is_refused_on_the_manager_field(
    operator, manager, organization, beauty
):
    from organizations.services import assignment_reassign

    ManagerAssignment.objects.create(organization=organization, manager=manager)
    full = ManagerFactory(categories=[beauty])
    ManagerProfile.objects.filter(user=full).update(capacity=1)
    give(full, 1, beauty)
    with pytest.raises(ValidationError) as error:
        assignment_reassign(actor=operator, organization=organization, manager=full, reason="x")
    assert "manager" in error.value.message_dict
    with pytest.raises(ValidationError):
        assignment_reassign(actor=operator, organization=organization, manager=manager, reason="x")
    assert ManagerAssignment.objects.active().get(organization=organization).manager == manager


def test_only_operators_reassign(manager, owner, organization, beauty):
    from django.core.exceptions import PermissionDenied

    from organizations.services import assignment_reassign

    for actor in (manager, owner):
        with pytest.raises(PermissionDenied):
            assignment_reassign(
                actor=actor,
                organization=organization,
                manager=ManagerFactory(categories=[beauty]),
                reason="x",
            )


def test_a_whole_book_moves_to_one_manager_within_their_capacity(operator, beauty):
    from organizations.services import book_move

    leaving = ManagerFactory(categories=[beauty])
    give(leaving, 3, beauty)
    small = ManagerFactory(categories=[beauty])
    ManagerProfile.objects.filter(user=small).update(capacity=2)
    with pytest.raises(ValidationError):
        book_move(actor=operator, from_manager=leaving, to_manager=small, reason="Leaves")
    assert ManagerAssignment.objects.active().filter(manager=leaving).count() == 3
    taker = ManagerFactory(categories=[beauty])
    assert book_move(actor=operator, from_manager=leaving, to_manager=taker, reason="Leaves") == {
        "moved": 3,
        "waiting": [],
    }
    assert ManagerAssignment.objects.active().filter(manager=taker).count() == 3
    assert ManagerAssignment.objects.filter(manager=leaving, end_reason="Leaves").count() == 3


def test_a_book_spread_over_the_category_leaves_the_overflow_waiting(operator, beauty, pets):
    from organizations.selectors import unassigned_organizations
    from organizations.services import book_move

    leaving = ManagerFactory(categories=[beauty, pets])
    give(leaving, 3, beauty)
    give(leaving, 1, pets)
    colleague = ManagerFactory(categories=[beauty])
    ManagerProfile.objects.filter(user=colleague).update(capacity=2)
    result = book_move(actor=operator, from_manager=leaving, reason="Departure")
    assert result["moved"] == 2 and len(result["waiting"]) == 2
    assert not ManagerAssignment.objects.active().filter(manager=leaving).exists()
    assert set(unassigned_organizations()) == set(result["waiting"])


def test_rebalancing_proposes_even_loads_and_applies_only_confirmed_moves(operator, beauty):
    from organizations.selectors import rebalance_proposal
    from organizations.services import rebalance_apply

    busy = ManagerFactory(categories=[beauty])
    idle = ManagerFactory(categories=[beauty])
    give(busy, 5, beauty)
    before = ManagerAssignment.objects.count()
    moves = rebalance_proposal()
    assert [(m["from"], m["to"]) for m in moves] == [(busy, idle), (busy, idle)]
    assert ManagerAssignment.objects.count() == before, "a proposal writes nothing"
    applied = rebalance_apply(
        actor=operator, moves=[(moves[0]["assignment"], idle.pk)], reason="Rebalance"
    )
    assert applied == 1
    assert ManagerAssignment.objects.active().filter(manager=idle).count() == 1
    # the same move again is stale: its assignment has ended
    assert (
        rebalance_apply(
            actor=operator, moves=[(moves[0]["assignment"], idle.pk)], reason="Rebalance"
        )
        == 0
    )
    assert len(rebalance_proposal()) == 1


def test_rebalancing_never_fills_a_manager_over_capacity(beauty):
    from organizations.selectors import rebalance_proposal

    busy = ManagerFactory(categories=[beauty])
    idle = ManagerFactory(categories=[beauty])
    ManagerProfile.objects.filter(user=idle).update(capacity=1)
    give(busy, 6, beauty)
    assert [m["to"] for m in rebalance_proposal()] == [idle]


def test_the_balance_page_applies_checked_moves_and_retries_waiting_organizations(
    client, operator, beauty
):
    from django.urls import reverse

    busy = ManagerFactory(categories=[beauty])
    idle = ManagerFactory(categories=[beauty])
    give(busy, 4, beauty)
    client.force_login(operator)
    page = client.get(reverse("coaching:balance"), {"propose": 1}).content.decode()
    assert page.count('name="move"') == 2
    first = ManagerAssignment.objects.active().filter(manager=busy).order_by("id").first()
    client.post(reverse("coaching:rebalance"), {"move": [f"{first.pk}:{idle.pk}"]})
    assert ManagerAssignment.objects.active().get(organization=first.organization).manager == idle
    waiting = OrganizationFactory(categories=[beauty])
    client.post(reverse("coaching:assign"), {"organization": waiting.pk})
    assert ManagerAssignment.objects.active().get(organization=waiting).manager == idle
