"""The incubation pages: the pool, nominating and reviewing, a member's page, the operators'
settings, the ranking with movers, explanations and held-out creators, the shortlist's 100-slot
grid with stale edits refused, snapshots, and the published list."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from creators.models import DailyMetric
from incubation.models import (
    EntryRule,
    Nomination,
    NominationLimit,
    PoolMember,
    PoolSource,
    PoolStage,
    ScoreSnapshot,
    ScoreWeights,
    Shortlist,
    ShortlistEntry,
    StageChange,
)
from incubation.services import (
    nomination_create,
    shortlist_add,
    shortlist_for,
    shortlist_freeze,
    shortlist_publish,
    shortlist_snapshot_weekly,
)
from tests.creators.factories import BindingFactory, CreatorFactory

TODAY = timezone.localdate
DAY = datetime.date(2026, 11, 28)


# --- local factories (tests/incubation/factories.py is shared; keep these here) ------------------


def bound_creator(organization, category, **fields):
    creator = CreatorFactory(primary_category=category, **fields)
    BindingFactory(creator=creator, organization=organization)
    return creator


def admit(creator, stage=PoolStage.RESERVE):
    member = PoolMember.objects.create(creator=creator, source=PoolSource.NOMINATION, stage=stage)
    StageChange.objects.create(member=member, from_stage="", to_stage=stage, reason="test")
    return member


def weights_v1(operator):
    return ScoreWeights.objects.get_or_create(
        number=1,
        defaults={
            "effective_from": datetime.date(2020, 1, 1),
            "status": "published",
            "created_by": operator,
        },
    )[0]


def score(creators, operator, day=DAY, held_out=()):
    """Snapshots of `day`: the creators ranked in the order given (the first best); those in
    `held_out` held out with an open flag. Components consistent with the ranks."""
    weights = weights_v1(operator)
    ranked = [c for c in creators if c not in held_out]
    n = len(ranked)
    rows = []
    for position, creator in enumerate(ranked, start=1):
        normalized = (n - position) / (n - 1) if n > 1 else 0.0
        rows.append(
            ScoreSnapshot(
                day=day,
                creator=creator,
                category_id=creator.primary_category_id,
                weights=weights,
                plays=1000 * position,
                videos=10,
                original_videos=5,
                play_growth=normalized,
                follower_growth=normalized,
                valid_plays_norm=normalized,
                original_share=normalized,
                engagement=normalized,
                gmv=normalized,
                score=Decimal(round(100 * normalized, 3)),
                rank=position,
                category_rank=position,
            )
        )
    for creator in held_out:
        rows.append(
            ScoreSnapshot(
                day=day,
                creator=creator,
                category_id=creator.primary_category_id,
                weights=weights,
                held_out=True,
                hold_reason="open_flag:2",
            )
        )
    ScoreSnapshot.objects.bulk_create(rows)


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def creator(organization, beauty):
    return bound_creator(organization, beauty, display_name="星河小美")


# --- each page renders for the roles that may see it --------------------------------------------


@pytest.fixture
def scene(operator, manager, owner, organization, beauty, creator):
    """A scored pool member with a nomination, an open shortlist with one pin and a snapshot."""
    nomination = nomination_create(actor=owner, creator=creator, case="Fast-growing originals")
    Nomination.objects.filter(pk=nomination.pk).update(status="accepted")
    member = admit(creator)
    member.nomination = nomination
    member.save()
    score([creator], operator, day=DAY - datetime.timedelta(days=7))
    score([creator], operator)
    EntryRule.objects.create(name="Rising beauty", category=beauty, min_followers=10)
    shortlist = shortlist_for(TODAY().year)
    shortlist_add(
        actor=operator, shortlist=shortlist, creator=creator, reason="Flagship", expected_version=1
    )
    snapshot = shortlist_snapshot_weekly(day=TODAY())
    return {"creator": creator, "member": member, "shortlist": shortlist, "snapshot": snapshot}


PAGES = [
    ("incubation:pool", [], ["operator", "manager", "owner", "member"], "Reserve pool"),
    ("incubation:ranking", [], ["operator", "manager", "owner"], "Overall ranking"),
    ("incubation:nominate", [], ["operator", "manager", "owner"], "Nominate a creator"),
    ("incubation:nominations", [], ["operator", "manager", "owner", "member"], "Nominations"),
    ("incubation:review", [], ["operator", "manager"], "Nomination review"),
    ("incubation:settings", [], ["operator"], "Monthly nomination limit"),
    ("incubation:shortlist", [], ["operator", "manager"], "slots filled"),
]


@pytest.mark.parametrize("name,args,roles,expected", PAGES)
def test_each_page_renders_for_the_roles_that_may_see_it(
    client, request, scene, name, args, roles, expected
):
    for role in roles:
        client.force_login(request.getfixturevalue(role))
        response = client.get(reverse(name, args=args), headers={"Accept-Language": "en"})
        assert response.status_code == 200, role
        assert expected in text(response), role


def test_the_member_and_snapshot_pages_render(client, scene, operator, manager, owner):
    member_url = reverse("incubation:member", args=[scene["creator"].pk])
    for user in (operator, manager, owner):
        client.force_login(user)
        page = text(client.get(member_url, headers={"Accept-Language": "en"}))
        assert "Stage history" in page and "Fast-growing originals" in page
        assert 'class="ts-chart"' in page  # the score trend
    client.force_login(manager)
    page = text(
        client.get(
            reverse("incubation:snapshot", args=[scene["snapshot"].pk]),
            headers={"Accept-Language": "en"},
        )
    )
    assert "Came in" in page and "星河小美" in page


# --- nominating and reviewing through the pages -----------------------------------------------


def test_an_organization_nominates_from_the_creator_page_and_a_manager_accepts(
    client, owner, manager, creator
):
    client.force_login(owner)
    detail = text(client.get(reverse("creators:detail", args=[creator.pk])))
    nominate_url = reverse("incubation:nominate") + f"?creator={creator.pk}"
    assert nominate_url in detail
    assert client.get(nominate_url).status_code == 200
    response = client.post(
        reverse("incubation:nominate"), {"creator": creator.pk, "case": "Twelve originals a week"}
    )
    assert response.url == reverse("incubation:nominations")
    nomination = Nomination.objects.get(creator=creator)
    assert (nomination.status, nomination.organization_id) == (
        "pending",
        owner.membership.organization_id,
    )
    listed = text(client.get(reverse("incubation:nominations"), headers={"Accept-Language": "en"}))
    assert "Twelve originals a week" in listed and "Waiting for review" in listed
    # An organization cannot open the review queue.
    assert client.get(reverse("incubation:review")).status_code == 403

    client.force_login(manager)
    queue = text(client.get(reverse("incubation:review")))
    assert "Twelve originals a week" in queue
    response = client.post(reverse("incubation:nomination_accept", args=[nomination.pk]))
    assert response.url == reverse("incubation:review")
    member = PoolMember.objects.get(creator=creator)
    assert member.stage == "reserve"

    client.force_login(owner)
    listed = text(client.get(reverse("incubation:nominations"), headers={"Accept-Language": "en"}))
    assert "Accepted" in listed
    detail = text(
        client.get(reverse("creators:detail", args=[creator.pk]), headers={"Accept-Language": "en"})
    )
    assert reverse("incubation:member", args=[creator.pk]) in detail
    assert "Nominate for incubation" not in detail


def test_a_manager_nominates_by_account_id_within_the_categories(
    client, manager, pets_manager, creator
):
    client.force_login(pets_manager)
    response = client.post(
        reverse("incubation:nominate"),
        {"account": creator.platform_account_id, "case": "Not my field"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "No creator you may nominate has this account id." in text(response)
    client.force_login(manager)
    response = client.post(
        reverse("incubation:nominate"),
        {"account": creator.platform_account_id, "case": "Seen in coaching"},
    )
    assert response.status_code == 302
    assert Nomination.objects.get(creator=creator).organization is None


def test_a_decline_needs_a_reason_the_nominator_then_reads(client, owner, manager, creator):
    nomination = nomination_create(actor=owner, creator=creator, case="x")
    client.force_login(manager)
    response = client.post(
        reverse("incubation:nomination_decline", args=[nomination.pk]),
        {"reason": " "},
        follow=True,
        headers={"Accept-Language": "en"},
    )
    assert "Tell the nominator why" in text(response)
    nomination.refresh_from_db()
    assert nomination.status == "pending"
    client.post(
        reverse("incubation:nomination_decline", args=[nomination.pk]),
        {"reason": "Too few originals"},
    )
    nomination.refresh_from_db()
    assert nomination.status == "declined"
    client.force_login(owner)
    assert "Too few originals" in text(client.get(reverse("incubation:nominations")))


def test_review_is_limited_to_the_managers_categories(client, owner, pets_manager, creator):
    nomination = nomination_create(actor=owner, creator=creator, case="x")
    client.force_login(pets_manager)
    assert client.get(reverse("incubation:review")).context["page"].paginator.count == 0
    response = client.post(reverse("incubation:nomination_accept", args=[nomination.pk]))
    assert response.status_code == 404
    assert not PoolMember.objects.exists()


def test_the_monthly_limit_message(client, owner, operator, organization, beauty):
    NominationLimit.objects.create(
        effective_from=datetime.date(2020, 1, 1), per_organization=1, created_by=operator
    )
    first, second = bound_creator(organization, beauty), bound_creator(organization, beauty)
    client.force_login(owner)
    page = text(client.get(reverse("incubation:nominate"), headers={"Accept-Language": "en"}))
    assert "1 of 1 left" in page
    client.post(reverse("incubation:nominate"), {"creator": first.pk, "case": "one"})
    response = client.post(
        reverse("incubation:nominate"),
        {"creator": second.pk, "case": "two"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "Your organization has used its 1 nominations for this month" in text(response)
    assert Nomination.objects.count() == 1
    pool = text(client.get(reverse("incubation:pool"), headers={"Accept-Language": "en"}))
    assert "0 of 1 left" in pool
    assert "used every nomination of this month" in pool


def test_nominating_someone_elses_creator_is_refused(client, other_owner, creator):
    client.force_login(other_owner)
    assert client.get(reverse("incubation:nominate") + f"?creator={creator.pk}").status_code == 404
    response = client.post(
        reverse("incubation:nominate"), {"account": creator.platform_account_id, "case": "x"}
    )
    assert response.status_code == 400
    assert not Nomination.objects.exists()


def test_a_manager_moves_a_member_with_a_reason(client, manager, owner, pets_manager, creator):
    admit(creator)
    url = reverse("incubation:member", args=[creator.pk])
    move = reverse("incubation:member_move", args=[creator.pk])
    client.force_login(manager)
    response = client.post(move, {"stage": "incubating", "reason": ""})
    assert response.status_code == 400
    response = client.post(move, {"stage": "incubating", "reason": "Coaching"})
    assert response.url == url
    assert PoolMember.objects.get(creator=creator).stage == "incubating"
    assert "Coaching" in text(client.get(url))
    client.force_login(owner)
    page = text(client.get(url))
    assert "Coaching" in page and 'name="stage"' not in page
    assert client.post(move, {"stage": "exited", "reason": "x"}).status_code == 403
    client.force_login(pets_manager)
    assert client.get(url).status_code == 404


def test_operators_set_the_limit_and_manage_entry_rules(client, operator, manager, beauty):
    client.force_login(operator)
    client.post(
        reverse("incubation:limit_set"),
        {"limit-per_organization": 3, "limit-effective_from": "2026-01-01"},
    )
    assert NominationLimit.objects.get().per_organization == 3
    response = client.post(
        reverse("incubation:rule_add"),
        {
            "rule-name": "Rising beauty",
            "rule-category": beauty.pk,
            "rule-window_days": 30,
            "rule-min_followers": 10000,
            "rule-min_valid_plays": 50000,
            "rule-min_original_videos": 5,
        },
    )
    assert response.status_code == 302
    rule = EntryRule.objects.get()
    assert (rule.name, rule.is_active, rule.min_followers) == ("Rising beauty", True, 10000)
    response = client.post(
        reverse("incubation:rule_add"),
        {
            "rule-name": "Too long",
            "rule-window_days": 400,
            "rule-min_followers": 0,
            "rule-min_valid_plays": 0,
            "rule-min_original_videos": 0,
        },
    )
    assert response.status_code == 400
    client.post(reverse("incubation:rule_deactivate", args=[rule.pk]))
    rule.refresh_from_db()
    assert not rule.is_active
    from portal.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="entry_rule.save").count() == 2
    client.force_login(manager)
    assert client.post(reverse("incubation:rule_deactivate", args=[rule.pk])).status_code == 403


# --- ranking ----------------------------------------------------------------------------------


def test_the_ranking_overall_per_category_with_movers_and_held_out(
    client, operator, owner, organization, beauty, pets
):
    a, b, c = (bound_creator(organization, beauty, display_name=n) for n in ("甲", "乙", "丙"))
    d = CreatorFactory(primary_category=pets, display_name="丁")
    flagged = bound_creator(organization, beauty, display_name="戊")
    for creator in (a, b, c, d, flagged):
        admit(creator)
    score([a, b, c, d], operator, day=DAY - datetime.timedelta(days=7))
    score([c, d, a, b, flagged], operator, held_out=[flagged])
    client.force_login(operator)
    response = client.get(reverse("incubation:ranking"), headers={"Accept-Language": "en"})
    rows = response.context["page"].object_list
    assert [r.creator.display_name for r in rows] == ["丙", "丁", "甲", "乙"]
    assert [(r.position, r.move) for r in rows] == [(1, 2), (2, 2), (3, -2), (4, -2)]
    page = text(response)
    assert "2 days in the scoring window have an abnormal-play flag still open" in page
    assert [m.creator.display_name for m in response.context["movers"]["up"]] == ["丙", "丁"]
    assert [m.creator.display_name for m in response.context["movers"]["down"]] == ["甲", "乙"]
    # per category: the category rank, and the pets creator gone
    response = client.get(reverse("incubation:ranking"), {"category": pets.pk})
    assert [r.creator.display_name for r in response.context["page"].object_list] == ["丁"]
    # an organization sees its own creators only
    client.force_login(owner)
    response = client.get(reverse("incubation:ranking"), {"q": "丙"})
    assert [r.creator.display_name for r in response.context["page"].object_list] == ["丙"]
    response = client.get(reverse("incubation:ranking"))
    assert "丁" not in {r.creator.display_name for r in response.context["page"].object_list}
    # HTMX asks for the results region only
    partial = client.get(reverse("incubation:ranking"), headers={"HX-Request": "true"})
    assert "<html" not in text(partial) and "丙" in text(partial)


def test_a_members_score_is_explained_component_by_component(
    client, operator, owner, organization, beauty
):
    creators = [bound_creator(organization, beauty) for _ in range(3)]
    for creator in creators:
        admit(creator)
    score(creators, operator)
    client.force_login(owner)
    response = client.get(
        reverse("incubation:member", args=[creators[1].pk]), headers={"Accept-Language": "en"}
    )
    components = response.context["components"]
    assert [c["code"] for c in components] == [
        "play_growth",
        "follower_growth",
        "valid_plays",
        "original_share",
        "engagement",
        "gmv",
    ]
    assert sum(c["points"] for c in components) == Decimal("50.000")
    assert "Original-video share" in text(response) and "50.0%" in text(response)


def test_operators_compute_scores_from_the_ranking_page(
    client, operator, manager, organization, beauty
):
    creator = bound_creator(organization, beauty)
    admit(creator)
    weights_v1(operator)
    yesterday = TODAY() - datetime.timedelta(days=1)
    DailyMetric.objects.create(
        creator=creator, date=yesterday, plays=500, counted_valid_plays=400, new_followers=3
    )
    client.force_login(manager)
    page = text(client.get(reverse("incubation:ranking"), headers={"Accept-Language": "en"}))
    assert "Compute scores now" not in page
    assert client.post(reverse("incubation:ranking_compute")).status_code == 403
    client.force_login(operator)
    page = text(client.get(reverse("incubation:ranking"), headers={"Accept-Language": "en"}))
    assert "Compute scores now" in page
    response = client.post(
        reverse("incubation:ranking_compute"),
        follow=True,
        headers={"Accept-Language": "en"},
    )
    assert "Scores computed for" in text(response)
    assert ScoreSnapshot.objects.filter(day=yesterday, creator=creator, rank=1).exists()


def _pages_query_counts(client, url, add_rows, django_assert_max_num_queries, ceiling):
    with django_assert_max_num_queries(ceiling) as few:
        assert client.get(url).status_code == 200
    add_rows()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
        assert response.status_code == 200
    return len(few.captured_queries)


@pytest.mark.parametrize("who", ["operator", "manager", "owner"])
def test_the_ranking_and_pool_queries_do_not_grow_with_rows(
    client, request, operator, organization, beauty, django_assert_max_num_queries, who
):
    def pool(n):
        creators = [bound_creator(organization, beauty) for _ in range(n)]
        for creator in creators:
            admit(creator)
        return creators

    first = pool(3)
    score(first, operator, day=DAY - datetime.timedelta(days=7))
    score(first, operator)
    client.force_login(request.getfixturevalue(who))

    def more():
        ScoreSnapshot.objects.all().delete()
        everyone = first + pool(40)
        score(everyone, operator, day=DAY - datetime.timedelta(days=7))
        score(everyone[::-1], operator, held_out=everyone[:5])

    ranking = _pages_query_counts(
        client, reverse("incubation:ranking"), more, django_assert_max_num_queries, 20
    )
    pool_page = _pages_query_counts(
        client, reverse("incubation:pool"), lambda: pool(30), django_assert_max_num_queries, 20
    )
    member = _pages_query_counts(
        client,
        reverse("incubation:member", args=[first[0].pk]),
        lambda: score(first, operator, day=DAY - datetime.timedelta(days=3)),
        django_assert_max_num_queries,
        20,
    )
    print(f"{who}: ranking {ranking}, pool {pool_page}, member {member} queries")


# --- the shortlist ----------------------------------------------------------------------------


@pytest.fixture
def shortlisted(operator, organization, beauty):
    creators = [bound_creator(organization, beauty, display_name=f"达人{i}") for i in range(3)]
    for creator in creators:
        admit(creator)
    score(creators, operator)
    shortlist = shortlist_for(TODAY().year)
    for version, creator in enumerate(creators[:2], start=1):
        shortlist_add(
            actor=operator,
            shortlist=shortlist,
            creator=creator,
            reason="Flagship",
            expected_version=version,
        )
    shortlist.refresh_from_db()
    return shortlist, creators


def test_the_shortlist_is_drawn_as_100_slots(client, manager, owner, shortlisted):
    client.force_login(manager)
    response = client.get(reverse("incubation:shortlist"), headers={"Accept-Language": "en"})
    page = text(response)
    assert page.count('class="slot slot-') == 100
    assert page.count('class="slot slot-pinned"') == 2
    assert page.count('class="slot slot-empty"') == 98
    assert "2 of 100 slots filled" in page
    assert f'name="expected_version" value="{shortlisted[0].version}"' in page
    client.force_login(owner)
    assert client.get(reverse("incubation:shortlist")).status_code == 403


def test_a_stale_shortlist_edit_is_refused_with_a_message_and_changes_nothing(
    client, manager, operator, shortlisted
):
    shortlist, creators = shortlisted
    seen = shortlist.version
    client.force_login(manager)
    client.post(
        reverse("incubation:shortlist_exclude"),
        {
            "creator": creators[0].pk,
            "reason": "Left the platform",
            "expected_version": seen,
        },
    )
    shortlist.refresh_from_db()
    assert shortlist.version == seen + 1
    # The operator's page was opened before that change.
    client.force_login(operator)
    response = client.post(
        reverse("incubation:shortlist_pin"),
        {
            "account": creators[2].platform_account_id,
            "reason": "Strong autumn",
            "expected_version": seen,
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 409
    assert "Someone changed the shortlist since you opened it" in text(response)
    assert "Reload it and make your change again." in text(response)
    shortlist.refresh_from_db()
    assert shortlist.version == seen + 1
    assert list(
        ShortlistEntry.objects.filter(shortlist=shortlist).values_list("creator", flat=True)
    ) == [creators[1].pk]
    # with the version now on the page the pin goes through
    assert f'name="expected_version" value="{seen + 1}"' in text(response)
    response = client.post(
        reverse("incubation:shortlist_pin"),
        {
            "account": creators[2].platform_account_id,
            "reason": "Strong autumn",
            "expected_version": seen + 1,
        },
    )
    assert response.status_code == 302
    assert ShortlistEntry.objects.filter(shortlist=shortlist).count() == 2


def test_managers_edit_only_their_fields_and_cannot_decide(
    client, pets_manager, operator, shortlisted
):
    shortlist, creators = shortlisted
    client.force_login(pets_manager)
    response = client.post(
        reverse("incubation:shortlist_exclude"),
        {
            "creator": creators[0].pk,
            "reason": "x",
            "expected_version": shortlist.version,
        },
    )
    assert response.status_code == 404
    response = client.post(
        reverse("incubation:shortlist_freeze"),
        {"expected_version": shortlist.version},
    )
    assert response.status_code == 403
    assert ShortlistEntry.objects.filter(shortlist=shortlist).count() == 2


def test_propose_freeze_and_publish_from_the_page(
    client, operator, owner, other_owner, shortlisted
):
    shortlist, _creators = shortlisted
    year = shortlist.year
    published_url = reverse("incubation:published", args=[year])
    client.force_login(owner)
    assert client.get(published_url).status_code == 404
    client.force_login(operator)
    assert client.get(published_url).status_code == 404
    client.post(reverse("incubation:shortlist_propose"), {"expected_version": shortlist.version})
    shortlist.refresh_from_db()
    assert ShortlistEntry.objects.filter(shortlist=shortlist).count() == 3
    client.post(reverse("incubation:shortlist_freeze"), {"expected_version": shortlist.version})
    shortlist.refresh_from_db()
    assert shortlist.status == "frozen"
    assert client.get(published_url).status_code == 404
    client.post(reverse("incubation:shortlist_publish"), {"expected_version": shortlist.version})
    shortlist.refresh_from_db()
    assert shortlist.status == "published"

    client.force_login(owner)
    response = client.get(published_url, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = text(response)
    assert page.count('class="highlight"') == 3
    assert "3 of your organization's creators are on the list" in page
    client.force_login(other_owner)
    page = text(client.get(published_url, headers={"Accept-Language": "en"}))
    assert 'class="highlight"' not in page and "达人0" in page
    assert "None of your organization's creators" in page


def test_weekly_snapshots_show_their_diff(client, operator, shortlisted):
    shortlist, creators = shortlisted
    older = shortlist_snapshot_weekly(day=TODAY() - datetime.timedelta(days=7))
    shortlist_add(
        actor=operator,
        shortlist=shortlist,
        creator=creators[2],
        reason="Late bloomer",
        expected_version=shortlist.version,
    )
    newer = shortlist_snapshot_weekly(day=TODAY())
    client.force_login(operator)
    response = client.get(reverse("incubation:snapshot", args=[newer.pk]))
    assert [row.creator_id for row in response.context["diff"]["in"]] == [creators[2].pk]
    assert response.context["older"] == older
    shortlist_page = text(client.get(reverse("incubation:shortlist")))
    assert reverse("incubation:snapshot", args=[newer.pk]) in shortlist_page


def test_freezing_moves_creators_to_top_100_shown_on_the_pool(client, operator, shortlisted):
    shortlist, _creators = shortlisted
    shortlist_freeze(actor=operator, shortlist=shortlist, expected_version=shortlist.version)
    shortlist_publish(actor=operator, shortlist=Shortlist.objects.get(pk=shortlist.pk))
    client.force_login(operator)
    response = client.get(reverse("incubation:pool"), {"stage": "top_100"})
    assert response.context["page"].paginator.count == 2
    assert reverse("incubation:published", args=[shortlist.year]) in text(response)
