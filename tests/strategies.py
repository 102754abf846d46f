"""Hypothesis strategies for the numbers and dates people and partners send (issue 13): the
values that broke imports, the metrics API and payment result files, and the valid ones around
them. Shared by tests/creators/test_import_inputs.py, tests/creators/test_metrics_api_inputs.py
and tests/incentives/test_payment_inputs.py."""

import datetime
from decimal import Decimal

from hypothesis import strategies as st

from portal.core.ranges import EARLIEST_DAY

# Digits that int() reads but a spreadsheet cell must not hold: other scripts' digits and
# superscripts (full-width digits are accepted: Chinese input methods type them).
FOREIGN_DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳०१२३৪੫૬୭௮౯೦൧๒໓༤၅០᠑²³¹⁴₅"

not_finite = st.sampled_from(
    ["NaN", "nan", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "+Inf", "1e400", "-1e400"]
)
foreign_digits = st.text(alphabet=FOREIGN_DIGITS, min_size=1, max_size=8)
junk = st.sampled_from(["abc", "1,2,3.4.5", "--1", "0x10", "1_000", "1e", "½", "١e5", "∞", "1/2"])


def wholes_above(high: int):
    """Whole numbers the column cannot hold: just above, far above, as digits or an exponent."""
    return st.one_of(
        st.integers(high + 1, high + 10**6).map(str),
        st.integers(high + 1, 10**40).map(str),
        st.integers(len(str(high)), 500).map(lambda digits: f"1e{digits}"),
    )


def wholes_below(low: int):
    return st.integers(-(10**40), low - 1).map(str)


def fractions():
    """Numbers with a fraction, where a whole number is needed."""
    return (
        st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10**6), places=3, allow_nan=False)
        .filter(lambda d: d != d.to_integral_value())
        .map(str)
    )


def too_many_decimals(places: int):
    """A last decimal that is not zero, one place too far: 12.345 where 12.34 is the most."""
    return (
        st.integers(1, 10**6)
        .filter(lambda n: n % 10)
        .map(lambda n: str(Decimal(n).scaleb(-(places + 1))))
    )


def bad_whole(low: int, high: int):
    """Text that is not a whole number between low and high."""
    options = [not_finite, foreign_digits, junk, wholes_above(high), fractions()]
    if low > -(10**40):
        options.append(wholes_below(low))
    return st.one_of(*options)


def bad_amount(places: int, high):
    """Text that is not an amount of at most `places` decimals up to `high`."""
    return st.one_of(
        not_finite,
        foreign_digits,
        junk,
        too_many_decimals(places),
        st.integers(int(high) + 1, 10**40).map(str),
        st.integers(len(str(int(high))), 500).map(lambda digits: f"1e{digits}"),
    )


def good_whole(low: int, high: int):
    return st.integers(low, high)


def good_amount(places: int, high):
    return st.decimals(min_value=0, max_value=Decimal(high), places=places, allow_nan=False)


def bad_dates(today: datetime.date):
    """Dates before EARLIEST_DAY or after today, and text that is no date at all."""
    return st.one_of(
        st.dates(max_value=EARLIEST_DAY - datetime.timedelta(days=1)).map(datetime.date.isoformat),
        st.dates(min_value=today + datetime.timedelta(days=1)).map(datetime.date.isoformat),
        st.sampled_from(["2026-02-30", "2026-13-01", "0000-01-01", "99999-01-01", "yesterday"]),
        foreign_digits.map(lambda d: f"{d}-01-01"),
    )
