"""Reconciliation with finance, the payout API and refunds from partners (issue 18)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from incentives.models import HoldReason, LedgerEntry, PaymentStatus
from incentives.reconciliation import cycle_reconciliation, result_check
from incentives.services import exported_entries, settlement_export
from incentives.services.clawbacks import refund_record
from incentives.services.holds import entry_forfeit, hold_place
from tests.incentives.test_holds import entry, pay_all, publish, with_rules
from tests.incentives.test_review import result_file

D = datetime.date


@pytest.fixture
def settled(operator, organization, beauty):
    """Cycle 1 published, the tier held then forfeited, the rest exported and paid, a refund
    clawed back in cycle 2."""
    cycle = with_rules(operator, organization, beauty)
    reward_list = publish(operator, cycle)
    hold_place(actor=operator, entries=[entry("org_tier")], reason=HoldReason.RISK, note="r")
    entry_forfeit(actor=operator, entry=entry("org_tier"), note="fraud")
    export = settlement_export(actor=operator, reward_list=reward_list)
    pay_all(operator, reward_list, export)
    refund_record(
        actor=operator, creator=entry("commission").creator, day=D(2026, 11, 5), amount=100
    )
    return reward_list, export


def test_the_reconciliation_ties_every_state_to_the_ledger_to_the_fen(settled):
    reward_list, _export = settled
    pools, organizations, tie = cycle_reconciliation(reward_list)
    assert tie["rows"] and tie["pools"]
    cash = next(row for row in pools if row.pool == "cash")
    assert cash.amounts["forfeited"] == Decimal(5000)
    assert cash.amounts["paid"] == Decimal("3124.69")
    assert cash.amounts["posted"] == Decimal("8124.69")
    assert cash.amounts["committed"] == Decimal("3124.69")
    assert sum(row.fen["posted"] for row in organizations) == sum(p.fen["posted"] for p in pools)
    # The clawback lives in cycle 2 (the next cycle) and pulls the pool's commitment down there.
    _pools2, _orgs2, tie2 = cycle_reconciliation(reward_list)
    assert tie2["pools"]


def test_the_finance_export_in_csv_and_xlsx_in_the_readers_language(client, operator, settled):
    reward_list, _export = settled
    client.force_login(operator)
    csv_text = b"".join(
        client.get(
            reverse("incentives:reconciliation_export", args=[reward_list.pk, "csv"]),
            HTTP_ACCEPT_LANGUAGE="en",
        ).streaming_content
    ).decode("utf-8-sig")
    header, *rows = csv_text.strip().splitlines()
    assert header.startswith("Program,Cycle,Pool,Organization")
    assert any("8124.69" in row and "5000.00" in row for row in rows)
    operator.language = "zh-hans"
    operator.save()
    response = client.get(
        reverse("incentives:reconciliation_export", args=[reward_list.pk, "xlsx"]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(1, 1).value != "Program"  # in Chinese
    assert sheet.max_row == len(rows) + 1


def test_a_result_file_is_checked_for_missing_extra_and_different_amounts(
    client, operator, settled
):
    reward_list, export = settled
    entries = list(exported_entries(export))
    rows = [(e.pk, e.amount, "paid", f"P{e.pk}") for e in entries[1:]]
    rows[0] = (rows[0][0], rows[0][1] + 1, "paid", "x")
    rows.append((999_999, "3.00", "paid", "y"))
    check = result_check(reward_list, result_file(rows), None)
    assert check["counts"] == {"missing": 1, "extra": 1, "different": 1, "unreadable": 0}
    missing = next(d for d in check["differences"] if d.kind == "missing")
    assert missing.entry == entries[0].pk and missing.exported == entries[0].amount
    client.force_login(operator)
    page = client.post(
        reverse("incentives:reconciliation", args=[reward_list.pk]),
        {"file": result_file(rows)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text = page.content.decode()
    assert "1 missing, 1 extra, 1 with another amount" in text
    assert "999999" in text
    exact = [(e.pk, e.amount, "paid", f"P{e.pk}") for e in entries]
    assert result_check(reward_list, result_file(exact), export)["matches"]
    # Nothing changed: the check is read-only.
    assert LedgerEntry.objects.filter(payment_status=PaymentStatus.PAID).count() == len(entries)


def test_the_reconciliation_page_lists_pools_and_organizations(client, operator, settled):
    reward_list, _export = settled
    client.force_login(operator)
    page = client.get(reverse("incentives:reconciliation", args=[reward_list.pk]))
    assert page.status_code == 200
    assert len(page.context["org_rows"]) >= 2
    assert page.content.decode().count("<main") == 1


def test_the_api_shows_each_organization_its_entries_with_their_holds(
    client, operator, owner, other_owner, organization, beauty
):
    cycle = with_rules(operator, organization, beauty)
    publish(operator, cycle)
    tier = entry("org_tier")
    hold_place(actor=operator, entries=[tier], reason=HoldReason.RISK, note="Shared identity")
    client.force_login(owner)
    body = client.get("/api/v1/ledger-entries/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert len(body["results"]) == 6
    row = client.get(f"/api/v1/ledger-entries/{tier.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert row["state"] == "held" and row["holds"][0]["reason"] == "risk"
    assert row["holds"][0]["note"] == "Shared identity"
    assert "risk review" in row["holds"][0]["releases"]
    owner.language = "zh-hans"
    owner.save()
    zh = client.get(f"/api/v1/ledger-entries/{tier.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert zh["holds"][0]["releases"] != row["holds"][0]["releases"]
    client.force_login(other_owner)
    assert client.get(f"/api/v1/ledger-entries/{tier.pk}/").status_code == 404
    assert client.get("/api/v1/ledger-entries/").json()["results"] == []


def test_partners_send_refunds_and_a_retry_takes_back_once(client, operator, organization, beauty):
    from tests.partners.factories import bearer, issue, partner_application

    cycle = with_rules(operator, organization, beauty)
    publish(operator, cycle)
    creator = entry("commission").creator
    token = issue(operator, partner_application(operator, scopes=["refunds:write"]))
    body = {
        "rows": [
            {
                "platform_account_id": creator.platform_account_id,
                "day": "2026-11-05",
                "refunded_gmv": "100.00",
            },
            {"platform_account_id": "nobody", "day": "2026-11-05", "refunded_gmv": "1.00"},
        ]
    }
    headers = {**bearer(token), "Idempotency-Key": "r-1"}
    first = client.post("/api/v1/refunds/", body, content_type="application/json", headers=headers)
    assert first.status_code == 200, first.content
    assert len(first.json()["corrections"]) == 1 and set(first.json()["errors"]) == {"1"}
    again = client.post(
        "/api/v1/refunds/",
        body,
        content_type="application/json",
        headers={**headers, "Idempotency-Key": "r-2"},
    )
    assert again.json()["corrections"] == []
    assert LedgerEntry.objects.filter(reason_code="refund").count() == 1


def test_organizations_cannot_send_refunds(client, owner):
    client.force_login(owner)
    response = client.post("/api/v1/refunds/", {"rows": []}, content_type="application/json")
    assert response.status_code == 403
