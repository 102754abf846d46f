"""Automatic one-on-one assignment: least load, capacity, deterministic tie-break, waiting."""

import threading

import pytest
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
