"""Lists answered from .values() rows (portal.core.api.values) give exactly what the serializers
gave: the same fields in the same order with the same representations, nulls, many-to-many ids
and computed fields; filters still apply; query counts stay flat (issue #17)."""

import json
from decimal import Decimal

from django.db.models import Max
from rest_framework.renderers import JSONRenderer

from creators.api.serializers import CreatorSerializer, MetricSerializer
from creators.models import DailyMetric
from creators.selectors import roster_queryset
from incentives.api.serializers import RewardLineSerializer
from incentives.api.views import lines_for
from incentives.models import RewardLine, RewardList
from incentives.services import settlement_compute
from organizations.api.serializers import OrganizationSerializer
from organizations.models import ManagerAssignment, Organization
from tests.creators.factories import BindingFactory, CreatorFactory
from tests.incentives.test_computation import setup_cycle
from tests.organizations.factories import OrganizationFactory


def serialized(serializer_class, queryset) -> list:
    """What the serializer gives for the rows, through the same JSON renderer."""
    data = serializer_class(queryset.order_by("-id"), many=True).data
    return json.loads(JSONRenderer().render(data))


def listed(client, url, **params) -> list:
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)["results"]


def same(ours: list, theirs: list) -> None:
    assert [list(row.items()) for row in ours] == [list(row.items()) for row in theirs]


def test_creators_list_is_what_the_serializer_gives(client, operator, organization, beauty, pets):
    bound = CreatorFactory(primary_category=beauty, follower_count=12_345, gmv_30d=Decimal("9.5"))
    bound.secondary_categories.set([pets, beauty])
    BindingFactory(creator=bound, organization=organization)
    CreatorFactory(primary_category=pets)  # unbound: no organization, no secondary categories
    client.force_login(operator)
    ours = listed(client, "/api/v1/creators/")
    assert len(ours) == 2
    assert any(row["secondary_categories"] for row in ours)
    assert any(row["organization"] is None for row in ours)
    queryset = roster_queryset(operator).prefetch_related("secondary_categories")
    same(ours, serialized(CreatorSerializer, queryset))
    # A filter still applies.
    filtered = listed(client, "/api/v1/creators/", category=pets.pk)
    assert [row["id"] for row in filtered] == [
        c["id"] for c in ours if c["primary_category"] == pets.pk
    ]


def test_organizations_list_is_what_the_serializer_gives(client, operator, manager, beauty, pets):
    coached = OrganizationFactory(categories=[beauty, pets])
    ManagerAssignment.objects.create(organization=coached, manager=manager, assigned_by=operator)
    OrganizationFactory(categories=[pets])
    client.force_login(operator)
    ours = listed(client, "/api/v1/organizations/")
    assert {row["manager"] for row in ours} == {manager.pk, None}
    queryset = Organization.objects.for_user(operator).prefetch_related(
        "primary_categories", "manager_assignments"
    )
    same(ours, serialized(OrganizationSerializer, queryset))


def test_metrics_and_reward_lines_are_what_the_serializers_give(
    client, operator, organization, beauty
):
    cycle, _version = setup_cycle(operator, organization, beauty)
    DailyMetric.objects.filter(pk=DailyMetric.objects.aggregate(m=Max("pk"))["m"]).update(
        flag="open", gmv=Decimal("0.01")
    )
    reward_list = settlement_compute(actor=operator, cycle=cycle)
    client.force_login(operator)
    ours = listed(client, "/api/v1/metrics/")
    assert len(ours) == 10
    same(ours, serialized(MetricSerializer, DailyMetric.objects.for_user(operator)))
    lines = listed(client, f"/api/v1/reward-lists/{reward_list.pk}/lines/")
    assert len(lines) == RewardLine.objects.filter(reward_list=reward_list).count() == 6
    assert any(row["creator"] is None and row["platform_account_id"] is None for row in lines)
    same(
        lines, serialized(RewardLineSerializer, lines_for(operator).filter(reward_list=reward_list))
    )
    # The filter of the lines still applies, and an unknown list still answers 404.
    playback = listed(client, f"/api/v1/reward-lists/{reward_list.pk}/lines/", kind="playback")
    assert [row["kind"] for row in playback] == ["playback"]
    missing = RewardList.objects.aggregate(m=Max("pk"))["m"] + 1
    assert client.get(f"/api/v1/reward-lists/{missing}/lines/").status_code == 404


def test_pages_of_values_rows_follow_the_cursor(client, operator, organization):
    for _ in range(5):
        BindingFactory(creator=CreatorFactory(), organization=organization)
    client.force_login(operator)
    first = client.get("/api/v1/creators/", {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4
