"""The incentives API: programs, cycles, reward lists and statements, scoped to the caller; the
operator's review steps through the services; amounts as decimal strings."""

import datetime
from decimal import Decimal

import pytest

from creators.models import DailyMetric
from incentives.models import LedgerEntry, ListStatus, Pool, Program, ProgramStatus, RewardList
from incentives.services import (
    settlement_approve,
    settlement_compute,
    settlement_publish,
    settlement_submit,
)
from tests.creators.factories import BindingFactory, CreatorFactory
from tests.incentives.test_computation import setup_cycle

EN = {"Accept-Language": "en"}


def active_cycle(operator, organization, beauty):
    cycle, _version = setup_cycle(operator, organization, beauty)
    Program.objects.filter(pk=cycle.program_id).update(status=ProgramStatus.ACTIVE)
    return cycle


@pytest.fixture
def cycle(operator, organization, beauty):
    return active_cycle(operator, organization, beauty)


def bind_with_metrics(organization, day=datetime.date(2026, 11, 3)):
    """A creator of `organization` with a few days of plays and sales in the first cycle."""
    creator = CreatorFactory()
    BindingFactory(creator=creator, organization=organization, started_on=day)
    for n in range(5):
        DailyMetric.objects.create(
            creator=creator,
            date=day + datetime.timedelta(days=n),
            plays=20_000,
            valid_plays=20_000,
            counted_valid_plays=20_000,
            videos_published=1,
            original_videos=1,
            gmv=Decimal("50.00"),
        )
    return creator


def published(operator, cycle):
    reward_list = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    settlement_approve(actor=operator, reward_list=reward_list, revision=reward_list.revision)
    return settlement_publish(actor=operator, reward_list=reward_list)


def post(client, url, data=None, **headers):
    return client.post(url, data or {}, content_type="application/json", headers={**EN, **headers})


# --- the operator's steps ----------------------------------------------------------------------


def test_an_operator_computes_submits_approves_and_publishes_through_the_api(
    client, operator, cycle, django_capture_on_commit_callbacks
):
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        asked = post(client, f"/api/v1/cycles/{cycle.pk}/compute/")
    assert asked.status_code == 202 and asked.json()["computing"] is True
    computed = client.get(f"/api/v1/cycles/{cycle.pk}/", headers=EN)
    assert computed.json()["computing"] is False
    body = computed.json()["reward_list"]
    assert (body["status"], body["revision"], body["line_count"]) == ("draft", 1, 6)
    assert (body["cash_total"], body["traffic_total"]) == ("8124.69", "800.00")
    assert (body["cycle"], body["program"], body["rule_version_number"]) == (
        cycle.pk,
        cycle.program_id,
        1,
    )
    list_url = f"/api/v1/reward-lists/{body['id']}/"

    submitted = post(client, list_url + "submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "in_review"

    approved = post(client, list_url + "approve/", {"revision": body["revision"]})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved" and approved.json()["approved_at"]
    assert LedgerEntry.objects.filter(cycle=cycle).count() == 6

    done = post(client, list_url + "publish/")
    assert done.status_code == 200
    assert done.json()["status"] == "published" and done.json()["published_at"]
    assert client.get(list_url).json() == done.json()


def test_approving_a_stale_revision_is_a_400_with_the_reason(client, operator, cycle):
    reward_list = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    client.force_login(operator)
    response = post(
        client,
        f"/api/v1/reward-lists/{reward_list.pk}/approve/",
        {"revision": reward_list.revision - 1},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == {
        "non_field_errors": [
            "The list was computed again since you opened it; review the new figures."
        ]
    }
    assert not LedgerEntry.objects.exists()
    assert RewardList.objects.get(pk=reward_list.pk).status == ListStatus.IN_REVIEW


def test_refused_steps_and_invalid_bodies_answer_the_house_error_body(client, operator, cycle):
    reward_list = settlement_compute(actor=operator, cycle=cycle)
    client.force_login(operator)
    url = f"/api/v1/reward-lists/{reward_list.pk}/"
    publish = post(client, url + "publish/")
    assert publish.status_code == 400
    assert publish.json()["errors"]["non_field_errors"] == [
        "This reward list is Draft; that step is not possible now."
    ]
    assert post(client, url + "approve/", {}).json()["errors"] == {
        "revision": ["This field is required."]
    }
    post(client, url + "submit/")
    blank = post(client, url + "return/", {"reason": "  "})
    assert blank.status_code == 400 and blank.json()["errors"] == {
        "reason": ["Say what should change."]
    }
    back = post(client, url + "return/", {"reason": "Check playback"})
    assert back.status_code == 200 and back.json()["status"] == "draft"


@pytest.mark.parametrize("who", ["manager", "owner", "member"])
def test_only_operators_may_take_the_steps(client, request, operator, cycle, who):
    reward_list = published(operator, cycle)
    client.force_login(request.getfixturevalue(who))
    for step, data in [
        ("submit/", {}),
        ("approve/", {"revision": reward_list.revision}),
        ("publish/", {}),
        ("return/", {"reason": "x"}),
        ("adjustments/", {}),
    ]:
        response = post(client, f"/api/v1/reward-lists/{reward_list.pk}/{step}", data)
        assert response.status_code == 403, step
        assert response.json()["code"] == "permission_denied"
    assert post(client, f"/api/v1/cycles/{cycle.pk}/compute/").status_code == 403
    assert RewardList.objects.get(pk=reward_list.pk).status == ListStatus.PUBLISHED


def test_an_adjustment_is_a_new_line_through_the_api(client, operator, organization, cycle):
    reward_list = published(operator, cycle)
    client.force_login(operator)
    url = f"/api/v1/reward-lists/{reward_list.pk}/adjustments/"
    missing = post(client, url, {"amount": "0", "reason_code": "other", "note": ""})
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"amount", "note", "creator"}
    response = post(
        client,
        url,
        {
            "amount": "-24.69",
            "reason_code": "metric_correction",
            "note": "GMV of 11 Nov was refunded",
            "organization": organization.pk,
        },
    )
    assert response.status_code == 201
    line = response.json()
    assert (line["kind"], line["pool"], line["amount"]) == ("adjustment", "cash", "-24.69")
    assert line["organization"] == organization.pk and line["reward_list"] == reward_list.pk
    assert Pool.objects.get(program=cycle.program, kind="cash").committed == Decimal("8100.00")
    detail = client.get(f"/api/v1/reward-lists/{reward_list.pk}/").json()
    assert (detail["cash_total"], detail["line_count"]) == ("8100.00", 7)


# --- what each role sees -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "owner", "member", "other_owner", "pets_manager"])
def test_a_list_before_publication_is_invisible_outside_operators(
    client, request, operator, cycle, who
):
    reward_list = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    settlement_approve(actor=operator, reward_list=reward_list, revision=reward_list.revision)
    client.force_login(request.getfixturevalue(who))
    assert client.get("/api/v1/reward-lists/").json()["results"] == []
    assert client.get(f"/api/v1/reward-lists/{reward_list.pk}/").status_code == 404
    lines = client.get(f"/api/v1/reward-lists/{reward_list.pk}/lines/")
    assert lines.status_code == 404 and set(lines.json()) >= {"code", "message"}
    assert client.get("/api/v1/statements/").json()["results"] == []
    cycles = client.get("/api/v1/cycles/").json()["results"]
    assert [c["reward_list"] for c in cycles if c["id"] == cycle.pk] == [None]

    client.force_login(operator)
    seen = client.get(f"/api/v1/cycles/{cycle.pk}/").json()["reward_list"]
    assert (seen["id"], seen["status"]) == (reward_list.pk, "approved")


def test_a_draft_program_is_invisible_outside_operators(client, operator, owner, cycle):
    Program.objects.filter(pk=cycle.program_id).update(status=ProgramStatus.DRAFT)
    client.force_login(owner)
    assert client.get("/api/v1/programs/").json()["results"] == []
    assert client.get("/api/v1/cycles/").json()["results"] == []
    client.force_login(operator)
    assert [p["id"] for p in client.get("/api/v1/programs/").json()["results"]] == [
        cycle.program_id
    ]


@pytest.fixture
def two_organizations_published(operator, organization, other_organization, cycle):
    """A published list with lines of both organizations (and their creators)."""
    bind_with_metrics(other_organization)
    return published(operator, cycle)


def organizations_of(response):
    return {line["organization"] for line in response.json()["results"]}


@pytest.mark.parametrize(
    "who,sees",
    [
        ("operator", {"organization", "other_organization"}),
        ("manager", {"organization"}),
        ("owner", {"organization"}),
        ("member", {"organization"}),
        ("other_owner", {"other_organization"}),
        ("pets_manager", {"other_organization"}),
    ],
)
def test_statements_and_lines_show_only_what_the_role_may_see(
    client, request, two_organizations_published, who, sees
):
    expected = {request.getfixturevalue(name).pk for name in sees}
    reward_list = two_organizations_published
    client.force_login(request.getfixturevalue(who))
    assert organizations_of(client.get("/api/v1/statements/")) == expected
    lines = client.get(f"/api/v1/reward-lists/{reward_list.pk}/lines/")
    assert lines.status_code == 200 and organizations_of(lines) == expected
    assert [r["id"] for r in client.get("/api/v1/reward-lists/").json()["results"]] == [
        reward_list.pk
    ]


def test_an_organization_sees_its_statement_only_once_published(
    client, operator, owner, organization, cycle
):
    reward_list = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    settlement_approve(actor=operator, reward_list=reward_list, revision=reward_list.revision)
    client.force_login(owner)
    assert client.get("/api/v1/statements/").json()["results"] == []
    settlement_publish(actor=operator, reward_list=reward_list)
    lines = client.get("/api/v1/statements/", {"page_size": 100}).json()["results"]
    assert {line["kind"] for line in lines} == {
        "creator_subsidy",
        "playback",
        "commission",
        "traffic",
        "org_basic",
        "org_tier",
    }
    assert {line["organization"] for line in lines} == {organization.pk}
    subsidy = next(line for line in lines if line["kind"] == "creator_subsidy")
    assert (subsidy["amount"], subsidy["rule_version_number"]) == ("2900.00", 1)
    assert subsidy["platform_account_id"] and subsidy["creator_name"]
    playback = next(line for line in lines if line["kind"] == "playback")
    assert (playback["amount"], playback["amount_before_cap"]) == ("100.00", "500.00")
    tier = next(line for line in lines if line["kind"] == "org_tier")
    assert tier["creator"] is None and tier["organization_name"] == organization.legal_name
    detail = client.get(f"/api/v1/statements/{tier['id']}/").json()
    assert detail == tier


def test_statement_and_line_filters(
    client, operator, organization, other_organization, two_organizations_published
):
    reward_list = two_organizations_published
    client.force_login(operator)

    def kinds(url, **query):
        return sorted(
            line["kind"] for line in client.get(url, {"page_size": 100, **query}).json()["results"]
        )

    lines_url = f"/api/v1/reward-lists/{reward_list.pk}/lines/"
    assert kinds(lines_url, kind="org_tier") == ["org_tier", "org_tier"]
    assert kinds(lines_url, kind=["org_basic", "org_tier"], organization=organization.pk) == [
        "org_basic",
        "org_tier",
    ]
    assert kinds(lines_url, pool="traffic") == ["traffic"]
    mine = kinds("/api/v1/statements/", organization=organization.pk)
    assert "org_tier" in mine and len(mine) == 6
    assert kinds("/api/v1/statements/", organization=other_organization.pk)
    assert kinds("/api/v1/statements/", cycle=reward_list.cycle_id, kind="traffic") == ["traffic"]
    assert kinds("/api/v1/statements/", reward_list=reward_list.pk + 1) == []
    bad = client.get("/api/v1/statements/", {"kind": "bonus"}, headers=EN)
    assert bad.status_code == 400 and "kind" in bad.json()["errors"]


def test_reward_list_and_cycle_filters(client, operator, organization, beauty, cycle):
    published(operator, cycle)
    other = active_cycle(operator, organization, beauty)
    settlement_compute(actor=operator, cycle=other)
    client.force_login(operator)

    def ids(url, **query):
        return [row["id"] for row in client.get(url, query).json()["results"]]

    assert len(ids("/api/v1/reward-lists/")) == 2
    assert ids("/api/v1/reward-lists/", status="draft") == [other.reward_list.pk]
    assert ids("/api/v1/reward-lists/", program=cycle.program_id) == [cycle.reward_list.pk]
    assert ids("/api/v1/reward-lists/", cycle=other.pk) == [other.reward_list.pk]
    assert sorted(ids("/api/v1/cycles/", program=other.program_id)) == sorted(
        other.program.cycles.values_list("pk", flat=True)
    )


def test_programs_show_pools_and_cycles_with_amounts_as_decimal_strings(
    client, operator, owner, cycle
):
    published(operator, cycle)
    client.force_login(owner)
    program = client.get(f"/api/v1/programs/{cycle.program_id}/").json()
    assert program["pools"] == {
        "cash": {"budget": "10000000.00", "committed": "8124.69", "remaining": "9991875.31"},
        "traffic": {"budget": "1000000.00", "committed": "800.00", "remaining": "999200.00"},
    }
    assert program["second_approval_above"] == "1000000.00"
    assert [(c["number"], c["starts_on"]) for c in program["cycles"]] == [
        (1, "2026-11-01"),
        (2, "2026-12-01"),
    ]
    first = program["cycles"][0]["reward_list"]
    assert (first["status"], first["cash_total"]) == ("published", "8124.69")
    assert program["cycles"][1]["reward_list"] is None


# --- query counts ------------------------------------------------------------------------------

LIST_URLS = [
    "/api/v1/programs/",
    "/api/v1/cycles/",
    "/api/v1/reward-lists/",
    "/api/v1/statements/",
    "lines",
]


@pytest.mark.parametrize("who", ["operator", "owner", "manager"])
def test_list_query_counts_do_not_grow_with_rows(
    client, request, operator, organization, beauty, django_assert_max_num_queries, who
):
    first = published(operator, active_cycle(operator, organization, beauty))
    client.force_login(request.getfixturevalue(who))

    def url(name):
        return f"/api/v1/reward-lists/{first.pk}/lines/" if name == "lines" else name

    counts = {}
    for name in LIST_URLS:
        with django_assert_max_num_queries(10) as few:
            assert client.get(url(name)).status_code == 200
        counts[name] = len(few.captured_queries)
    for _ in range(3):
        for _creator in range(3):
            bind_with_metrics(organization)
        published(operator, active_cycle(operator, organization, beauty))
    for name in LIST_URLS:
        with django_assert_max_num_queries(counts[name]):
            response = client.get(url(name), {"page_size": 500})
        assert response.status_code == 200
    assert len(client.get("/api/v1/statements/", {"page_size": 500}).json()["results"]) > 30
