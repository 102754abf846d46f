"""Boost factors published for the recommendation system: every graded video whose originality
stands, not only the placed ones, with the rule version that produced the factor."""

import datetime

import pytest
from django.utils import timezone

from content.models import Video
from tests.partners.factories import bearer, issue, partner_application

pytestmark = pytest.mark.django_db
URL = "/api/v1/placements/boosts/"


@pytest.fixture
def recommender(operator):
    app = partner_application(operator, name="推荐系统", scopes=["placements:read"])
    return bearer(issue(operator, app))


def test_every_graded_standing_video_has_its_factor_and_rule(
    client, recommender, rule, make_outfit, creator
):
    s_clear = make_outfit(grade="S")
    a_video = make_outfit(grade="A")
    original = make_outfit(grade="S")
    Video.objects.filter(pk=original.pk).update(originality="original")
    copy = make_outfit(grade="S")
    Video.objects.filter(pk=copy.pk).update(originality="copy")
    ungraded = make_outfit(grade="")
    response = client.get(URL, headers=recommender)
    assert response.status_code == 200
    rows = {row["video_id"]: row for row in response.json()["results"]}
    assert copy.video_id not in rows and ungraded.video_id not in rows
    assert rows[original.video_id]["boost_factor"] == "1.60"  # S × original in the rule
    assert rows[a_video.video_id]["boost_factor"] == "1.00"  # not in the table
    assert rows[s_clear.video_id]["originality"] == Video.objects.get(pk=s_clear.pk).originality
    assert {row["boost_rule"] for row in rows.values()} == {rule.pk}
    assert rows[a_video.video_id]["field"] == "beauty"
    assert rows[a_video.video_id]["creator"] == creator.platform_account_id
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == sorted(ids, reverse=True)  # the cursor's order, newest first


def test_without_a_rule_in_force_every_factor_is_one(client, recommender, make_outfit):
    from placements.models import PlacementRule

    video = make_outfit(grade="S")
    PlacementRule.objects.all().delete()
    [row] = client.get(URL, headers=recommender).json()["results"]
    assert row["video_id"] == video.video_id
    assert row["boost_factor"] == "1.00" and row["boost_rule"] is None


def test_since_lists_the_changed_videos_and_field_narrows(client, recommender, rule, make_outfit):
    old = make_outfit(grade="A")
    long_ago = timezone.now() - datetime.timedelta(days=3)
    Video.objects.filter(pk=old.pk).update(updated_at=long_ago)
    fresh = make_outfit(grade="S")
    since = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    found = client.get(URL, {"since": since}, headers=recommender).json()["results"]
    assert [row["video_id"] for row in found] == [fresh.video_id]
    assert client.get(URL, {"field": "pets"}, headers=recommender).json()["results"] == []
    both = client.get(URL, {"field": "beauty"}, headers=recommender).json()["results"]
    assert len(both) == 2


def test_a_grade_given_later_shows_after_since(client, recommender, rule, make_outfit, operator):
    video = make_outfit(grade="B")
    Video.objects.filter(pk=video.pk).update(updated_at=timezone.now() - datetime.timedelta(days=2))
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert client.get(URL, {"since": since}, headers=recommender).json()["results"] == []
    Video.objects.filter(pk=video.pk).update(grade="S", updated_at=timezone.now())
    [row] = client.get(URL, {"since": since}, headers=recommender).json()["results"]
    assert row["grade"] == "S" and row["boost_factor"] == "1.50"


def test_a_bad_since_is_refused_on_the_parameter(client, recommender):
    response = client.get(URL, {"since": "yesterday"}, headers=recommender)
    assert response.status_code == 400
    assert "since" in response.json()["errors"] or "since" in str(response.json())


def test_etag_cursor_and_constant_queries(
    client, recommender, rule, make_outfit, django_assert_max_num_queries
):
    for _i in range(3):
        make_outfit(grade="S")
    first = client.get(URL, headers=recommender)
    assert (
        client.get(URL, headers={**recommender, "If-None-Match": first["ETag"]}).status_code == 304
    )
    page = client.get(URL, {"page_size": 2}, headers=recommender).json()
    assert len(page["results"]) == 2 and page["next"]
    rest = client.get(page["next"], headers=recommender).json()["results"]
    assert len(rest) == 1
    for _i in range(3):
        make_outfit(grade="A")
    with django_assert_max_num_queries(10):
        assert len(client.get(URL, headers=recommender).json()["results"]) == 6


def test_boosts_need_the_placements_read_scope_and_are_not_for_organizations(
    client, operator, owner
):
    app = partner_application(operator, name="别的", scopes=["content:read"])
    assert client.get(URL, headers=bearer(issue(operator, app))).status_code == 403
    client.force_login(owner)
    assert client.get(URL).status_code == 403
