"""Hypothesis over the numbers of a payment result file (issue 13): an amount or an entry number
no ledger entry can have is an error on its row; the file changes nothing."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentives.models import LedgerEntry, PaymentStatus
from incentives.services import settlement_mark_paid
from incentives.services.payment_results import AMOUNT_MAX, ENTRY_ID_MAX
from tests import strategies
from tests.incentives.test_payment_numbers import exported  # noqa: F401 (a fixture)
from tests.incentives.test_review import computed, result_file  # noqa: F401

EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

bad_amounts = strategies.bad_amount(2, AMOUNT_MAX)
bad_entries = st.one_of(
    strategies.bad_whole(1, ENTRY_ID_MAX),
    st.integers(-(10**6), 0).map(str),
    st.just(str(ENTRY_ID_MAX + 1)),
)


def refused_rows(operator, published, rows) -> list[str]:
    with pytest.raises(ValidationError) as error:
        settlement_mark_paid(actor=operator, reward_list=published, upload=result_file(rows))
    return [message.split(":")[0] for message in error.value.messages]


@given(amount=bad_amounts)
@EXAMPLES
def test_an_impossible_amount_is_an_error_on_its_row(exported, operator, amount):  # noqa: F811
    published, entries = exported
    rows = [(e.pk, e.amount, "paid", f"P{e.pk}") for e in entries]
    rows[1] = (entries[1].pk, f'"{amount}"', "paid", "P2")
    assert refused_rows(operator, published, rows) == ["Row 3"]
    assert not LedgerEntry.objects.filter(payment_status=PaymentStatus.PAID).exists()


@given(entry=bad_entries)
@EXAMPLES
def test_an_impossible_entry_number_is_an_error_on_its_row(exported, operator, entry):  # noqa: F811
    published, entries = exported
    rows = [(e.pk, e.amount, "paid", f"P{e.pk}") for e in entries]
    rows[0] = (f'"{entry}"', "1.00", "paid", "P1")
    assert refused_rows(operator, published, rows) == ["Row 2"]
    assert not LedgerEntry.objects.filter(payment_status=PaymentStatus.PAID).exists()
