"""The incentive pages: programs, rules with the simulator, a list from review to payment,
statements and the special incentive list."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incentives.models import (
    Cycle,
    LedgerEntry,
    ListStatus,
    PaymentStatus,
    Program,
    RewardList,
    RuleVersion,
    SubsidyRule,
)
from incentives.services import (
    settlement_approve,
    settlement_compute,
    settlement_publish,
    settlement_submit,
)
from portal.audit.models import AuditEntry
from tests.incentives.test_computation import setup_cycle


@pytest.fixture
def cycle(operator, organization, beauty):
    cycle, _version = setup_cycle(operator, organization, beauty)
    return cycle


def published(operator, cycle):
    reward_list = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    settlement_approve(actor=operator, reward_list=reward_list, revision=reward_list.revision)
    return settlement_publish(actor=operator, reward_list=reward_list)


def test_an_operator_creates_a_program_with_its_pools_and_cycles(client, operator):
    client.force_login(operator)
    response = client.post(
        reverse("incentives:index"),
        {
            "name": "2027 content ecosystem",
            "description": "",
            "starts_on": "2027-01-01",
            "ends_on": "2028-01-01",
            "cycle_months": 1,
            "second_approval_above": "1000000",
            "cash_budget": "1000000000",
            "traffic_budget": "1000000000",
        },
    )
    program = Program.objects.get(name="2027 content ecosystem")
    assert response.url == reverse("incentives:program", args=[program.pk])
    assert program.cycles.count() == 12
    assert program.pools.get(kind="cash").budget == Decimal(1_000_000_000)


def test_a_program_with_bad_dates_shows_the_error_on_the_form(client, operator):
    client.force_login(operator)
    response = client.post(
        reverse("incentives:index"),
        {
            "name": "x",
            "starts_on": "2027-02-01",
            "ends_on": "2027-01-01",
            "cycle_months": 1,
            "second_approval_above": "1",
            "cash_budget": "-5",
            "traffic_budget": "1",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Program.objects.filter(name="x").exists()


def test_the_program_page_draws_the_burn_and_asks_for_a_computation(
    client, operator, cycle, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: datetime.date(2026, 11, 15))
    client.force_login(operator)
    url = reverse("incentives:program", args=[cycle.program_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("incentives:cycle_compute", args=[cycle.program_id, cycle.pk])
        )
    assert response.status_code == 302
    page = client.get(url)
    assert page.status_code == 200
    reward_list = RewardList.objects.get(cycle=cycle)
    assert reward_list.line_count == 6
    assert not Cycle.objects.get(pk=cycle.pk).computing
    assert b"plan-mark" in page.content
    cash = next(pool for pool in page.context["pools"] if pool.kind == "cash")
    # Burn up to the current cycle (November); the plan spreads the budget over both cycles.
    assert [row.cycle.number for row in cash.burn_rows] == [1]
    assert cash.burn_rows[0].plan == cash.budget / 2


def test_a_second_request_while_computing_queues_nothing(client, operator, cycle):
    client.force_login(operator)
    url = reverse("incentives:program", args=[cycle.program_id])
    client.post(reverse("incentives:cycle_compute", args=[cycle.program_id, cycle.pk]))
    client.post(reverse("incentives:cycle_compute", args=[cycle.program_id, cycle.pk]))
    assert Cycle.objects.get(pk=cycle.pk).computing
    assert AuditEntry.objects.filter(action="settlement.request").count() == 1
    page = client.get(url)
    assert b'hx-trigger="every 2s"' in page.content


def test_a_draft_version_is_edited_simulated_and_published(client, operator, cycle, beauty):
    client.force_login(operator)
    program = cycle.program
    client.post(
        reverse("incentives:rules_draft", args=[program.pk]),
        {"effective_from": "2026-12-01"},
    )
    draft = RuleVersion.objects.get(program=program, number=2)
    url = reverse("incentives:rules", args=[draft.pk])
    page = client.get(url)
    formsets = page.context["formsets"]
    data = {
        "effective_from": "2026-12-01",
        "note": "Higher level 2",
        "creator_cap": "3000",
        "playback_rate": "0.50",
        "commission_bp": "200",
        "basic_per_introduced": "100",
        "traffic_min_original": "1",
    }
    for prefix, formset in formsets.items():
        data[f"{prefix}-TOTAL_FORMS"] = str(len(formset.forms))
        data[f"{prefix}-INITIAL_FORMS"] = str(formset.initial_form_count())
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for i, form in enumerate(formset.forms):
            for name in form.fields:
                value = form.initial.get(name, "")
                if name == "id":
                    value = form.instance.pk or ""
                elif hasattr(value, "pk"):
                    value = value.pk
                if value is None or name == "DELETE":
                    value = ""
                data[f"{prefix}-{i}-{name}"] = value
    level_two = next(
        i for i, form in enumerate(formsets["subsidy"].forms) if form.initial.get("level") == 2
    )
    data[f"subsidy-{level_two}-amount"] = "2950"
    response = client.post(reverse("incentives:rules_save", args=[draft.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert SubsidyRule.objects.get(version=draft, level=2).amount == Decimal(2950)
    assert SubsidyRule.objects.filter(version=draft).count() == 2

    simulated = client.get(url, {"simulate": cycle.pk})
    kinds = dict((row["label"], row) for row in simulated.context["sim_tables"][0][1])
    subsidy = kinds["Creator subsidy"]
    assert (subsidy["new"], subsidy["old"]) == (Decimal(2950), Decimal(2900))
    assert not RewardList.objects.exists() and Cycle.objects.filter(number=32767).count() == 0

    client.post(reverse("incentives:rules_publish", args=[draft.pk]))
    assert RuleVersion.objects.get(pk=draft.pk).status == "published"
    data["note"] = "changed after publication"
    client.post(url, data)
    assert RuleVersion.objects.get(pk=draft.pk).note == "Higher level 2"


def test_an_operator_takes_a_list_from_review_to_paid(client, operator, cycle):
    client.force_login(operator)
    reward_list = settlement_compute(actor=operator, cycle=cycle)
    url = reverse("incentives:list", args=[reward_list.pk])
    page = client.get(url)
    assert page.status_code == 200 and len(page.context["page"].object_list) == 6
    assert all(line.explanation for line in page.context["page"].object_list)
    client.post(reverse("incentives:list_submit", args=[reward_list.pk]))
    client.post(
        reverse("incentives:list_approve", args=[reward_list.pk]),
        {"revision": reward_list.revision},
    )
    client.post(reverse("incentives:list_publish", args=[reward_list.pk]))
    assert RewardList.objects.get(pk=reward_list.pk).status == ListStatus.PUBLISHED
    export = client.post(
        reverse("incentives:list_export", args=[reward_list.pk]), {"format": "csv"}
    )
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    header, *rows = text.strip().splitlines()
    assert header.split(",")[0] in ("编号", "entry") and len(rows) == 6
    result = "编号,金额,结果,流水号\n" + "".join(
        f"{row.split(',')[0]},{row.split(',')[7]},已支付,BANK-{n}\n" for n, row in enumerate(rows)
    )
    client.post(
        reverse("incentives:list_result", args=[reward_list.pk]),
        {"file": SimpleUploadedFile("r.csv", result.encode("utf-8"))},
    )
    assert RewardList.objects.get(pk=reward_list.pk).status == ListStatus.PAID
    assert LedgerEntry.objects.filter(payment_status=PaymentStatus.PAID).count() == 6


def test_an_organization_reads_its_statement_and_the_special_list(client, operator, owner, cycle):
    reward_list = published(operator, cycle)
    client.force_login(owner)
    index = client.get(reverse("incentives:index"))
    assert list(index.context["lists"]) == [reward_list]
    statement = client.get(reverse("incentives:statement", args=[reward_list.pk]))
    lines = statement.context["page"].object_list
    assert len(lines) == 6
    playback = next(line for line in lines if line.kind == "playback")
    assert any("3,000.00" in sentence for sentence in playback.explanation)
    assert statement.context["totals"]["own"] == Decimal(5100)
    special = client.get(reverse("incentives:special", args=[reward_list.pk]))
    assert special.context["own_row"].rank == 1
    assert client.get(reverse("incentives:list", args=[reward_list.pk])).status_code == 403


def test_a_draft_list_is_invisible_to_organizations(client, operator, owner, cycle):
    reward_list = settlement_compute(actor=operator, cycle=cycle)
    client.force_login(owner)
    assert client.get(reverse("incentives:statement", args=[reward_list.pk])).status_code == 404
    assert client.get(reverse("incentives:special", args=[reward_list.pk])).status_code == 404


def test_another_organization_sees_no_line_of_ours(client, operator, cycle, other_owner):
    reward_list = published(operator, cycle)
    client.force_login(other_owner)
    page = client.get(reverse("incentives:statement", args=[reward_list.pk]))
    assert page.context["organization"] is not None
    assert len(page.context["page"].object_list) == 0


def test_statement_explanations_in_chinese(client, operator, owner, cycle):
    reward_list = published(operator, cycle)
    owner.language = "zh-hans"
    owner.save()
    client.force_login(owner)
    page = client.get(
        reverse("incentives:statement", args=[reward_list.pk]),
        {"kind": "org_tier"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    (line,) = page.context["page"].object_list
    assert "一次性" in " ".join(line.explanation)


def test_page_queries_do_not_grow_with_lines(
    client, operator, cycle, django_assert_max_num_queries
):
    reward_list = settlement_compute(actor=operator, cycle=cycle)
    client.force_login(operator)
    with django_assert_max_num_queries(25):
        client.get(reverse("incentives:list", args=[reward_list.pk]))
    with django_assert_max_num_queries(25):
        client.get(reverse("incentives:program", args=[cycle.program_id]))


def test_the_organization_dashboard_shows_the_pace_to_the_next_tier(
    client, operator, owner, cycle, monkeypatch
):
    from incentives.models import OrgTier
    from incentives.services import program_set_status

    version = cycle.program.rule_versions.get()
    OrgTier.objects.create(version=version, level=2, min_introduced=5, amount=Decimal(20000))
    program_set_status(actor=operator, program=cycle.program, status="active")
    client.force_login(owner)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: datetime.date(2026, 11, 24))
    page = client.get(reverse("core:dashboard"))
    progress = page.context["tier_progress"]
    assert (progress.introduced, progress.current.level, progress.next.level) == (1, 1, 2)
    assert progress.days_left == 7 and progress.per_week_needed == Decimal("4.0")
    assert b"tier-track" in page.content
    client.force_login(operator)
    coaching = client.get(reverse("coaching:organization", args=[owner.membership.organization_id]))
    assert coaching.context["tier_progress"].per_week_needed == Decimal("4.0")
