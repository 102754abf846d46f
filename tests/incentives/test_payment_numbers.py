"""A payment result file with amounts or entry numbers no ledger entry can have (issue 13,
finding 5): each is a row error naming its row, nothing is paid, never a 500."""

import pytest
from django.core.exceptions import ValidationError

from incentives.models import LedgerEntry, PaymentStatus
from incentives.services import exported_entries, settlement_export, settlement_mark_paid
from tests.incentives.test_review import approved_and_published, computed, result_file  # noqa: F401


@pytest.fixture
def exported(computed, operator):  # noqa: F811
    published = approved_and_published(computed, operator)
    return published, list(
        exported_entries(settlement_export(actor=operator, reward_list=published))
    )


@pytest.mark.parametrize(
    "amount,words",
    [
        ("1e400", "larger than any entry"),
        ("NaN", "is not an amount"),
        ("Infinity", "is not an amount"),
        ("-Infinity", "is not an amount"),
        ("1.001", "more than two decimals"),
        ("1e-400", "more than two decimals"),
        ("99999999999999999999999999999", "larger than any entry"),
        ("１２", None),  # full-width digits: a number, just not this entry's amount
    ],
)
def test_an_impossible_amount_is_an_error_on_its_row(exported, operator, amount, words):
    published, entries = exported
    rows = [(e.pk, e.amount, "paid", f"P{e.pk}") for e in entries]
    rows[2] = (entries[2].pk, amount, "paid", "P3")
    with pytest.raises(ValidationError) as error:
        settlement_mark_paid(actor=operator, reward_list=published, upload=result_file(rows))
    messages = error.value.messages
    assert [m.split(":")[0] for m in messages] == ["Row 4"]
    if words:
        assert words in messages[0]
    assert not LedgerEntry.objects.filter(payment_status=PaymentStatus.PAID).exists()


@pytest.mark.parametrize("entry", ["9223372036854775808", "1e3", "-1", "0", "٣"])
def test_an_impossible_entry_number_is_an_error_on_its_row(exported, operator, entry):
    published, entries = exported
    rows = [(e.pk, e.amount, "paid", f"P{e.pk}") for e in entries]
    rows[1] = (entry, "1.00", "paid", "P2")
    with pytest.raises(ValidationError) as error:
        settlement_mark_paid(actor=operator, reward_list=published, upload=result_file(rows))
    assert [m.split(":")[0] for m in error.value.messages] == ["Row 3"]
    assert not LedgerEntry.objects.filter(payment_status=PaymentStatus.PAID).exists()


def test_the_page_shows_the_row_errors_instead_of_failing(client, exported, operator):
    published, entries = exported
    rows = [(e.pk, e.amount, "paid", f"P{e.pk}") for e in entries]
    rows[0] = (entries[0].pk, "1e400", "paid", "P1")
    client.force_login(operator)
    from django.urls import reverse

    url = reverse("incentives:list_result", args=[published.pk])
    response = client.post(url, {"file": result_file(rows)}, follow=True)
    assert response.status_code == 200
    assert "Row 2" in response.content.decode()
