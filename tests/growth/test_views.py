"""The growth pages: an organization's scorecard, the staff overview, the operators' settings,
and the level and score in a manager's book."""

import datetime

import pytest
from django.urls import reverse

from growth.models import COMPONENT_CODES, LevelRight, Scorecard, ScorecardVersion
from growth.services.scorecard import scorecards_compute
from organizations.models import ManagerAssignment
from tests.creators.factories import BindingFactory
from tests.organizations.factories import OrganizationFactory

D = datetime.date
OCT, NOV = D(2026, 10, 1), D(2026, 11, 1)


@pytest.fixture
def scored(organization, other_organization, beauty):
    """Two months scored for the two organizations and three more beauty organizations: the
    organization leads on roster growth in October and November."""
    others = [OrganizationFactory(categories=[beauty], licence="") for _ in range(3)]
    for month in (OCT, NOV):
        BindingFactory(organization=organization, started_on=month + datetime.timedelta(days=3))
    BindingFactory(organization=others[0], started_on=D(2026, 1, 1))
    for month in (OCT, NOV):
        scorecards_compute(month=month, as_of=D(2026, 12, 5))
    return others


def test_the_scorecard_explains_the_score_and_what_would_raise_it(client, owner, scored):
    client.force_login(owner)
    url = reverse("growth:organization", args=[owner.membership.organization_id])
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    card = response.context["card"]
    assert card.month == NOV
    lines = {row["line"].code: row for row in response.context["lines"]}
    assert set(lines) == set(COMPONENT_CODES)
    assert sum(row["line"].points for row in lines.values()) == card.score
    assert lines["growth"]["figure"] == "+100.0% (1 → 2 creators)"
    page = response.content.decode()
    assert "What would raise your level" in page and "ts-chart" in page
    assert response.context["chart"].rows[-2:] == [
        (
            "2026-10",
            f"{Scorecard.objects.get(organization_id=owner.membership.organization_id, month=OCT).score:.1f}",
        ),
        ("2026-11", f"{card.score:.1f}"),
    ]
    earlier = client.get(url, {"month": OCT.isoformat()})
    assert earlier.context["card"].month == OCT


def test_an_organization_without_a_scorecard_is_told_when_it_comes(client, owner):
    client.force_login(owner)
    response = client.get(reverse("growth:home"))
    assert response.status_code == 200
    assert "scored once a month" in response.content.decode()


def test_the_overview_shows_levels_bands_and_movers_in_bounded_queries(
    client, operator, scored, django_assert_max_num_queries, beauty
):
    client.force_login(operator)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("growth:overview"))
    distribution = response.context["distribution"]
    assert distribution["total"] == 5 == sum(entry["n"] for entry in distribution["levels"])
    for _ in range(10):
        OrganizationFactory(categories=[beauty], licence="")
    scorecards_compute(month=NOV, as_of=D(2026, 12, 5))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("growth:overview"))
    assert response.context["distribution"]["total"] == 15
    fragment = client.get(reverse("growth:overview"), {"page": 1}, headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content and b"<table" in fragment.content


def test_a_manager_sees_the_organizations_of_their_fields_only(client, manager, scored, pets):
    client.force_login(manager)
    response = client.get(reverse("growth:overview"))
    names = {card.organization.legal_name for card in response.context["page"].object_list}
    assert "上海远山网络科技有限公司" not in names and len(names) == 4


def test_the_managers_book_shows_level_and_score(client, manager, organization, scored):
    ManagerAssignment.objects.create(organization=organization, manager=manager)
    client.force_login(manager)
    response = client.get(reverse("coaching:book"))
    card = Scorecard.objects.get(organization=organization, month=NOV)
    assert f"{card.level_code} · {card.score:.1f}" in response.content.decode()


def test_weights_that_do_not_add_up_are_refused_on_the_fields(client, operator):
    client.force_login(operator)
    client.post(reverse("growth:version_draft"))
    draft = ScorecardVersion.objects.get(status="draft")
    form = dict.fromkeys(COMPONENT_CODES, 20) | {"effective_from": "2026-12-01", "note": ""}
    response = client.post(reverse("growth:version_update", args=[draft.pk]), form)
    assert response.status_code == 400
    assert "they must add up to 100%" in str(response.context["version_form"].errors["growth"])
    form |= {"growth": 0}
    response = client.post(reverse("growth:version_update", args=[draft.pk]), form)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.growth, draft.total) == (0, 100)


def test_operators_edit_a_level_and_its_rights(client, operator):
    client.force_login(operator)
    form = {
        "level2-name_zh": "成长",
        "level2-name_en": "Growing",
        "level2-min_score": "40",
        "level2-nomination_quota": "6",
        "level2-placement_quota": "",
        "level2-holding_days_less": "2",
        "level2-review_lane": "on",
    }
    response = client.post(reverse("growth:level", args=[2]), form)
    assert response.status_code == 302
    assert dict(LevelRight.objects.filter(level__number=2).values_list("key", "value")) == {
        "nomination_quota": 6,
        "holding_days_less": 2,
        "review_lane": 1,
    }
    form["level2-min_score"] = "60"  # above level 3's 50
    response = client.post(reverse("growth:level", args=[2]), form)
    assert response.status_code == 400
    assert LevelRight.objects.get(level__number=2, key="nomination_quota").value == 6


def test_operators_score_a_month_from_the_settings(client, operator, organization):
    client.force_login(operator)
    response = client.post(reverse("growth:compute"), {"month": "2026-11-17"})
    assert response.status_code == 302 and "month=2026-11-01" in response["Location"]
    assert Scorecard.objects.get(organization=organization).month == NOV


@pytest.mark.parametrize("role", ["manager", "owner", "member"])
def test_only_operators_post_to_the_settings(client, db, request, role):
    client.force_login(request.getfixturevalue(role))
    for url in (
        reverse("growth:version_draft"),
        reverse("growth:compute"),
        reverse("growth:level", args=[2]),
        reverse("growth:version_publish", args=[1]),
    ):
        assert client.post(url, {"month": "2026-11-01"}).status_code == 403
    assert not Scorecard.objects.exists()


def test_anonymous_posts_go_to_sign_in(client, db):
    response = client.post(reverse("growth:compute"), {"month": "2026-11-01"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Scorecard.objects.exists()
