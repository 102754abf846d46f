"""Every number and date sent to the portal is checked against the column that will hold it.

Files (imports, payment results) and the API bring numbers as text or JSON. Before anything is
written, a value must be finite, whole where the column is whole, within the column's range (the
portable ranges of Django's integer fields, the same on PostgreSQL and SQLite, so the API says the
same everywhere), and have no more decimals than the column keeps. Dates must fall between
`EARLIEST_DAY` and today where the future makes no sense. A failure is a `RangeProblem` with a code
the caller turns into a row or field error; nothing here raises anything else, whatever the input
(NaN, Infinity, 1e400, a thousand digits, digits of other scripts).
"""

import datetime
import re
from decimal import Decimal

from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import DecimalField, Field, Model

# Dates before this are typing mistakes (the program and its data are from this century).
EARLIEST_DAY = datetime.date(2000, 1, 1)

# Chinese input methods type full-width digits and signs; they are the same numbers. Digits of
# other scripts (Arabic-Indic, superscripts ...) are refused: int() would read some of them.
FULL_WIDTH = str.maketrans("０１２３４５６７８９，．－＋", "0123456789,.-+")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,6})?", re.ASCII)
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


class RangeProblem(ValueError):
    """`code` is one of: number (not a number), whole (has a fraction), negative, too_large,
    too_small, decimals (more decimal places than the column keeps)."""

    def __init__(self, code: str, limit=None):
        super().__init__(code)
        self.code = code
        self.limit = limit


def integer_bounds(model: type[Model], name: str) -> tuple[int, int]:
    """The (lowest, highest) value of an integer column of `model`."""
    field: Field = model._meta.get_field(name)
    return INTEGER_RANGES[field.get_internal_type()]


def decimal_bounds(model: type[Model], name: str) -> tuple[int, int]:
    """(max_digits, decimal_places) of a decimal column of `model`."""
    field = model._meta.get_field(name)
    assert isinstance(field, DecimalField), name
    return field.max_digits, field.decimal_places


def parse_number(text: str) -> Decimal:
    """The finite Decimal written in `text` (thousands separators and spaces allowed, an exponent
    of at most six digits); RangeProblem("number") for anything else, NaN and Infinity included."""
    cleaned = str(text).translate(FULL_WIDTH).replace(",", "").replace(" ", "")
    if not NUMBER.fullmatch(cleaned):
        raise RangeProblem("number")
    return Decimal(cleaned)


def check_whole(value: Decimal | int | float, low: int, high: int) -> int:
    """`value` as an int when it is whole and within [low, high]."""
    if isinstance(value, float):
        value = Decimal(value)  # NaN and infinities become Decimals that say so
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise RangeProblem("number")
        # Compare before converting: int(Decimal("1e999999")) would build a million digits.
        if value > high:
            raise RangeProblem("too_large", high)
        if value < low:
            raise RangeProblem("negative" if low == 0 else "too_small", low)
        if value != value.to_integral_value():
            raise RangeProblem("whole")
        return int(value)
    if value > high:
        raise RangeProblem("too_large", high)
    if value < low:
        raise RangeProblem("negative" if low == 0 else "too_small", low)
    return value


def parse_whole(text: str, low: int, high: int) -> int:
    # The common case, a million times per metrics file: up to 18 ASCII digits (below 2**63).
    if len(text) <= 18 and text.isascii() and text.isdigit():
        return check_whole(int(text), low, high)
    return check_whole(parse_number(text), low, high)


def check_decimal(value: Decimal, *, places: int, high, low=0) -> Decimal:
    """`value` when it is finite, within [low, high] (no lower bound when `low` is None) and has
    at most `places` decimals. `high` must have fewer than 28 - places digits (the precision of
    the decimal context), which every column here does."""
    if not value.is_finite():
        raise RangeProblem("number")
    if value > high:
        raise RangeProblem("too_large", high)
    if low is not None and value < low:
        raise RangeProblem("negative" if low == 0 else "too_small", low)
    # Safe now: the value is small enough to quantize without leaving the context's precision.
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise RangeProblem("decimals", places)
    return value


def parse_decimal(text: str, *, places: int, high, low=0) -> Decimal:
    whole, point, fraction = text.partition(".")
    if (  # the common case: plain digits with at most `places` decimals
        len(text) <= 20
        and text.isascii()
        and whole.isdigit()
        and len(fraction) <= places
        and (not point or fraction.isdigit())
    ):
        value = Decimal(text)
        if value > high:
            raise RangeProblem("too_large", high)
        if low is not None and value < low:
            raise RangeProblem("negative" if low == 0 else "too_small", low)
        return value
    return check_decimal(parse_number(text), places=places, high=high, low=low)
