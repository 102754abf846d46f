"""The rules editor with the program's real size: every creative field with three subsidy levels,
grouped by field, folded until opened, a blank row per field to add a level."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from demo.incentives import BANDS, LEVELS, TIERS
from incentives.models import SubsidyRule
from incentives.services import program_create, rule_version_draft, rule_version_update
from portal.core.models import Category

D = datetime.date


def draft_with_every_field(operator):
    """A draft version with three levels in every active creative field, the demo's tiers and
    bands."""
    program = program_create(
        actor=operator,
        name="内容生态激励计划",
        starts_on=D(2026, 11, 1),
        ends_on=D(2027, 11, 1),
        cash_budget=Decimal(1_000_000_000),
        traffic_budget=Decimal(1_000_000_000),
    )
    version = rule_version_draft(actor=operator, program=program, effective_from=D(2026, 11, 1))
    return rule_version_update(
        actor=operator,
        version=version,
        fields={"note": "首版规则"},
        subsidy_rules=[
            {
                "category": category,
                "level": level,
                "min_original_videos": videos,
                "min_valid_plays": plays,
                "min_followers": followers,
                "amount": Decimal(amount),
            }
            for category in Category.objects.filter(is_active=True)
            for level, videos, plays, followers, amount in LEVELS
        ],
        org_tiers=[
            {"level": level, "min_introduced": n, "amount": Decimal(amount)}
            for level, n, amount in TIERS
        ],
        traffic_bands=[
            {"rank_from": a, "rank_to": b, "coupon": Decimal(coupon)} for a, b, coupon in BANDS
        ],
    )


@pytest.fixture
def draft(operator):
    return draft_with_every_field(operator)


def posted(page) -> dict:
    """What the browser posts for the page as it is (every row's current values)."""
    data = {"effective_from": "2026-11-01", "note": "v2"}
    form = page.context["form"]
    for name in (
        "creator_cap",
        "playback_rate",
        "commission_bp",
        "basic_per_introduced",
        "minimum_payout",
    ):
        data[name] = str(form.initial[name])
    data["traffic_min_original"] = "1"
    for prefix, formset in page.context["formsets"].items():
        management = formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{prefix}-{name}"] = str(management[name].value())
        for i, row in enumerate(formset.forms):
            for name in row.fields:
                if name == "DELETE":
                    continue
                value = row[name].value()
                data[f"{prefix}-{i}-{name}"] = "" if value is None else str(value)
    return data


def group_of(page, code):
    return next(
        g for g in page.context["subsidy_groups"] if g["category"] and g["category"].code == code
    )


def test_levels_are_grouped_by_field_and_folded(client, operator, draft):
    client.force_login(operator)
    page = client.get(reverse("incentives:rules", args=[draft.pk]))
    fields = Category.objects.filter(is_active=True).count()
    groups = page.context["subsidy_groups"]
    assert len(groups) == fields >= 20
    assert all(len(g["saved"]) == 3 and len(g["forms"]) == 4 and not g["open"] for g in groups)
    html = page.content.decode()
    assert html.count('<details class="rule-group"') == fields
    subsidy = html.split('id="subsidy"')[1].split('id="tiers"')[0]
    assert 'name="subsidy-0-category"' in html and "<select" not in subsidy
    beauty = group_of(page, "beauty")
    assert [rule.level for rule in beauty["saved"]] == [1, 2, 3]
    assert beauty["forms"][3]["level"].value() == 4  # the blank row offers the next level
    every = client.get(reverse("incentives:rules", args=[draft.pk]), {"open": "all"})
    assert all(g["open"] for g in every.context["subsidy_groups"])


def test_a_level_is_added_in_its_fields_blank_row_and_untouched_blank_rows_are_ignored(
    client, operator, draft
):
    client.force_login(operator)
    url = reverse("incentives:rules", args=[draft.pk])
    page = client.get(url)
    data = posted(page)
    beauty = group_of(page, "beauty")["forms"][3]
    for name, value in (
        ("min_original_videos", "20"),
        ("min_valid_plays", "1000000"),
        ("min_followers", "500000"),
        ("amount", "30000"),
    ):
        data[beauty[name].html_name] = value
    response = client.post(reverse("incentives:rules_save", args=[draft.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert response["Location"] == f"{url}?open=beauty#subsidy"
    fields = Category.objects.filter(is_active=True).count()
    assert SubsidyRule.objects.filter(version=draft).count() == fields * 3 + 1
    added = SubsidyRule.objects.get(version=draft, category__code="beauty", level=4)
    assert added.amount == Decimal(30000) and added.min_valid_plays == 1_000_000


def test_a_wrong_value_opens_only_its_group_with_the_error(client, operator, draft):
    client.force_login(operator)
    url = reverse("incentives:rules", args=[draft.pk])
    page = client.get(url)
    data = posted(page)
    data[group_of(page, "pets")["forms"][1]["amount"].html_name] = "-5"
    response = client.post(reverse("incentives:rules_save", args=[draft.pk]), data)
    assert response.status_code == 200
    opened = [g["category"].code for g in response.context["subsidy_groups"] if g["open"]]
    assert opened == ["pets"]
    assert SubsidyRule.objects.get(version=draft, category__code="pets", level=2).amount == 3000


def test_a_published_version_reads_as_one_row_per_field(client, operator, draft):
    from incentives.services import rule_version_publish

    rule_version_publish(actor=operator, version=draft)
    client.force_login(operator)
    page = client.get(reverse("incentives:rules", args=[draft.pk]))
    matrix = page.context["subsidy_matrix"]
    assert matrix["levels"] == [1, 2, 3]
    assert len(matrix["rows"]) == Category.objects.filter(is_active=True).count()
    assert "12,000" in page.content.decode()


def test_holding_periods_are_edited_per_kind_and_copied_to_the_next_draft(client, operator, draft):
    from incentives.models import HoldingPeriod
    from incentives.services import rule_version_publish

    client.force_login(operator)
    url = reverse("incentives:rules", args=[draft.pk])
    save = reverse("incentives:rules_save", args=[draft.pk])
    data = posted(client.get(url))
    data.update({"hold-0-kind": "commission", "hold-0-days": "15"})
    response = client.post(save, data)
    assert response.status_code == 302
    assert list(HoldingPeriod.objects.filter(version=draft).values_list("kind", "days")) == [
        ("commission", 15)
    ]
    # A kind twice, or a period over a year, is refused on its row and nothing changes.
    data = posted(client.get(url))
    data.update({"hold-1-kind": "commission", "hold-1-days": "3"})
    refused = client.post(save, data)
    assert refused.status_code == 200
    data = posted(client.get(url))
    data["hold-0-days"] = "400"
    too_long = client.post(save, data)
    assert too_long.status_code == 200 and too_long.context["formsets"]["hold"].errors[0]
    assert HoldingPeriod.objects.get(version=draft).days == 15
    rule_version_publish(actor=operator, version=draft)
    published = client.get(url).content.decode()
    assert "Sales commission" in published and ">15<" in published
    later = rule_version_draft(actor=operator, program=draft.program, effective_from=D(2026, 12, 1))
    assert HoldingPeriod.objects.get(version=later).days == 15
