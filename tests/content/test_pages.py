"""The content pages: fragments for HTMX, filters, and query counts that do not grow with rows."""

import datetime

import pytest
from django.urls import reverse

from tests.content.factories import make_videos, row
from tests.creators.factories import BindingFactory

pytestmark = pytest.mark.django_db


def videos_of(organization, count):
    creators = [
        BindingFactory(organization=organization, started_on=datetime.date(2026, 1, 1)).creator
        for _ in range(3)
    ]
    return make_videos(*[row(creators[n % 3], days_ago=1 + n % 20) for n in range(count)])


@pytest.mark.parametrize("count", [5, 40])
def test_the_content_page_reads_a_bounded_number_of_queries(
    client, owner, organization, count, django_assert_max_num_queries
):
    videos_of(organization, count)
    client.force_login(owner)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("content:list"))
    assert response.status_code == 200
    assert response.context["summary"]["total"] == count
    with django_assert_max_num_queries(16):
        assert client.get("/api/v1/videos/").status_code == 200


def test_an_htmx_request_gets_the_results_without_the_layout(client, owner, organization):
    videos_of(organization, 3)
    client.force_login(owner)
    response = client.get(reverse("content:list") + "?grade=none", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<main" not in body and "油皮粉底液横评" in body


def test_filters_narrow_the_list(client, owner, organization):
    videos = videos_of(organization, 4)
    client.force_login(owner)
    url = reverse("content:list") + f"?q={videos[0].video_id}"
    assert list(client.get(url).context["page"].object_list) == [videos[0]]
    assert (
        client.get(reverse("content:list") + "?originality=copy").context["summary"]["total"] == 0
    )


def test_a_manager_sees_the_video_page_with_the_decide_link(client, manager, suspect):
    client.force_login(manager)
    page = client.get(reverse("content:video", args=[suspect["video"].pk]))
    assert reverse("content:review", args=[suspect["review"].pk]) in page.content.decode()
