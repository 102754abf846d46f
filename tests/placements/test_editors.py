"""The operators' editors: surfaces, inventory and placement-rule versions as data, each change
through its service (role, audit, transaction), bad input refused on its field in both languages."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from content.models import ContentType
from placements.models import BoostFactor, GradeGrant, InventoryRule, PlacementRule, Surface
from portal.audit.models import AuditEntry


def rule_post(program, day, **changes) -> dict:
    data = {
        "effective_from": day.isoformat(),
        "program": program.pk,
        "rate_per_thousand": "3.20",
        "monthly_quota": "4",
        "grant_S": "30000",
        "grant_A": "",
        "grant_B": "0",
        "grant_C": "",
        "boost_S_original": "1.80",
        "boost_A_clear": "1.10",
        "boost_C_suspected": "0.50",
        "note": "Higher rate for the spring campaign",
    }
    return data | changes


def test_the_rules_page_lists_versions_and_starts_from_the_one_in_force(
    client, operator, rule, today
):
    client.force_login(operator)
    page = client.get(reverse("placements:rules")).content.decode()
    assert f"Version {rule.pk}, from {rule.effective_from:%Y-%m-%d}" in page
    assert "in force" in page
    assert 'name="boost_S_original" value="1.60"' in page  # the form starts from it
    assert 'name="grant_S" value="20000"' in page


def test_an_operator_adds_a_version_with_its_tables(client, operator, rule, program, today):
    client.force_login(operator)
    day = today + datetime.timedelta(days=3)
    response = client.post(reverse("placements:rule_add"), rule_post(program, day))
    assert response.status_code == 302
    new = PlacementRule.objects.get(effective_from=day)
    assert new.rate_per_thousand == Decimal("3.20") and new.monthly_quota == 4
    assert dict(GradeGrant.objects.filter(rule=new).values_list("grade", "impressions")) == {
        "S": 30000
    }
    assert {(b.grade, b.originality): b.factor for b in BoostFactor.objects.filter(rule=new)} == {
        ("S", "original"): Decimal("1.80"),
        ("A", "clear"): Decimal("1.10"),
        ("C", "suspected"): Decimal("0.50"),
    }
    entry = AuditEntry.objects.get(action="placements.rule", object_id=str(new.pk))
    assert entry.actor == operator
    page = client.get(reverse("placements:rules")).content.decode()
    assert "to come" in page  # the new version, beside the one still in force


@pytest.mark.parametrize(
    ("field", "value", "english", "chinese"),
    [
        ("rate_per_thousand", "NaN", "Enter a number.", "输入一个数字"),
        ("rate_per_thousand", "Infinity", "Enter a number.", "输入一个数字"),
        ("rate_per_thousand", "0", "greater than or equal to 0.01", "大于或等于0.01"),
        ("rate_per_thousand", "1e30", "no more than 8 digits", "不超过 8 个数字"),
        ("monthly_quota", "99999999999999999999", "less than or equal to 1000", "小于或等于1000"),
        ("grant_S", "-1", "greater than or equal to 0", "大于或等于0"),
        ("grant_A", "100000001", "less than or equal to 100000000", "小于或等于100000000"),
        ("boost_S_original", "10.01", "less than or equal to 10", "小于或等于10"),
        ("boost_B_clear", "nan", "Enter a number.", "输入一个数字"),
        ("boost_A_clear", "1.234", "no more than 2 decimal places", "小数不超过 2 位"),
    ],
)
def test_bad_numbers_are_refused_on_their_field_and_nothing_is_written(
    client, operator, rule, program, today, field, value, english, chinese
):
    client.force_login(operator)
    day = today + datetime.timedelta(days=3)
    before = PlacementRule.objects.count()
    response = client.post(
        reverse("placements:rule_add"), rule_post(program, day, **{field: value})
    )
    assert response.status_code == 400
    assert english in " ".join(response.context["form"].errors[field])
    operator.language = "zh-hans"
    operator.save(update_fields=["language"])
    response = client.post(
        reverse("placements:rule_add"),
        rule_post(program, day, **{field: value}),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert chinese in response.content.decode()  # on the page, in Chinese
    assert PlacementRule.objects.count() == before
    assert (
        not AuditEntry.objects.filter(action="placements.rule", object_id__gt="")
        .exclude(object_id=str(rule.pk))
        .exists()
    )


def test_a_version_before_today_or_on_a_taken_day_is_refused(
    client, operator, rule, program, today
):
    client.force_login(operator)
    yesterday = today - datetime.timedelta(days=1)
    response = client.post(reverse("placements:rule_add"), rule_post(program, yesterday))
    assert response.status_code == 400
    assert "today or later" in " ".join(response.context["form"].errors["effective_from"])
    day = today + datetime.timedelta(days=5)
    assert client.post(reverse("placements:rule_add"), rule_post(program, day)).status_code == 302
    response = client.post(reverse("placements:rule_add"), rule_post(program, day))
    assert response.status_code == 400
    assert "already starts on that day" in " ".join(
        response.context["form"].errors["effective_from"]
    )
    assert PlacementRule.objects.filter(effective_from=day).count() == 1


def surface_post(**changes) -> dict:
    outfit = ContentType.objects.get(code="outfit")
    data = {
        "code": "live_outfit",
        "name_zh": "直播穿搭",
        "name_en": "Live outfit strip",
        "page": "channel",
        "content_types": [outfit.pk],
        "min_grade": "A",
        "product_required": "",
        "is_active": "on",
        "sort_order": "9",
    }
    return data | changes


def test_an_operator_adds_and_edits_a_surface(client, operator):
    client.force_login(operator)
    assert client.get(reverse("placements:surface_new")).status_code == 200
    assert client.post(reverse("placements:surface_add"), surface_post()).status_code == 302
    surface = Surface.objects.get(code="live_outfit")
    assert surface.name_zh == "直播穿搭" and surface.min_grade == "A"
    assert list(surface.content_types.values_list("code", flat=True)) == ["outfit"]
    assert client.get(reverse("placements:surface", args=[surface.pk])).status_code == 200
    response = client.post(
        reverse("placements:surface_save", args=[surface.pk]),
        surface_post(code="renamed", min_grade="S", is_active=""),
    )
    assert response.status_code == 302
    surface.refresh_from_db()
    assert surface.code == "live_outfit"  # the code the front ends use stays
    assert surface.min_grade == "S" and not surface.is_active
    entries = AuditEntry.objects.filter(action="placements.surface", object_id=str(surface.pk))
    assert entries.count() == 2
    last = entries.order_by("-pk").first()
    assert last.before["min_grade"] == "A" and last.after["min_grade"] == "S"
    assert "live_outfit" in client.get(reverse("placements:setup")).content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"content_types": []}, "content_types", "This field is required."),
        ({"page": "product"}, "product_required", "must be on"),
        ({"code": "browse_outfit"}, "code", "already exists"),
        ({"code": "has space"}, "code", "Enter a valid"),
        ({"name_zh": ""}, "name_zh", "This field is required."),
        ({"sort_order": "99999999999"}, "sort_order", "less than or equal to 1000"),
        ({"min_grade": "Z"}, "min_grade", "Select a valid choice"),
    ],
)
def test_a_bad_surface_is_refused_on_its_field(client, operator, changes, field, message):
    client.force_login(operator)
    before = Surface.objects.count()
    response = client.post(reverse("placements:surface_add"), surface_post(**changes))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert Surface.objects.count() == before
    assert not AuditEntry.objects.filter(action="placements.surface").exists()


def test_inventory_is_set_from_the_setup_page_and_refused_on_its_field(
    client, operator, outfit_tab, beauty, today
):
    client.force_login(operator)
    data = {
        "surface": outfit_tab.pk,
        "category": beauty.pk,
        "effective_from": today.isoformat(),
        "slots_per_day": "4",
        "impressions_per_slot": "5000",
    }
    response = client.post(reverse("placements:inventory_add"), data)
    assert response.status_code == 302 and response["Location"] == reverse("placements:setup")
    assert InventoryRule.objects.get(surface=outfit_tab, category=beauty).slots_per_day == 4
    response = client.post(
        reverse("placements:inventory_add"), data | {"impressions_per_slot": "1e400"}
    )
    assert response.status_code == 400
    assert response.context["inventory_form"].errors["impressions_per_slot"]
    response = client.post(reverse("placements:inventory_add"), data)  # the same day again
    assert response.status_code == 400
    assert "already has inventory" in str(response.context["inventory_form"].errors)
    assert InventoryRule.objects.filter(surface=outfit_tab, category=beauty).count() == 1


def test_the_services_refuse_managers(manager, outfit_tab, program, today):
    from django.core.exceptions import PermissionDenied

    from placements.services import placement_rule_add, surface_save

    with pytest.raises(PermissionDenied):
        surface_save(actor=manager, surface=outfit_tab, content_types=[])
    with pytest.raises(PermissionDenied):
        placement_rule_add(
            actor=manager,
            program=program,
            effective_from=today,
            rate_per_thousand=Decimal(1),
            monthly_quota=1,
            grade_grants={},
            boosts={},
        )


@pytest.mark.parametrize(
    ("rate", "stored"), [(Decimal("100000.00"), True), (Decimal("100000.01"), False)]
)
def test_the_database_holds_a_rules_rate_to_100000_cny(rule, rate, stored):
    """The check is written in CNY (the field stores fen), as its message says: 100,000 at most."""
    from django.db import IntegrityError, transaction

    with transaction.atomic():
        if stored:
            PlacementRule.objects.filter(pk=rule.pk).update(rate_per_thousand=rate)
            rule.refresh_from_db()
            assert rule.rate_per_thousand == rate
        else:
            with pytest.raises(IntegrityError):
                PlacementRule.objects.filter(pk=rule.pk).update(rate_per_thousand=rate)
