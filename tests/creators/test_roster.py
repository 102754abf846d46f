"""The roster page, its exports and bulk actions, and the creators API."""

import datetime
from io import BytesIO

import openpyxl
import pytest
from django.utils import timezone

from creators.introduced import cycle_of
from creators.models import Binding, BindingSource, CreatorStage
from tests.creators.factories import BindingFactory, CreatorFactory
from tests.creators.test_introduced import bound, metric

EN = {"Accept-Language": "en"}


@pytest.fixture
def rosters(organization, other_organization, beauty, pets):
    ours = [
        BindingFactory(
            organization=organization,
            creator=CreatorFactory(display_name="小鱼美妆", follower_count=500, plays_30d=9),
        ),
        BindingFactory(
            organization=organization,
            creator=CreatorFactory(display_name="阿杰数码", follower_count=90_000, plays_30d=1),
        ),
        BindingFactory(
            organization=organization,
            creator=CreatorFactory(
                display_name="Lily", follower_count=7, stage=CreatorStage.RESERVE
            ),
        ),
    ]
    theirs = BindingFactory(
        organization=other_organization,
        creator=CreatorFactory(display_name="宠物小王", primary_category=pets),
    )
    return ours, theirs


def names(response):
    return [c.display_name for c in response.context["page"].object_list]


def test_an_organization_sees_only_its_own_roster(client, owner, rosters):
    client.force_login(owner)
    assert sorted(names(client.get("/creators/"))) == sorted(["小鱼美妆", "阿杰数码", "Lily"])


def test_operators_see_everyone_and_which_organization_holds_them(
    client, operator, rosters, other_organization
):
    client.force_login(operator)
    page = client.get("/creators/", {"q": "宠物"})
    assert names(page) == ["宠物小王"]
    assert page.context["page"].object_list[0].organization_name == other_organization.legal_name


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"sort": "-followers"}, ["阿杰数码", "小鱼美妆", "Lily"]),
        ({"sort": "-plays"}, ["小鱼美妆", "阿杰数码", "Lily"]),
        ({"stage": "reserve"}, ["Lily"]),
        ({"q": "阿杰"}, ["阿杰数码"]),
    ],
)
def test_search_filters_and_sorting(client, owner, rosters, query, expected):
    client.force_login(owner)
    assert names(client.get("/creators/", query)) == expected


def test_search_by_exact_account_id(client, owner, rosters):
    client.force_login(owner)
    account = rosters[0][1].creator.platform_account_id
    assert names(client.get("/creators/", {"q": account})) == ["阿杰数码"]


def test_htmx_returns_the_results_only(client, owner, rosters):
    client.force_login(owner)
    html = client.get("/creators/", {"q": "小鱼"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in html and "小鱼美妆" in html


def test_the_csv_export_follows_the_filter_and_the_scope(client, owner, rosters):
    client.force_login(owner)
    response = client.get("/creators/export.csv", {"sort": "-followers"}, headers=EN)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("platform account id,display name")
    assert [line.split(",")[1] for line in lines[1:]] == ["阿杰数码", "小鱼美妆", "Lily"]
    assert "宠物小王" not in text


def test_the_xlsx_export_opens_in_excel_terms(client, owner, rosters):
    client.force_login(owner)
    response = client.get("/creators/export.xlsx")
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    assert sheet.cell(1, 1).value == "platform account id"  # the owner reads the portal in English
    assert sheet.max_row == 4


def test_bulk_ending_bindings_touches_only_our_creators(client, owner, rosters):
    ours, theirs = rosters
    client.force_login(owner)
    response = client.post(
        "/creators/bulk/end/",
        {
            "reason": "合约到期",
            "creators": [ours[0].creator_id, theirs.creator_id],
        },
    )
    assert response.status_code == 302
    assert Binding.objects.get(pk=ours[0].pk).ended_on is not None
    assert Binding.objects.get(pk=theirs.pk).ended_on is None


def test_plain_members_cannot_bulk_end(client, member, rosters):
    client.force_login(member)
    assert (
        client.post(
            "/creators/bulk/end/",
            {"reason": "x", "creators": [rosters[0][0].creator_id]},
        ).status_code
        == 403
    )


def test_roster_query_count_does_not_grow(
    client, owner, organization, django_assert_max_num_queries
):
    client.force_login(owner)
    BindingFactory(organization=organization)
    # The session, the person (with their membership and organization), the capped count, the
    # page, the unread notifications and the category filter's choices.
    with django_assert_max_num_queries(6) as few:
        client.get("/creators/")
    for _ in range(30):
        BindingFactory(organization=organization)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/creators/")
    with django_assert_max_num_queries(12):
        client.get("/api/v1/creators/")


def test_this_months_recruits_are_marked_introduced_or_in_their_window(client, owner, organization):
    start, _end = cycle_of(timezone.localdate())
    counts = bound(organization, start)
    metric(counts.creator, start, videos=3, plays=100_000)  # the seeded rule's thresholds
    waiting = bound(organization, start)
    transferred = bound(organization, start, source=BindingSource.TRANSFERRED)
    metric(transferred.creator, start, videos=3, plays=100_000)
    earlier = bound(organization, start - datetime.timedelta(days=1))
    metric(earlier.creator, start, videos=3, plays=100_000)
    client.force_login(owner)
    response = client.get("/creators/", headers=EN)
    assert response.context["marks"] == {counts.creator_id: "yes", waiting.creator_id: "pending"}
    html = response.content.decode()
    assert html.count(">Introduced</span>") == 1 and html.count(">In window</span>") == 1


def test_a_page_without_this_months_recruits_asks_nothing_about_them(
    client, owner, organization, django_assert_max_num_queries
):
    start, _end = cycle_of(timezone.localdate())
    bound(organization, start - datetime.timedelta(days=1))
    bound(organization, start, source=BindingSource.TRANSFERRED)
    client.force_login(owner)
    with django_assert_max_num_queries(6) as captured:
        response = client.get("/creators/")
    assert response.context["marks"] == {}
    assert not any("creators_qualificationrule" in q["sql"] for q in captured.captured_queries)


def test_the_creator_page_explains_the_introduced_status(client, owner, rosters):
    client.force_login(owner)
    creator = rosters[0][0].creator
    page = client.get(f"/creators/{creator.pk}/", headers=EN)
    assert page.status_code == 200
    assert page.context["status"] is not None
    assert len(page.context["charts"]) == 3


def test_another_organizations_creator_is_not_found(client, owner, rosters):
    client.force_login(owner)
    assert client.get(f"/creators/{rosters[1].creator_id}/").status_code == 404


def test_an_avatar_upload_is_re_encoded(client, owner, rosters):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (300, 300), "pink").save(out, format="PNG")
    creator = rosters[0][0].creator
    client.force_login(owner)
    response = client.post(
        f"/creators/{creator.pk}/avatar/upload/",
        {"avatar": SimpleUploadedFile("a.png", out.getvalue())},
    )
    assert response.status_code == 302
    creator.refresh_from_db()
    assert creator.avatar.name.endswith(".png")
    assert client.get(f"/creators/{creator.pk}/avatar/").status_code == 200


# --- API ------------------------------------------------------------------------------------------


def test_the_creators_api_is_scoped_and_cursor_paginated(client, owner, rosters):
    client.force_login(owner)
    body = client.get("/api/v1/creators/", {"page_size": 2}).json()
    assert len(body["results"]) == 2 and body["next"]
    assert {row["display_name"] for row in client.get("/api/v1/creators/").json()["results"]} == {
        "小鱼美妆",
        "阿杰数码",
        "Lily",
    }


def test_binding_through_the_api_ignores_fields_it_does_not_read(
    client, owner, organization, other_organization
):
    creator = CreatorFactory(platform_account_id="u555000000001")
    client.force_login(owner)
    response = client.post(
        "/api/v1/bindings/",
        {
            "platform_account_id": "u555000000001",
            "organization": other_organization.pk,
            "ended_on": "2026-01-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    binding = Binding.objects.get(creator=creator)
    assert binding.organization == organization and binding.ended_on is None


def test_ending_a_binding_through_the_api(client, owner, rosters):
    client.force_login(owner)
    binding = rosters[0][0]
    response = client.post(
        f"/api/v1/bindings/{binding.pk}/end/",
        {"reason": "合约到期"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["ended_on"]


def test_metrics_are_sent_in_bulk_by_operators_and_refused_to_organizations(
    client, operator, owner, rosters
):
    account = rosters[0][0].creator.platform_account_id
    rows = [
        {
            "platform_account_id": account,
            "date": f"2026-11-0{d}",
            "plays": 1000,
            "valid_plays": 900,
        }
        for d in range(1, 4)
    ]
    client.force_login(owner)
    assert (
        client.post("/api/v1/metrics/", {"rows": rows}, content_type="application/json").status_code
        == 403
    )
    client.force_login(operator)
    body = client.post(
        "/api/v1/metrics/",
        {"rows": [*rows, {**rows[0], "platform_account_id": "nobody1"}]},
        content_type="application/json",
    ).json()
    assert (body["written"], body["rejected"], list(body["errors"])) == (3, 1, ["3"])
    again = client.post("/api/v1/metrics/", {"rows": rows}, content_type="application/json").json()
    assert again["written"] == 3
    client.force_login(owner)
    seen = client.get("/api/v1/metrics/").json()["results"]
    assert len(seen) == 3


def test_a_batch_with_a_malformed_row_names_the_field(client, operator):
    client.force_login(operator)
    response = client.post(
        "/api/v1/metrics/",
        {"rows": [{"platform_account_id": "x", "date": "nope", "plays": -1}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_an_organization_sees_only_the_days_a_creator_was_with_it(
    client, owner, organization, other_organization, operator
):
    import datetime

    from creators.services import MetricRow, metrics_upsert

    creator = CreatorFactory()
    BindingFactory(
        organization=other_organization,
        creator=creator,
        started_on=datetime.date(2026, 10, 1),
        ended_on=datetime.date(2026, 10, 31),
    )
    BindingFactory(
        organization=organization, creator=creator, started_on=datetime.date(2026, 11, 1)
    )
    metrics_upsert(
        actor=operator,
        rows=[
            MetricRow(creator.platform_account_id, datetime.date(2026, 10, 15), plays=5),
            MetricRow(creator.platform_account_id, datetime.date(2026, 11, 2), plays=7),
        ],
    )
    client.force_login(owner)
    days = {row["date"] for row in client.get("/api/v1/metrics/").json()["results"]}
    assert days == {"2026-11-02"}


def test_staff_read_the_most_watched_creators_first_and_organizations_their_newest(
    client, operator, owner, rosters
):
    client.force_login(operator)
    assert names(client.get("/creators/"))[:2] == ["小鱼美妆", "阿杰数码"]  # 9 and 1 plays
    assert client.get("/creators/").context["filter"].form.cleaned_data["sort"] == ["-plays"]
    client.force_login(owner)
    assert client.get("/creators/").context["filter"].form.cleaned_data["sort"] == ["-joined"]


@pytest.mark.parametrize(
    "language,verified,source",
    [("zh-hans", "是", "新招募"), ("en", "Yes", "Recruited")],
)
def test_the_export_writes_the_readers_words_that_the_import_reads_back(
    client, owner, organization, language, verified, source
):
    """Not `true` and `recruited`: an organization reads the file, and may import it again."""
    from creators.services.imports import (
        ROSTER_COLUMNS,
        _categories,
        parse_roster_row,
    )
    from portal.accounts.models import User
    from portal.core.tabular import read_table

    BindingFactory(
        organization=organization,
        creator=CreatorFactory(display_name="小鱼美妆", real_name_verified=True),
    )
    User.objects.filter(pk=owner.pk).update(language=language)
    client.force_login(owner)
    exported = b"".join(client.get("/creators/export.csv").streaming_content)
    text = exported.decode("utf-8-sig")
    assert f",{verified}," in text and f",{source}," in text
    assert ",True," not in text and ",recruited," not in text

    (_number, values), *_rest = read_table(
        BytesIO(exported), ROSTER_COLUMNS, max_rows=10, max_bytes=10**6
    )
    parsed = parse_roster_row(values, _categories())
    assert parsed["real_name_verified"] is True
    assert parsed["source"] == "recruited"
