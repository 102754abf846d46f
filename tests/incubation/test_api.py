"""The incubation API: the reserve pool, nominations, the daily ranking and the top-100 shortlist,
scoped to the caller; nominations decided and the open shortlist edited through the services, the
shortlist's version as its ETag and If-Match refusing stale edits with 412."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from incubation.models import (
    Nomination,
    PoolMember,
    PoolSource,
    PoolStage,
    ScoreSnapshot,
    ScoreWeights,
    Shortlist,
    ShortlistEntry,
    ShortlistExclusion,
)
from incubation.services import (
    nomination_create,
    nomination_decide,
    shortlist_add,
    shortlist_for,
    shortlist_freeze,
    shortlist_publish,
)
from tests.creators.factories import BindingFactory, CreatorFactory

EN = {"Accept-Language": "en"}
DAY = datetime.date(2026, 11, 28)
THIS_YEAR = timezone.localdate().year


def post(client, url, data=None, **headers):
    return client.post(url, data or {}, content_type="application/json", headers={**EN, **headers})


def pool_of(n, category, organization=None):
    """`n` pool members of `category`, bound to `organization` when one is named."""
    creators = [CreatorFactory(primary_category=category) for _ in range(n)]
    PoolMember.objects.bulk_create(
        PoolMember(creator=c, source=PoolSource.NOMINATION) for c in creators
    )
    if organization is not None:
        for creator in creators:
            BindingFactory(creator=creator, organization=organization)
    return creators


def weights(operator):
    return ScoreWeights.objects.get_or_create(
        number=1, defaults={"effective_from": DAY, "status": "published", "created_by": operator}
    )[0]


def score(creators, operator, day=DAY, first_rank=1, **fields):
    """Scores of `day` in the order given, ranked from `first_rank` (as the nightly job would)."""
    version = weights(operator)
    ScoreSnapshot.objects.bulk_create(
        ScoreSnapshot(
            day=day,
            creator=c,
            category_id=c.primary_category_id,
            weights=version,
            score=Decimal(100 - rank) + Decimal("0.125"),
            rank=rank,
            category_rank=rank,
            play_growth=0.5,
            follower_growth=0.25,
            valid_plays_norm=1.0,
            original_share=0.75,
            engagement=0.0,
            gmv=0.5,
            plays=1000 * rank,
            gmv_fen=123_456,
            **fields,
        )
        for rank, c in enumerate(creators, start=first_rank)
    )


def hold_out(creator, operator, day=DAY, reason="open_flag:2"):
    ScoreSnapshot.objects.create(
        day=day,
        creator=creator,
        category_id=creator.primary_category_id,
        weights=weights(operator),
        held_out=True,
        hold_reason=reason,
    )


def publish(operator, shortlist):
    """Freeze the list (its final snapshot) and publish it."""
    shortlist.refresh_from_db()
    shortlist_freeze(actor=operator, shortlist=shortlist, expected_version=shortlist.version)
    return shortlist_publish(actor=operator, shortlist=shortlist)


@pytest.fixture
def mine(organization, beauty):
    """A beauty creator of the owner's organization, not in the pool yet."""
    creator = CreatorFactory(primary_category=beauty, display_name="星河达人")
    BindingFactory(creator=creator, organization=organization)
    return creator


@pytest.fixture
def theirs(other_organization, pets):
    """A pets creator of the other organization, in the pool."""
    return pool_of(1, pets, organization=other_organization)[0]


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- nominations --------------------------------------------------------------------------------


def test_an_organization_nominates_and_a_manager_accepts_through_the_api(
    client, owner, manager, mine
):
    client.force_login(owner)
    created = post(client, "/api/v1/nominations/", {"creator": mine.pk, "case": " Fast growth "})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["creator"], body["case"], body["status"]) == (mine.pk, "Fast growth", "pending")
    assert (body["organization"], body["nominated_by"]) == (
        owner.membership.organization_id,
        owner.pk,
    )
    assert (body["platform_account_id"], body["creator_name"]) == (
        mine.platform_account_id,
        "星河达人",
    )
    assert ids(client.get("/api/v1/nominations/")) == [body["id"]]
    refused = post(client, f"/api/v1/nominations/{body['id']}/accept/")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"

    client.force_login(manager)
    assert ids(client.get("/api/v1/nominations/", {"status": "pending"})) == [body["id"]]
    accepted = post(client, f"/api/v1/nominations/{body['id']}/accept/")
    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["decided_by"]) == ("accepted", manager.pk)
    again = post(client, f"/api/v1/nominations/{body['id']}/accept/")
    assert again.status_code == 400 and again.json()["code"] == "invalid"

    client.force_login(owner)
    members = client.get("/api/v1/reserve-pool/").json()["results"]
    assert [(m["creator"], m["stage"], m["source"]) for m in members] == [
        (mine.pk, "reserve", "nomination")
    ]
    assert members[0]["nomination"] == body["id"] and members[0]["latest_score"] is None
    assert [
        (h["from_stage"], h["to_stage"], h["changed_by"], h["reason"])
        for h in members[0]["history"]
    ] == [(None, "reserve", manager.pk, "Fast growth")]
    detail = client.get(f"/api/v1/reserve-pool/{members[0]['id']}/")
    assert detail.json() == members[0]
    unchanged = client.get(
        f"/api/v1/reserve-pool/{members[0]['id']}/", headers={"If-None-Match": detail["ETag"]}
    )
    assert unchanged.status_code == 304


def test_a_decline_needs_a_reason_and_only_a_pending_nomination_is_withdrawn(
    client, owner, manager, mine
):
    client.force_login(owner)
    blank = post(client, "/api/v1/nominations/", {"creator": mine.pk, "case": "  "})
    assert blank.status_code == 400
    assert blank.json()["errors"] == {
        "case": ["Say in a few words why this creator should be incubated."]
    }
    first = nomination_create(actor=owner, creator=mine, case="Originals")
    client.force_login(manager)
    url = f"/api/v1/nominations/{first.pk}/"
    blank = post(client, url + "decline/", {"reason": " "})
    assert blank.status_code == 400
    assert blank.json()["errors"] == {
        "reason": ["Tell the nominator why the creator was declined."]
    }
    declined = post(client, url + "decline/", {"reason": "Too few originals"})
    assert declined.status_code == 200
    assert (declined.json()["status"], declined.json()["decline_reason"]) == (
        "declined",
        "Too few originals",
    )

    client.force_login(owner)
    assert post(client, url + "withdraw/").json()["errors"] == {
        "non_field_errors": ["Only a nomination under review can be withdrawn."]
    }
    second = nomination_create(actor=owner, creator=mine, case="More originals now")
    withdrawn = post(client, f"/api/v1/nominations/{second.pk}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert list(Nomination.objects.order_by("pk").values_list("status", flat=True)) == [
        "declined",
        "withdrawn",
    ]


@pytest.mark.parametrize("who", ["other_owner", "pets_manager"])
def test_a_creator_the_caller_may_not_see_cannot_be_nominated_and_nominations_stay_hidden(
    client, request, owner, mine, who
):
    nomination = nomination_create(actor=owner, creator=mine, case="Originals")
    client.force_login(request.getfixturevalue(who))
    response = post(client, "/api/v1/nominations/", {"creator": mine.pk, "case": "Mine now"})
    assert response.status_code == 400 and set(response.json()["errors"]) == {"creator"}
    assert ids(client.get("/api/v1/nominations/")) == []
    assert client.get(f"/api/v1/nominations/{nomination.pk}/").status_code == 404
    assert post(client, f"/api/v1/nominations/{nomination.pk}/withdraw/").status_code == 404
    assert Nomination.objects.count() == 1


def test_a_nomination_is_done_once_when_its_request_is_sent_again(client, owner, mine):
    client.force_login(owner)
    data = {"creator": mine.pk, "case": "Fast growth"}
    first = post(client, "/api/v1/nominations/", data, **{"Idempotency-Key": "nominate-1"})
    second = post(client, "/api/v1/nominations/", data, **{"Idempotency-Key": "nominate-1"})
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json() and second.headers["Idempotent-Replayed"] == "true"
    assert Nomination.objects.count() == 1
    other = post(client, "/api/v1/nominations/", data, **{"Idempotency-Key": "nominate-2"})
    assert other.status_code == 400  # a new request: one nomination under review already


# --- the reserve pool ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who,sees",
    [
        ("operator", {"mine", "theirs"}),
        ("manager", {"mine"}),
        ("owner", {"mine"}),
        ("member", {"mine"}),
        ("other_owner", {"theirs"}),
        ("pets_manager", {"theirs"}),
    ],
)
def test_pool_and_rankings_show_each_role_only_its_creators(
    client, request, operator, organization, beauty, theirs, who, sees
):
    creators = {"mine": pool_of(1, beauty, organization=organization)[0], "theirs": theirs}
    score([creators["mine"], theirs], operator)
    expected = {creators[name].pk for name in sees}
    client.force_login(request.getfixturevalue(who))
    members = client.get("/api/v1/reserve-pool/").json()["results"]
    assert {m["creator"] for m in members} == expected
    rows = client.get("/api/v1/rankings/").json()["results"]
    assert {r["creator"] for r in rows} == expected
    hidden = [c for name, c in creators.items() if name not in sees]
    for creator in hidden:
        member = PoolMember.objects.get(creator=creator)
        assert client.get(f"/api/v1/reserve-pool/{member.pk}/").status_code == 404
        row = ScoreSnapshot.objects.get(creator=creator)
        assert client.get(f"/api/v1/rankings/{row.pk}/").status_code == 404


def test_pool_filters_and_the_latest_score(client, operator, beauty, pets, theirs):
    mine = pool_of(2, beauty)
    PoolMember.objects.filter(creator=mine[1]).update(
        stage=PoolStage.INCUBATING, source=PoolSource.ENTRY_RULE
    )
    score([mine[0], mine[1]], operator, day=DAY - datetime.timedelta(days=1))
    score([mine[1], mine[0]], operator)
    client.force_login(operator)

    def creators(**query):
        return sorted(
            m["creator"] for m in client.get("/api/v1/reserve-pool/", query).json()["results"]
        )

    assert creators(stage="incubating") == [mine[1].pk]
    assert creators(stage=["reserve", "incubating"], category=beauty.pk) == sorted(
        c.pk for c in mine
    )
    assert creators(category=pets.pk) == [theirs.pk]
    assert creators(source="entry_rule") == [mine[1].pk]
    bad = client.get("/api/v1/reserve-pool/", {"stage": "top_1000"}, headers=EN)
    assert bad.status_code == 400 and "stage" in bad.json()["errors"]
    member = client.get("/api/v1/reserve-pool/", {"creator": mine[0].pk}).json()["results"][0]
    assert member["latest_score"] == {
        "id": ScoreSnapshot.objects.get(creator=mine[0], day=DAY).pk,
        "day": "2026-11-28",
        "score": "98.125",
        "rank": 2,
        "category_rank": 2,
        "held_out": False,
        "hold_reason": "",
    }


# --- rankings -----------------------------------------------------------------------------------


def test_the_ranking_of_the_latest_day_in_rank_order_with_held_out_members_last(
    client, operator, beauty, pets
):
    creators = pool_of(3, beauty) + pool_of(1, pets)
    score(creators[:3], operator, day=DAY - datetime.timedelta(days=1))
    hold_out(creators[0], operator)
    score([creators[3], creators[2], creators[1]], operator)
    client.force_login(operator)

    rows = client.get("/api/v1/rankings/", headers=EN).json()["results"]
    assert [(r["creator"], r["rank"]) for r in rows] == [
        (creators[3].pk, 1),
        (creators[2].pk, 2),
        (creators[1].pk, 3),
        (creators[0].pk, None),
    ]
    assert {r["day"] for r in rows} == {"2026-11-28"}
    top = rows[0]
    assert (top["score"], top["category_rank"], top["weights_version"]) == ("99.125", 1, 1)
    assert top["category"] == pets.pk and top["display_name"] == creators[3].display_name
    assert top["components"] == {
        "play_growth": 0.5,
        "follower_growth": 0.25,
        "valid_plays": 1.0,
        "original_share": 0.75,
        "engagement": 0.0,
        "gmv": 0.5,
    }
    assert (top["figures"]["plays"], top["figures"]["gmv"]) == (1000, "1234.56")
    lines = top["explanation"]["lines"]
    assert [(line["code"], line["weight"]) for line in lines] == [
        ("play_growth", 20),
        ("follower_growth", 20),
        ("valid_plays", 20),
        ("original_share", 15),
        ("engagement", 10),
        ("gmv", 15),
    ]
    assert (lines[0]["label"], lines[0]["kind"], lines[0]["percentile"]) == (
        "Play growth",
        "count",
        50.0,
    )
    assert (lines[-1]["kind"], lines[-1]["raw"]) == ("money", "1234.56")
    assert all(line["points"] is not None for line in lines)
    assert top["explanation"]["score"] == "99.125"
    held = rows[-1]
    assert (held["held_out"], held["score"], held["components"]["gmv"]) == (True, None, None)
    reason = "Held out: 2 days in the scoring window have an abnormal-play flag still open."
    assert held["hold_reason"] == held["explanation"]["hold_reason"] == reason
    assert {line["points"] for line in held["explanation"]["lines"]} == {None}

    def creators_of(**query):
        return [r["creator"] for r in client.get("/api/v1/rankings/", query).json()["results"]]

    assert creators_of(held_out="true") == [creators[0].pk]
    assert creators_of(category=beauty.pk, held_out="false") == [creators[2].pk, creators[1].pk]
    assert creators_of(day="2026-11-27") == [c.pk for c in creators[:3]]
    assert creators_of(day="2026-11-01") == []
    bad = client.get("/api/v1/rankings/", {"day": "yesterday"}, headers=EN)
    assert bad.status_code == 400 and "day" in bad.json()["errors"]
    detail = client.get(f"/api/v1/rankings/{top['id']}/").json()
    assert detail == top


def test_ranking_pages_keep_rank_order_across_the_cursor(client, operator, beauty):
    creators = pool_of(7, beauty)
    score(creators[:5], operator)
    for creator in creators[5:]:
        hold_out(creator, operator)
    client.force_login(operator)
    seen, url = [], "/api/v1/rankings/?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [r["rank"] for r in page["results"]]
        url = page["next"]
    assert seen == [1, 2, 3, 4, 5, None, None]


# --- the shortlist ------------------------------------------------------------------------------


def test_a_published_shortlist_is_visible_to_everyone_with_its_ranked_rows(
    client, request, operator, beauty, organization, other_owner, owner, pets_manager
):
    shortlist = shortlist_for(2025)
    creators = pool_of(3, beauty, organization=organization)
    score(creators, operator)
    shortlist_add(
        actor=operator, shortlist=shortlist, creator=creators[2], reason="GMV", expected_version=1
    )
    shortlist_add(
        actor=operator, shortlist=shortlist, creator=creators[0], reason="Plays", expected_version=2
    )
    publish(operator, shortlist)
    for who in (owner, other_owner, pets_manager, operator):
        client.force_login(who)
        assert [s["year"] for s in client.get("/api/v1/shortlist/").json()["results"]] == [2025]
        response = client.get("/api/v1/shortlist/2025/")
        assert response.status_code == 200 and response["ETag"] == '"3"'
        body = response.json()
        assert (body["status"], body["version"], body["exclusions"]) == ("published", 3, [])
        assert body["rows"] == [
            {
                "position": 1,
                "creator": creators[0].pk,
                "platform_account_id": creators[0].platform_account_id,
                "display_name": creators[0].display_name,
                "category": beauty.pk,
                "score": "99.125",
                "pinned": True,
                "reason": None,
            },
            {
                "position": 2,
                "creator": creators[2].pk,
                "platform_account_id": creators[2].platform_account_id,
                "display_name": creators[2].display_name,
                "category": beauty.pk,
                "score": "97.125",
                "pinned": True,
                "reason": None,
            },
        ]


@pytest.mark.parametrize("who", ["owner", "member", "other_owner"])
def test_organizations_see_neither_the_open_nor_the_frozen_shortlist(
    client, request, operator, beauty, who
):
    open_list = shortlist_for(THIS_YEAR)
    frozen = shortlist_for(2025)
    shortlist_add(
        actor=operator,
        shortlist=frozen,
        creator=pool_of(1, beauty)[0],
        reason="x",
        expected_version=1,
    )
    shortlist_freeze(actor=operator, shortlist=frozen, expected_version=2)
    client.force_login(request.getfixturevalue(who))
    assert client.get("/api/v1/shortlist/").json()["results"] == []
    for year in (open_list.year, frozen.year):
        response = client.get(f"/api/v1/shortlist/{year}/")
        assert response.status_code == 404 and set(response.json()) >= {"code", "message"}
    refused = post(
        client,
        f"/api/v1/shortlist/{open_list.year}/entries/",
        {"creator": 1},
        **{"If-Match": '"1"'},
    )
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"


@pytest.mark.parametrize("who", ["operator", "manager", "pets_manager"])
def test_staff_see_the_open_list_with_its_version_entries_and_exclusions(
    client, request, operator, manager, beauty, who
):
    shortlist = shortlist_for(THIS_YEAR)
    creators = pool_of(3, beauty)
    score([creators[1], creators[0]], operator)
    shortlist_add(
        actor=manager, shortlist=shortlist, creator=creators[0], reason="Plays", expected_version=1
    )
    shortlist_add(
        actor=manager, shortlist=shortlist, creator=creators[1], reason="GMV", expected_version=2
    )
    shortlist_add(
        actor=manager, shortlist=shortlist, creator=creators[2], reason="New", expected_version=3
    )
    client.force_login(request.getfixturevalue(who))
    assert [
        (s["year"], s["status"], s["version"])
        for s in client.get("/api/v1/shortlist/").json()["results"]
    ] == [(THIS_YEAR, "open", 4)]
    response = client.get(f"/api/v1/shortlist/{THIS_YEAR}/")
    assert response["ETag"] == '"4"'
    rows = response.json()["rows"]
    assert [(r["position"], r["creator"], r["score"], r["reason"]) for r in rows] == [
        (1, creators[1].pk, "99.125", "GMV"),
        (2, creators[0].pk, "98.125", "Plays"),
        (3, creators[2].pk, None, "New"),
    ]


def test_edits_need_the_current_version_in_if_match(client, manager, beauty):
    creators = pool_of(3, beauty)
    url = f"/api/v1/shortlist/{THIS_YEAR}/"
    client.force_login(manager)
    assert client.get(url).status_code == 404  # started by its first edit

    missing = post(client, url + "entries/", {"creator": creators[0].pk, "reason": "Plays"})
    assert missing.status_code == 412
    assert missing.json() == {
        "code": "stale_version",
        "message": "Send the version of the shortlist you saw in the If-Match header, as its "
        "ETag gives it.",
    }
    assert not ShortlistEntry.objects.exists()

    pinned = post(
        client,
        url + "entries/",
        {"creator": creators[0].pk, "reason": "Plays"},
        **{"If-Match": '"1"'},
    )
    assert pinned.status_code == 201, pinned.content
    assert pinned["ETag"] == '"2"' and pinned.json()["version"] == 2
    assert [(r["creator"], r["pinned"]) for r in pinned.json()["rows"]] == [(creators[0].pk, True)]

    stale = post(
        client,
        url + "entries/",
        {"creator": creators[1].pk, "reason": "GMV"},
        **{"If-Match": '"1"'},
    )
    assert stale.status_code == 412
    assert stale.json() == {
        "code": "stale_version",
        "message": "Someone changed the shortlist since you opened it (version 1, now 2). "
        "Reload it and make your change again.",
    }
    for garbled in ("*", 'W/"2"', '"2", "3"', '"2'):
        response = post(
            client,
            url + "entries/",
            {"creator": creators[1].pk, "reason": "GMV"},
            **{"If-Match": garbled},
        )
        assert response.status_code == 412 and response.json()["code"] == "stale_version"
    assert Shortlist.objects.get(year=THIS_YEAR).version == 2

    current = client.get(url)["ETag"]
    excluded = post(
        client,
        url + "exclusions/",
        {"creator": creators[0].pk, "reason": "Contract dispute"},
        **{"If-Match": current},
    )
    assert excluded.status_code == 201 and excluded["ETag"] == '"3"'
    body = excluded.json()
    assert body["rows"] == []
    assert [(e["creator"], e["reason"], e["excluded_by"]) for e in body["exclusions"]] == [
        (creators[0].pk, "Contract dispute", manager.pk)
    ]
    blank = post(
        client,
        url + "entries/",
        {"creator": creators[1].pk, "reason": ""},
        **{"If-Match": '"3"'},
    )
    assert blank.status_code == 400
    assert blank.json()["errors"] == {"reason": ["Say why this creator belongs on the shortlist."]}
    assert Shortlist.objects.get(year=THIS_YEAR).version == 3


def test_edits_of_another_year_or_of_creators_outside_the_callers_fields_are_refused(
    client, manager, operator, beauty, pets
):
    pets_member = pool_of(1, pets)[0]
    client.force_login(manager)
    past = post(
        client,
        "/api/v1/shortlist/2019/entries/",
        {"creator": pets_member.pk, "reason": "x"},
        **{"If-Match": '"1"'},
    )
    assert past.status_code == 404
    outside = post(
        client,
        f"/api/v1/shortlist/{THIS_YEAR}/entries/",
        {"creator": pets_member.pk, "reason": "x"},
        **{"If-Match": '"1"'},
    )
    assert outside.status_code == 400 and set(outside.json()["errors"]) == {"creator"}
    not_in_pool = CreatorFactory(primary_category=beauty)
    refused = post(
        client,
        f"/api/v1/shortlist/{THIS_YEAR}/entries/",
        {"creator": not_in_pool.pk, "reason": "x"},
        **{"If-Match": '"1"'},
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "non_field_errors": ["Only members of the reserve pool can be shortlisted."]
    }


def test_a_frozen_list_no_longer_changes(client, operator, beauty):
    shortlist = shortlist_for(THIS_YEAR)
    creators = pool_of(2, beauty)
    shortlist_add(
        actor=operator, shortlist=shortlist, creator=creators[0], reason="x", expected_version=1
    )
    shortlist_freeze(actor=operator, shortlist=shortlist, expected_version=2)
    client.force_login(operator)
    body = client.get(f"/api/v1/shortlist/{THIS_YEAR}/").json()
    assert body["status"] == "frozen" and [r["creator"] for r in body["rows"]] == [creators[0].pk]
    response = post(
        client,
        f"/api/v1/shortlist/{THIS_YEAR}/entries/",
        {"creator": creators[1].pk, "reason": "x"},
        **{"If-Match": '"2"'},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "non_field_errors": ["The shortlist is frozen and no longer changes."]
    }


def test_the_101st_creator_is_refused_through_the_api(client, operator, beauty):
    shortlist = shortlist_for(THIS_YEAR)
    creators = pool_of(101, beauty)
    ShortlistEntry.objects.bulk_create(
        ShortlistEntry(shortlist=shortlist, slot=n, creator=c, pinned=True)
        for n, c in enumerate(creators[:100], start=1)
    )
    client.force_login(operator)
    response = post(
        client,
        f"/api/v1/shortlist/{THIS_YEAR}/entries/",
        {"creator": creators[100].pk, "reason": "One more"},
        **{"If-Match": '"1"'},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "non_field_errors": [
            "The shortlist already holds 100 creators; remove one before adding another."
        ]
    }
    assert ShortlistEntry.objects.count() == 100
    assert Shortlist.objects.get(pk=shortlist.pk).version == 1


def test_an_edit_sent_again_with_its_key_is_replayed_not_refused_as_stale(client, operator, beauty):
    creators = pool_of(1, beauty)
    client.force_login(operator)
    url = f"/api/v1/shortlist/{THIS_YEAR}/exclusions/"
    data = {"creator": creators[0].pk, "reason": "Dispute"}
    headers = {"If-Match": '"1"', "Idempotency-Key": "exclude-1"}
    first = post(client, url, data, **headers)
    second = post(client, url, data, **headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json() and second.json()["version"] == 2
    assert second.headers["Idempotent-Replayed"] == "true"
    assert ShortlistExclusion.objects.count() == 1
    assert Shortlist.objects.get(year=THIS_YEAR).version == 2
    stale = post(client, url, data, **{"If-Match": '"1"', "Idempotency-Key": "exclude-2"})
    assert stale.status_code == 412


# --- query counts ------------------------------------------------------------------------------


def grow(operator, organization, beauty, n):
    """`n` more pool members of the organization, each nominated, accepted (history), scored on
    two days and pinned to the open list."""
    from tests.accounts.factories import ManagerFactory

    reviewer = ManagerFactory(categories=[beauty])
    owner = organization.memberships.first().user
    shortlist = shortlist_for(THIS_YEAR)
    creators = []
    for _ in range(n):
        creator = CreatorFactory(primary_category=beauty)
        BindingFactory(creator=creator, organization=organization)
        nomination_decide(
            actor=reviewer,
            nomination=nomination_create(actor=owner, creator=creator, case="Growth"),
            accept=True,
        )
        creators.append(creator)
    first = ScoreSnapshot.objects.filter(day=DAY).count() + 1
    score(creators, operator, first_rank=first)
    score(creators, operator, day=DAY - datetime.timedelta(days=1), first_rank=first)
    for creator in creators:
        shortlist.refresh_from_db()
        shortlist_add(
            actor=operator,
            shortlist=shortlist,
            creator=creator,
            reason="x",
            expected_version=shortlist.version,
        )


LIST_URLS = [
    "/api/v1/reserve-pool/",
    "/api/v1/nominations/",
    "/api/v1/rankings/",
    "/api/v1/shortlist/",
    f"/api/v1/shortlist/{THIS_YEAR}/",
    "/api/v1/shortlist/2025/",
]


@pytest.mark.parametrize("who", ["operator", "manager", "owner"])
def test_list_query_counts_do_not_grow_with_rows(
    client, request, operator, organization, owner, beauty, django_assert_max_num_queries, who
):
    grow(operator, organization, beauty, 2)
    published = shortlist_for(2025)
    shortlist_add(
        actor=operator,
        shortlist=published,
        creator=PoolMember.objects.first().creator,
        reason="x",
        expected_version=1,
    )
    publish(operator, published)
    user = request.getfixturevalue(who)
    client.force_login(user)
    urls = [u for u in LIST_URLS if user.is_staff or str(THIS_YEAR) not in u]

    counts = {}
    for url in urls:
        with django_assert_max_num_queries(10) as few:
            assert client.get(url).status_code == 200, url
        counts[url] = len(few.captured_queries)
    grow(operator, organization, beauty, 8)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            response = client.get(url, {"page_size": 500} if url.count("/") == 4 else {})
        assert response.status_code == 200
    assert len(client.get("/api/v1/reserve-pool/").json()["results"]) == 10
    assert len(client.get("/api/v1/rankings/").json()["results"]) == 10
    if user.is_staff:
        assert len(client.get(f"/api/v1/shortlist/{THIS_YEAR}/").json()["rows"]) == 10
