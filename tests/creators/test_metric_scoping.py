"""An organization reads a creator's metric days only for its own period with the creator (issue
13, finding 1): a creator bound to A until 11-16 and to B from then on."""

import datetime

import pytest

from creators.models import DailyMetric
from tests.creators.factories import BindingFactory, CreatorFactory

A_START, MOVED, B_DAY = datetime.date(2026, 11, 1), datetime.date(2026, 11, 16), 20


@pytest.fixture
def moved(organization, other_organization):
    """The creator's days 11-10 .. 11-25 (plays = day of month); A until 11-16, B from 11-16."""
    creator = CreatorFactory()
    BindingFactory(creator=creator, organization=organization, started_on=A_START, ended_on=MOVED)
    BindingFactory(creator=creator, organization=other_organization, started_on=MOVED)
    for day in range(10, 26):
        DailyMetric.objects.create(
            creator=creator, date=datetime.date(2026, 11, day), plays=day, valid_plays=day
        )
    return creator


def days(response):
    assert response.status_code == 200, response.content
    return sorted(row["plays"] for row in response.json()["results"])


def test_the_former_organization_does_not_read_the_new_organizations_days(client, owner, moved):
    client.force_login(owner)
    url = f"/api/v1/metrics/?creator={moved.pk}&date__gte=2026-11-16"
    assert days(client.get(url)) == []
    assert days(client.get(f"/api/v1/metrics/?creator={moved.pk}")) == list(range(10, 16))
    later = DailyMetric.objects.get(creator=moved, date=datetime.date(2026, 11, B_DAY))
    assert client.get(f"/api/v1/metrics/{later.pk}/").status_code == 404


def test_the_new_organization_reads_only_its_own_days(client, other_owner, moved):
    client.force_login(other_owner)
    assert days(client.get(f"/api/v1/metrics/?creator={moved.pk}")) == list(range(16, 26))
    earlier = DailyMetric.objects.get(creator=moved, date=datetime.date(2026, 11, 12))
    assert client.get(f"/api/v1/metrics/{earlier.pk}/").status_code == 404


def test_each_day_belongs_to_one_organization_in_the_queryset(owner, other_owner, moved):
    mine = set(DailyMetric.objects.for_user(owner).values_list("plays", flat=True))
    theirs = set(DailyMetric.objects.for_user(other_owner).values_list("plays", flat=True))
    assert mine == set(range(10, 16)) and theirs == set(range(16, 26))
    assert DailyMetric.objects.for_user(owner).count() == len(mine)  # no duplicate rows
