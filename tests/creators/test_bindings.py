import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from creators.models import Binding, Creator
from creators.services import binding_start, creator_register
from organizations.models import Organization, OrganizationStatus
from tests.creators.factories import BindingFactory, CreatorFactory

DAY = datetime.date(2026, 11, 2)


def test_an_owner_registers_and_binds_a_creator_to_their_organization(owner, organization, beauty):
    creator = creator_register(
        actor=owner,
        platform_account_id=" u123456789012 ",
        display_name="小鱼美妆日记",
        primary_category=beauty,
        organization=organization,
    )
    binding = binding_start(actor=owner, creator=creator, organization=organization, started_on=DAY)
    assert creator.platform_account_id == "u123456789012"
    assert binding.ended_on is None
    assert Creator.objects.for_user(owner).get() == creator


def test_a_member_cannot_bind_and_another_organization_cannot_bind_to_yours(
    member, other_owner, organization
):
    creator = CreatorFactory()
    for actor in (member, other_owner):
        with pytest.raises(PermissionDenied):
            binding_start(actor=actor, creator=creator, organization=organization, started_on=DAY)


def test_a_suspended_organization_cannot_bind(operator, organization):
    Organization.objects.filter(pk=organization.pk).update(status=OrganizationStatus.SUSPENDED)
    organization.refresh_from_db()
    with pytest.raises(ValidationError):
        binding_start(
            actor=operator, creator=CreatorFactory(), organization=organization, started_on=DAY
        )


def test_a_second_active_binding_is_refused_with_a_clear_message(
    operator, organization, other_organization
):
    binding = BindingFactory(organization=organization)
    with pytest.raises(ValidationError) as error:
        binding_start(
            actor=operator, creator=binding.creator, organization=other_organization, started_on=DAY
        )
    assert "already bound" in error.value.messages[0]


def test_the_database_itself_refuses_a_second_active_binding(organization, other_organization):
    binding = BindingFactory(organization=organization)
    with pytest.raises(IntegrityError), transaction.atomic():
        Binding.objects.create(
            creator=binding.creator,
            organization=other_organization,
            source="recruited",
            started_on=DAY,
            created_by=binding.created_by,
        )


def test_an_ended_binding_allows_a_new_one(organization, other_organization):
    old = BindingFactory(organization=organization, ended_on=DAY)
    BindingFactory(organization=other_organization, creator=old.creator, started_on=DAY)
    assert Binding.objects.filter(creator=old.creator).count() == 2


@pytest.mark.parametrize(
    "who,visible",
    [("operator", 2), ("manager", 1), ("owner", 1), ("other_owner", 1), ("pets_manager", 1)],
)
def test_creators_are_scoped_to_the_role(
    request, who, visible, organization, other_organization, pets
):
    BindingFactory(organization=organization)
    BindingFactory(organization=other_organization, creator=CreatorFactory(primary_category=pets))
    assert Creator.objects.for_user(request.getfixturevalue(who)).count() == visible


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_organizations_binding_one_creator_at_once_leaves_one_binding(beauty, pets):
    from tests.accounts.factories import OperatorFactory
    from tests.organizations.factories import OrganizationFactory

    operator = OperatorFactory()
    creator = CreatorFactory()
    organizations = [
        OrganizationFactory(categories=[beauty]),
        OrganizationFactory(categories=[pets]),
    ]
    barrier = threading.Barrier(2)
    outcomes = []

    def bind(organization):
        try:
            barrier.wait()
            binding_start(
                actor=operator, creator=creator, organization=organization, started_on=DAY
            )
            outcomes.append("bound")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=bind, args=(org,)) for org in organizations]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["bound", "refused"]
    assert Binding.objects.filter(creator=creator, ended_on__isnull=True).count() == 1
