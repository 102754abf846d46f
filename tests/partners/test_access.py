"""What a partner token sees: each endpoint needs its scope, and `for_partner` shows only the
program's public side (admitted organizations, their creators, bindings and metrics, programs that
run, published reward lists and their lines)."""

import datetime

import pytest

from creators.models import DailyMetric
from organizations.models import OrganizationStatus
from partners.scopes import SCOPE_NAMES
from tests.creators.factories import BindingFactory
from tests.organizations.factories import OrganizationFactory
from tests.partners.factories import READ_SCOPES, bearer, issue, partner_application


@pytest.fixture
def world(operator, organization, beauty):
    """The beauty organization (approved) with a creator and a published list; a suspended one;
    an application under review with its own creator; a draft program."""
    from incentives.models import ProgramStatus
    from incentives.services import (
        program_create,
        program_set_status,
        settlement_approve,
        settlement_compute,
        settlement_publish,
        settlement_submit,
    )
    from tests.incentives.test_computation import setup_cycle

    cycle, _version = setup_cycle(operator, organization, beauty)
    program_set_status(actor=operator, program=cycle.program, status=ProgramStatus.ACTIVE)
    published = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    settlement_approve(actor=operator, reward_list=published, revision=published.revision)
    settlement_publish(actor=operator, reward_list=published)
    draft_list = settlement_compute(
        actor=operator, cycle=cycle.program.cycles.get(starts_on=datetime.date(2026, 12, 1))
    )
    draft_program = program_create(
        actor=operator,
        name="draft",
        starts_on=datetime.date(2027, 1, 1),
        ends_on=datetime.date(2027, 3, 1),
        cash_budget=1000,
        traffic_budget=1000,
    )

    suspended = OrganizationFactory(status=OrganizationStatus.SUSPENDED, categories=[beauty])
    in_review = OrganizationFactory(status=OrganizationStatus.UNDER_REVIEW, categories=[beauty])
    hidden = BindingFactory(organization=in_review)
    DailyMetric.objects.create(creator=hidden.creator, date=datetime.date(2026, 11, 3), plays=5)
    return {
        "organization": organization,
        "suspended": suspended,
        "in_review": in_review,
        "hidden_creator": hidden.creator,
        "published": published,
        "draft_list": draft_list,
        "program": cycle.program,
        "draft_program": draft_program,
    }


ENDPOINTS = {
    # path: the scope a token needs
    "/api/v1/organizations/": "organizations:read",
    "/api/v1/creators/": "creators:read",
    "/api/v1/bindings/": "bindings:read",
    "/api/v1/metrics/": "metrics:read",
    "/api/v1/programs/": "programs:read",
    "/api/v1/cycles/": "programs:read",
    "/api/v1/reward-lists/": "reward-lists:read",
    "/api/v1/statements/": "reward-lists:read",
    "/api/v1/categories/": "categories:read",
}


@pytest.mark.parametrize("path", list(ENDPOINTS))
def test_each_endpoint_needs_its_scope_and_no_other(client, operator, path):
    scope = ENDPOINTS[path]
    with_it = issue(operator, partner_application(operator, name="with", scopes=[scope]))
    others = [s for s in SCOPE_NAMES if s != scope]
    without = issue(operator, partner_application(operator, name="without", scopes=others))
    assert client.get(path, headers=bearer(with_it)).status_code == 200
    refused = client.get(path, headers=bearer(without))
    assert refused.status_code == 403
    assert refused.json()["message"] == f"This token needs the scope {scope}."


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_a_partner_sees_only_the_public_side_of_the_program(client, operator, world):
    raw = issue(operator, partner_application(operator, scopes=READ_SCOPES))

    def get(path):
        return client.get(path, headers=bearer(raw))

    organizations = ids(get("/api/v1/organizations/"))
    assert organizations == {world["organization"].pk, world["suspended"].pk}
    creators = ids(get("/api/v1/creators/"))
    assert creators and world["hidden_creator"].pk not in creators
    bindings = client.get("/api/v1/bindings/", headers=bearer(raw)).json()["results"]
    assert {b["organization"] for b in bindings} == {world["organization"].pk}
    metrics = get("/api/v1/metrics/").json()["results"]
    assert metrics and world["hidden_creator"].pk not in {m["creator"] for m in metrics}
    assert ids(get("/api/v1/programs/")) == {world["program"].pk}
    assert ids(get("/api/v1/reward-lists/")) == {world["published"].pk}
    lines = get(f"/api/v1/reward-lists/{world['published'].pk}/lines/").json()["results"]
    assert lines
    statements = get("/api/v1/statements/").json()["results"]
    assert {line["id"] for line in statements} == {line["id"] for line in lines}

    # What it may not see does not exist for it.
    for path in (
        f"/api/v1/organizations/{world['in_review'].pk}/",
        f"/api/v1/creators/{world['hidden_creator'].pk}/",
        f"/api/v1/reward-lists/{world['draft_list'].pk}/",
        f"/api/v1/reward-lists/{world['draft_list'].pk}/lines/",
        f"/api/v1/programs/{world['draft_program'].pk}/",
    ):
        assert get(path).status_code == 404, path


def test_a_partner_cannot_act_as_staff_even_with_a_scope(client, operator, world):
    raw = issue(operator, partner_application(operator, scopes=SCOPE_NAMES))
    headers = {**bearer(raw), "Idempotency-Key": "k1"}
    # Operator actions need write scopes that are never granted to partners.
    decision = client.post(
        f"/api/v1/organizations/{world['organization'].pk}/decisions/",
        {"transition": "suspend", "reason": "x"},
        content_type="application/json",
        headers=headers,
    )
    assert decision.status_code == 403
    assert decision.json()["code"] == "insufficient_scope"
    compute = client.post(f"/api/v1/cycles/{world['published'].cycle_id}/compute/", headers=headers)
    assert compute.status_code == 403


def test_partners_see_no_people_and_no_applications(operator, world):
    from portal.accounts.models import User

    application = partner_application(operator, scopes=SCOPE_NAMES)
    account = application.account
    assert not User.objects.for_user(account).exists()
    from partners.models import PartnerApplication, PartnerToken

    assert not PartnerApplication.objects.for_user(account).exists()
    assert not PartnerToken.objects.for_user(account).exists()


def test_the_models_open_to_partners_are_exactly_these():
    """Opening a model to partners is a decision: this list changes with `partners/visibility.py`."""
    from portal.core.scoping import partner_visible_models

    assert partner_visible_models() == [
        "content.Video",
        "content.VideoMetric",
        "core.Category",
        "creators.Binding",
        "creators.Creator",
        "creators.DailyMetric",
        "incentives.Cycle",
        "incentives.Program",
        "incentives.RewardLine",
        "incentives.RewardList",
        "organizations.Organization",
        "placements.Coupon",
        "placements.Placement",
    ]


def test_the_pages_render_in_chinese(client, operator):
    from django.urls import reverse

    application = partner_application(operator)
    operator.language = "zh-hans"
    operator.save(update_fields=["language"])
    client.force_login(operator)

    for url in (reverse("partners:list"), reverse("partners:detail", args=[application.pk])):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Language"] == "zh-hans"
