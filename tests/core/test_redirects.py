"""A `next` parameter is followed only when it stays on the site (issue 13, finding 11), and it is
read in one place only (`portal.core.redirects.safe_next`)."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings

from creators.models import DailyMetric, PlayFlag
from tests.creators.factories import CreatorFactory


@pytest.fixture
def flagged(db):
    return DailyMetric.objects.create(
        creator=CreatorFactory(), date=datetime.date(2026, 11, 3), plays=90_000, flag=PlayFlag.OPEN
    )


def review(client, operator, metric, next_url):
    client.force_login(operator)
    return client.post(
        f"/creators/flags/{metric.pk}/review/",
        {"decision": "confirmed", "note": "", "next": next_url},
    )


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example/phish",
        "https:evil.example",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
    ],
)
def test_the_flag_review_does_not_follow_a_next_to_another_site(
    client, operator, flagged, next_url
):
    response = review(client, operator, flagged, next_url)
    assert response.status_code == 302
    assert response["Location"] == "/creators/flags/"


def test_the_flag_review_returns_to_the_page_it_came_from(client, operator, flagged):
    response = review(client, operator, flagged, "/creators/flags/?flag=open&page=2")
    assert response["Location"] == "/creators/flags/?flag=open&page=2"


def test_the_language_switch_does_not_follow_a_next_to_another_site(client):
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response["Location"]


NEXT_READ = re.compile(r"""(GET|POST|query_params|data)\s*(\.get\(|\[)\s*["']next["']""")


def test_next_is_read_in_one_place():
    base = Path(settings.BASE_DIR)
    readers = [
        str(path.relative_to(base))
        for folder in (
            "portal",
            "organizations",
            "creators",
            "incentives",
            "incubation",
            "partners",
        )
        for path in (base / folder).rglob("*.py")
        if NEXT_READ.search(path.read_text(encoding="utf-8"))
    ]
    assert readers == ["portal/core/redirects.py"]
