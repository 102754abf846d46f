"""Operators open category managers' accounts and change their categories, capacity and leave."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from portal.accounts.models import ManagerProfile, Role, User
from portal.accounts.services import manager_invite, manager_profile_update
from portal.audit.models import AuditEntry


def test_an_operator_opens_a_managers_account_and_they_are_emailed_a_password_link(
    client, operator, beauty, pets, django_capture_on_commit_callbacks
):
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("coaching:manager_invite"),
            {
                "invite-full_name": "王芳",
                "invite-email": "Wang.Fang@Example.com",
                "invite-categories": [beauty.pk, pets.pk],
                "invite-capacity": "12",
                "invite-language": "zh-hans",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="wang.fang@example.com")
    assert user.role == Role.MANAGER and not user.has_usable_password()
    assert set(user.manager_profile.categories.all()) == {beauty, pets}
    assert user.manager_profile.capacity == 12
    [message] = [m for m in mail.outbox if m.to == [user.email]]
    assert "/accounts/password/reset/" in message.body
    client.logout()
    link = next(line for line in message.body.splitlines() if "/password/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path, follow=True)
    assert page.status_code == 200 and 'name="new_password1"' in page.content.decode()


def test_a_duplicate_address_is_refused_on_the_email_field(client, operator, manager, beauty):
    client.force_login(operator)
    response = client.post(
        reverse("coaching:manager_invite"),
        {
            "invite-full_name": "Someone",
            "invite-email": manager.email,
            "invite-categories": [beauty.pk],
            "invite-capacity": "10",
            "invite-language": "en",
        },
    )
    assert response.status_code == 400
    assert response.context["invite_form"].errors["email"]
    assert User.objects.filter(role=Role.MANAGER).count() == 1


def test_only_operators_open_manager_accounts(manager, owner, beauty):
    for actor in (manager, owner):
        with pytest.raises(PermissionDenied):
            manager_invite(actor=actor, email="x@example.com", full_name="X", categories=[beauty])


def test_settings_change_categories_capacity_activity_and_away_dates_with_an_audit_record(
    operator, manager, pets
):
    profile = manager.manager_profile
    manager_profile_update(
        actor=operator,
        profile=profile,
        categories=[pets],
        capacity=5,
        is_active=False,
        away_from=datetime.date(2026, 12, 1),
        away_until=datetime.date(2026, 12, 20),
        reason="Moves to pets",
    )
    profile = ManagerProfile.objects.get(pk=profile.pk)
    assert list(profile.categories.all()) == [pets]
    assert (profile.capacity, profile.is_active) == (5, False)
    assert profile.is_away(datetime.date(2026, 12, 10)) and not profile.is_away(
        datetime.date(2026, 12, 21)
    )
    entry = AuditEntry.objects.get(action="manager.update")
    assert entry.reason == "Moves to pets" and entry.after["capacity"] == 5


@pytest.mark.parametrize(
    "change,field",
    [
        ({"categories": []}, "categories"),
        ({"capacity": 0}, "capacity"),
        ({"away_from": datetime.date(2026, 12, 1)}, "away_until"),
        (
            {"away_from": datetime.date(2026, 12, 9), "away_until": datetime.date(2026, 12, 1)},
            "away_until",
        ),
    ],
)
def test_bad_settings_are_refused_on_their_field(operator, manager, beauty, change, field):
    values = {"categories": [beauty], "capacity": 10, "is_active": True} | change
    with pytest.raises(ValidationError) as error:
        manager_profile_update(actor=operator, profile=manager.manager_profile, **values)
    assert field in error.value.message_dict
    assert ManagerProfile.objects.get(user=manager).capacity == 30


def test_the_settings_form_on_a_managers_book(client, operator, manager, beauty):
    client.force_login(operator)
    book = client.get(reverse("coaching:book"), {"manager": manager.pk})
    assert 'name="capacity"' in book.content.decode()
    client.post(
        reverse("coaching:manager", args=[manager.pk]),
        {
            "action": "settings",
            "categories": [beauty.pk],
            "capacity": "8",
            "is_active": "on",
            "away_from": "2026-12-24",
            "away_until": "2027-01-02",
        },
    )
    profile = ManagerProfile.objects.get(user=manager)
    assert (profile.capacity, str(profile.away_until)) == (8, "2027-01-02")
