"""Ingestion through the API: bulk upsert by id, Idempotency-Key, range checks, scopes."""

import datetime

import pytest
from django.utils import timezone

from content.models import FrameHash, Video, VideoMetric
from tests.content.factories import make_video
from tests.creators.factories import BindingFactory, CreatorFactory

pytestmark = pytest.mark.django_db


def payload(creator, n=3, **extra):
    published = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    return {
        "rows": [
            {
                "video_id": f"vid-{i}",
                "platform_account_id": creator.platform_account_id,
                "category": "beauty",
                "content_type": "review",
                "title": f"口红试色第{i}期",
                "duration_seconds": 95,
                "published_at": published,
                "products": [{"sku_id": "SKU-1", "name": "丝绒口红", "category": "彩妆"}],
                "fingerprint": ["0123456789abcdef", "fedcba9876543210"],
                **extra,
            }
            for i in range(n)
        ]
    }


def test_the_same_batch_twice_changes_nothing_and_a_key_replays(client, operator, organization):
    creator = BindingFactory(
        organization=organization, started_on=datetime.date(2026, 1, 1)
    ).creator
    client.force_login(operator)
    body = payload(creator)
    first = client.post(
        "/api/v1/videos/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert first.status_code == 200 and first.json()["created"] == 3
    state = sorted(Video.objects.values_list("video_id", "organization_id", "title"))
    replay = client.post(
        "/api/v1/videos/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
    again = client.post("/api/v1/videos/", body, content_type="application/json")
    assert again.json()["created"] == 0 and again.json()["updated"] == 3
    assert sorted(Video.objects.values_list("video_id", "organization_id", "title")) == state
    assert FrameHash.objects.count() == 6
    assert all(org == organization.pk for _v, org, _t in state)


def test_the_organization_at_publication_is_kept_after_a_transfer(
    operator, organization, other_organization
):
    binding = BindingFactory(organization=organization, started_on=datetime.date(2026, 1, 1))
    video = make_video(binding.creator, days_ago=3)
    binding.ended_on = timezone.localdate() - datetime.timedelta(days=2)
    binding.save()
    BindingFactory(
        creator=binding.creator, organization=other_organization, started_on=binding.ended_on
    )
    make_video(binding.creator, video_id=video.video_id, days_ago=3, title="改过的标题")
    video.refresh_from_db()
    assert (video.organization_id, video.title) == (organization.pk, "改过的标题")


@pytest.mark.parametrize(
    "field,value",
    [
        ("duration_seconds", 86_401),
        ("duration_seconds", -1),
        ("fingerprint", ["xyz"]),
        ("fingerprint", ["1" * 17]),
        ("published_at", "2999-01-01T00:00:00+08:00"),
    ],
)
def test_bad_rows_are_refused_with_a_field_error(client, operator, field, value):
    client.force_login(operator)
    body = payload(CreatorFactory(), n=1, **{field: value})
    response = client.post("/api/v1/videos/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] and Video.objects.count() == 0


@pytest.mark.parametrize(
    "field,value",
    [
        ("plays", 2**63),
        ("completion_rate", "NaN"),
        ("completion_rate", "1.5"),
        ("gmv", "Infinity"),
        ("gmv", "1e20"),
    ],
)
def test_video_figures_out_of_their_column_are_refused(client, operator, field, value):
    video = make_video(CreatorFactory(), days_ago=3)
    client.force_login(operator)
    row = {
        "video_id": video.video_id,
        "date": str(timezone.localdate()),
        "plays": 10,
        "valid_plays": 5,
        field: value,
    }
    response = client.post(
        "/api/v1/video-metrics/", {"rows": [row]}, content_type="application/json"
    )
    assert response.status_code == 400 and VideoMetric.objects.count() == 0


def test_figures_are_upserted_and_the_totals_follow(client, operator):
    video = make_video(CreatorFactory(), days_ago=3)
    client.force_login(operator)
    day = str(timezone.localdate() - datetime.timedelta(days=1))
    rows = [
        {
            "video_id": video.video_id,
            "date": day,
            "plays": 100,
            "valid_plays": 90,
            "completion_rate": "0.35",
            "gmv": "12.50",
        }
    ]
    for plays in (100, 300):
        rows[0]["plays"] = plays
        response = client.post(
            "/api/v1/video-metrics/", {"rows": rows}, content_type="application/json"
        )
        assert response.json()["written"] == 1
    video.refresh_from_db()
    assert (video.plays, video.valid_plays, str(video.gmv)) == (300, 90, "12.50")
    early = [{**rows[0], "date": str(video.published_on - datetime.timedelta(days=1))}]
    response = client.post(
        "/api/v1/video-metrics/", {"rows": early}, content_type="application/json"
    )
    assert response.json()["errors"] == {"0": "The date is before the video was published."}


def test_a_token_needs_content_write_to_send_and_content_read_to_list(
    client, operator, organization
):
    from tests.partners.factories import issue, partner_application

    creator = BindingFactory(
        organization=organization, started_on=datetime.date(2026, 1, 1)
    ).creator
    reader = issue(operator, partner_application(operator, scopes=["content:read"]))
    writer = issue(
        operator, partner_application(operator, name="内容系统", scopes=["content:write"])
    )
    body = payload(creator, n=1)
    refused = client.post(
        "/api/v1/videos/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {reader}",
    )
    assert refused.status_code == 403
    sent = client.post(
        "/api/v1/videos/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {writer}",
    )
    assert sent.status_code == 200 and sent.json()["created"] == 1
    listed = client.get("/api/v1/videos/", HTTP_AUTHORIZATION=f"Bearer {reader}").json()["results"]
    assert [v["video_id"] for v in listed] == ["vid-0"]
    assert listed[0]["originality"] == "unchecked" and listed[0]["counts_as_original"] is True
