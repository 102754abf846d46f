"""The roster at a million creators (issue #17): a capped count, joined-date sorts that put the
creators without a current binding last, searches read as ids first, and a bounded number of
queries for the page and its HTMX fragment."""

import datetime

import pytest

from creators.models import Creator
from creators.views import roster as roster_view
from portal.core.paging import CappedPaginator, Concatenated
from tests.creators.factories import BindingFactory, CreatorFactory

HX = {"HX-Request": "true"}
EN = {"Accept-Language": "en"}


def names(response):
    return [c.display_name for c in response.context["page"].object_list]


def test_the_count_stops_at_the_pages_offered(client, owner, organization, monkeypatch):
    monkeypatch.setattr(roster_view, "PAGE_SIZE", 2)
    monkeypatch.setattr(roster_view, "MAX_PAGES", 2)
    for n in range(5):
        BindingFactory(organization=organization, creator=CreatorFactory(display_name=f"c{n}"))
    client.force_login(owner)
    response = client.get("/creators/", {"page": 9}, headers=EN)
    paginator = response.context["page"].paginator
    assert paginator.capped and paginator.count == 4 and paginator.num_pages == 2
    assert response.context["page"].number == 2
    html = response.content.decode()
    assert "More than 4 creators" in html and "Page 2 of the first 2" in html
    # Four creators fit the pages: counted exactly.
    Creator.objects.filter(display_name="c4").first().bindings.update(
        ended_on=datetime.date.today()
    )
    response = client.get("/creators/", headers=EN)
    assert not response.context["page"].paginator.capped
    assert "4 creators" in response.content.decode()


def test_the_capped_paginator_counts_a_list_and_a_concatenation(db):
    for n in range(3):
        CreatorFactory(display_name=f"c{n}")
    everyone = Creator.objects.order_by("id")
    assert CappedPaginator(everyone, 1, max_pages=5).count == 3
    assert CappedPaginator(everyone, 1, max_pages=2).capped
    both = Concatenated(everyone.filter(display_name="c2"), everyone.exclude(display_name="c2"))
    assert [c.display_name for c in both[0:3]] == ["c2", "c0", "c1"]
    assert [c.display_name for c in both[1:2]] == ["c0"]
    assert [c.display_name for c in both[2:10]] == ["c1"]
    assert CappedPaginator(both, 2, max_pages=1).capped
    assert CappedPaginator(both, 2, max_pages=2).count == 3


@pytest.mark.parametrize("sort", ["-joined", "joined"])
def test_joined_sorts_put_creators_without_a_binding_last(
    client, operator, organization, sort, monkeypatch
):
    monkeypatch.setattr(roster_view, "PAGE_SIZE", 2)
    days = {"old": 1, "mid": 5, "new": 9}
    for name, day in days.items():
        BindingFactory(
            organization=organization,
            creator=CreatorFactory(display_name=name),
            started_on=datetime.date(2026, 1, day),
        )
    CreatorFactory(display_name="free-a")
    CreatorFactory(display_name="free-b")
    client.force_login(operator)
    pages = [
        name
        for n in (1, 2, 3)
        for name in names(client.get("/creators/", {"sort": sort, "page": n}))
    ]
    bound = ["new", "mid", "old"] if sort == "-joined" else ["old", "mid", "new"]
    assert pages == [*bound, "free-a", "free-b"]
    assert client.get("/creators/", {"sort": sort}).context["page"].paginator.count == 5


def test_equal_values_keep_one_order_across_pages(client, owner, organization, monkeypatch):
    monkeypatch.setattr(roster_view, "PAGE_SIZE", 2)
    for _ in range(5):
        BindingFactory(
            organization=organization,
            creator=CreatorFactory(display_name="same", follower_count=10),
            started_on=datetime.date(2026, 1, 1),
        )
    client.force_login(owner)
    for sort in ("-followers", "-joined", "joined", "name"):
        seen = [
            c.pk
            for n in (1, 2, 3)
            for c in client.get("/creators/", {"sort": sort, "page": n}).context["page"]
        ]
        assert len(set(seen)) == 5, sort


def test_a_search_finds_a_name_part_and_an_exact_account_id(client, operator, organization):
    BindingFactory(organization=organization, creator=CreatorFactory(display_name="小红星美妆"))
    BindingFactory(
        organization=organization,
        creator=CreatorFactory(display_name="别人", platform_account_id="acct-77"),
    )
    CreatorFactory(display_name="别人二", platform_account_id="acct-770")
    client.force_login(operator)
    assert names(client.get("/creators/", {"q": "红星"})) == ["小红星美妆"]
    assert names(client.get("/creators/", {"q": " acct-77 "})) == ["别人"]


def test_a_broad_search_filters_in_the_query(client, operator, organization, monkeypatch):
    from creators import filtersets

    monkeypatch.setattr(filtersets, "SEARCH_IDS", 1)
    for n in range(3):
        BindingFactory(organization=organization, creator=CreatorFactory(display_name=f"星{n}"))
    client.force_login(operator)
    assert sorted(names(client.get("/creators/", {"q": "星", "sort": "name"}))) == [
        "星0",
        "星1",
        "星2",
    ]


@pytest.mark.parametrize("who", ["operator", "owner"])
@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "fragment"])
@pytest.mark.parametrize("query", [{}, {"sort": "-joined"}, {"q": "达人"}, {"sort": "name"}])
def test_page_and_fragment_queries_do_not_grow(
    client, request, organization, django_assert_max_num_queries, who, headers, query
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    BindingFactory(organization=organization, creator=CreatorFactory(display_name="达人0"))
    CreatorFactory(display_name="达人x")
    client.get("/creators/", query, headers=headers)
    # The session, the person (with their membership and organization), a search's ids, the
    # capped count (two for staff sorting by joined date: the bound creators, then the others)
    # and the page; a whole page adds the unread notifications and the category choices.
    with django_assert_max_num_queries(6 if headers else 8) as few:
        response = client.get("/creators/", query, headers=headers)
    assert response.status_code == 200
    tables = {q["sql"].split(" FROM ", 1)[-1].split()[0] for q in few.captured_queries}
    # The membership and organization come joined to the person, not in queries of their own.
    assert not tables & {'"organizations_membership"', '"organizations_organization"'}
    if headers:  # no header or filter form to draw: no notifications counted, no choices read
        assert not tables & {'"core_notification"', '"core_category"'}
    for n in range(30):
        BindingFactory(organization=organization, creator=CreatorFactory(display_name=f"达人{n}"))
        CreatorFactory(display_name=f"达人x{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/creators/", query, headers=headers)
    if headers:
        assert "<html" not in response.content.decode()
