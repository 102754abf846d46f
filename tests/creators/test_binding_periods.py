"""The bindings of one creator never share a day (issue 13, finding 2): every way a binding is
made or changed checks it, PostgreSQL refuses it by itself, and a start in the future is refused.

A binding covers [started_on, ended_on): a binding may start the day the previous one ended."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from creators.models import Binding, DailyMetric
from creators.services import binding_end, binding_start
from tests.creators.factories import BindingFactory, CreatorFactory

B_START, B_END = datetime.date(2026, 12, 2), datetime.date(2026, 12, 7)


@pytest.fixture
def ended_with_other(other_organization):
    """The creator was with the other organization from 12-02 until 12-07."""
    return BindingFactory(organization=other_organization, started_on=B_START, ended_on=B_END)


def test_a_binding_cannot_start_before_the_previous_one_ended(
    owner, organization, ended_with_other
):
    with pytest.raises(ValidationError) as error:
        binding_start(
            actor=owner,
            creator=ended_with_other.creator,
            organization=organization,
            started_on=datetime.date(2026, 5, 16),
        )
    assert "2026-12-07" in error.value.message_dict["started_on"][0]
    assert Binding.objects.filter(creator=ended_with_other.creator).count() == 1


def test_the_api_refuses_an_overlapping_binding_and_the_days_stay_hidden(
    client, owner, organization, ended_with_other
):
    creator = ended_with_other.creator
    DailyMetric.objects.create(creator=creator, date=datetime.date(2026, 12, 4), plays=5)
    client.force_login(owner)
    response = client.post(
        "/api/v1/bindings/",
        {"platform_account_id": creator.platform_account_id, "started_on": "2026-05-16"},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert "started_on" in response.json()["errors"]
    assert client.get(f"/api/v1/metrics/?creator={creator.pk}").json()["results"] == []


def test_a_binding_may_start_the_day_the_previous_one_ended(owner, organization, ended_with_other):
    binding = binding_start(
        actor=owner, creator=ended_with_other.creator, organization=organization, started_on=B_END
    )
    assert binding.started_on == B_END


@pytest.mark.parametrize("days", [1, 400])
def test_a_binding_cannot_start_in_the_future(owner, organization, days):
    with pytest.raises(ValidationError) as error:
        binding_start(
            actor=owner,
            creator=CreatorFactory(),
            organization=organization,
            started_on=timezone.localdate() + datetime.timedelta(days=days),
        )
    assert "future" in error.value.message_dict["started_on"][0]


def test_a_binding_cannot_start_in_a_past_no_one_was_there(owner, organization):
    with pytest.raises(ValidationError):
        binding_start(
            actor=owner,
            creator=CreatorFactory(),
            organization=organization,
            started_on=datetime.date(1, 1, 1),
        )


def test_a_binding_cannot_end_in_the_future(owner, organization):
    binding = BindingFactory(organization=organization)
    with pytest.raises(ValidationError) as error:
        binding_end(
            actor=owner,
            binding=binding,
            reason="合约到期",
            ended_on=timezone.localdate() + datetime.timedelta(days=3),
        )
    assert "future" in error.value.message_dict["ended_on"][0]
    assert Binding.objects.get(pk=binding.pk).ended_on is None


@pytest.mark.postgres
def test_postgresql_refuses_overlapping_periods_by_itself(organization, ended_with_other):
    with pytest.raises(IntegrityError), transaction.atomic():
        Binding.objects.create(
            creator=ended_with_other.creator,
            organization=organization,
            source="recruited",
            started_on=datetime.date(2026, 11, 20),
            ended_on=datetime.date(2026, 12, 3),
            created_by=ended_with_other.created_by,
        )
    # Touching periods are fine: the day a binding ends belongs to the next one.
    Binding.objects.create(
        creator=ended_with_other.creator,
        organization=organization,
        source="recruited",
        started_on=datetime.date(2026, 11, 20),
        ended_on=B_START,
        created_by=ended_with_other.created_by,
    )
