"""Where an organization's money is: each statement line's payment state, failed payments with the
payment system's reason and what to do, totals, the statement as CSV or XLSX, and the dashboards'
"payments failed" leading to those lines."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incentives.models import LedgerEntry, PaymentStatus
from incentives.services import (
    exported_entries,
    settlement_approve,
    settlement_compute,
    settlement_export,
    settlement_mark_paid,
    settlement_publish,
    settlement_submit,
)
from organizations.models import ManagerAssignment
from tests.incentives.test_computation import setup_cycle

REASON = "收款账户已注销"


@pytest.fixture
def paid_but_one(operator, organization, beauty):
    """A published list of six lines, exported; the organization's own tier payment failed."""
    cycle, _version = setup_cycle(operator, organization, beauty)
    reward_list = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    settlement_approve(actor=operator, reward_list=reward_list, revision=reward_list.revision)
    reward_list = settlement_publish(actor=operator, reward_list=reward_list)
    entries = list(exported_entries(settlement_export(actor=operator, reward_list=reward_list)))
    text = "entry,amount,result,reference,reason\n"
    for entry in entries:
        failed = entry.kind == "org_tier"
        text += (
            f"{entry.pk},{entry.amount},{'failed' if failed else 'paid'},"
            f"{'' if failed else f'PAY{entry.pk}'},{REASON if failed else ''}\n"
        )
    settlement_mark_paid(
        actor=operator,
        reward_list=reward_list,
        upload=SimpleUploadedFile("result.csv", text.encode()),
    )
    return reward_list


def test_the_payment_result_keeps_why_a_payment_failed(paid_but_one):
    failed = LedgerEntry.objects.get(payment_status=PaymentStatus.FAILED)
    assert (failed.kind, failed.payment_failure) == ("org_tier", REASON)
    assert not LedgerEntry.objects.filter(payment_status=PaymentStatus.PAID).exclude(
        payment_failure=""
    )


def test_each_line_shows_its_payment_state_and_the_statement_its_totals(
    client, owner, manager, organization, paid_but_one
):
    ManagerAssignment.objects.create(organization=organization, manager=manager)
    client.force_login(owner)
    url = reverse("incentives:statement", args=[paid_but_one.pk])
    page = client.get(url)
    lines = page.context["page"].object_list
    states = sorted(line.entry.payment_status for line in lines)
    assert states == ["failed"] + ["paid"] * 5
    payments = page.context["payments"]
    assert (payments["paid"]["n"], payments["failed"]["n"], payments["pending"]["n"]) == (5, 1, 0)
    assert payments["failed"]["total"] == Decimal(5000)
    assert payments["total"] == Decimal("8924.69")
    html = page.content.decode()
    assert REASON in html and "1 payment failed (5,000.00 CNY)" in html
    assert manager.email in html  # whom to tell
    assert f"PAY{LedgerEntry.objects.filter(kind='playback').get().pk}" in html
    failed = client.get(url, {"payment": "failed"}).context["page"].object_list
    assert [line.kind for line in failed] == ["org_tier"]


def test_the_statement_exports_as_csv_and_xlsx_in_the_readers_language(client, owner, paid_but_one):
    client.force_login(owner)
    csv_url = reverse("incentives:statement_export", args=[paid_but_one.pk, "csv"])
    response = client.get(csv_url)
    assert response["Content-Type"] == "text/csv"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:3] == ["Kind", "Beneficiary", "Platform account id"]
    assert len(rows) == 6
    failed = next(row for row in rows if row[6] == "Payment failed")
    assert failed[0] == "Special incentive" and failed[9] == REASON and failed[4] == "5000.00"

    owner.language = "zh-hans"
    owner.save(update_fields=["language"])
    client.force_login(owner)
    xlsx_url = reverse("incentives:statement_export", args=[paid_but_one.pk, "xlsx"])
    response = client.get(xlsx_url, {"payment": "paid"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][0] == "类型" and len(table) == 1 + 5
    assert {row[6] for row in table[1:]} == {"已付款"}


def test_staff_choose_the_organization_and_others_export_only_their_own(
    client, operator, other_owner, organization, paid_but_one
):
    url = reverse("incentives:statement_export", args=[paid_but_one.pk, "csv"])
    client.force_login(operator)
    assert client.get(url).status_code == 404  # which organization?
    chosen = client.get(url, {"organization": organization.pk})
    assert len(b"".join(chosen.streaming_content).decode("utf-8-sig").strip().splitlines()) == 7
    client.force_login(other_owner)
    theirs = client.get(url, {"organization": organization.pk})
    assert len(b"".join(theirs.streaming_content).decode("utf-8-sig").strip().splitlines()) == 1


def test_the_dashboards_lead_to_the_failed_lines(client, operator, owner, paid_but_one):
    client.force_login(owner)
    html = client.get(reverse("core:dashboard")).content.decode()
    statement = reverse("incentives:statement", args=[paid_but_one.pk])
    assert "1 payment failed · 5,000.00 CNY" in html
    assert f'href="{statement}?payment=failed#lines-title"' in html
    client.force_login(operator)
    html = client.get(reverse("core:dashboard")).content.decode()
    reward_list = reverse("incentives:list", args=[paid_but_one.pk])
    assert f'href="{reward_list}?payment=failed#lines-title"' in html
    page = client.get(reward_list)
    assert "1 payment failed (5,000.00 CNY)" in page.content.decode()
    assert "export the entries to pay again" in page.content.decode()
