"""Money: CNY amounts held exactly. In Python an amount is a `Decimal` of yuan with two places; in
the database it is an integer number of fen, so sums and comparisons in SQL are exact on every
backend (SQLite has no decimal type)."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
# The most an amount column (a bigint of fen) holds.
MAX_YUAN = Decimal(2**63 - 1) / 100


def to_fen(value) -> int:
    """Yuan (Decimal, int or a numeric string) to integer fen; refuses fractions of a fen."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation as error:
        raise ValidationError(_("Enter an amount in yuan, such as 1200.50.")) from error
    if not amount.is_finite():
        raise ValidationError(_("Enter an amount in yuan, such as 1200.50."))
    if abs(amount) > MAX_YUAN:  # and quantize() below would overflow the decimal context
        raise ValidationError(_("The amount is too large."))
    if amount != amount.quantize(CENT):
        raise ValidationError(_("Amounts have at most two decimals (fen)."))
    return int(amount * 100)


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(CENT)


class MoneyField(models.BigIntegerField):
    """An amount of CNY: `Decimal` yuan in Python, integer fen in the database."""

    description = _("Amount (CNY)")

    def from_db_value(self, value, expression, connection):
        return None if value is None else from_fen(value)

    def to_python(self, value):
        if value is None or value == "":
            return None
        return from_fen(to_fen(value))

    def get_prep_value(self, value):
        if value is None or hasattr(value, "resolve_expression"):
            return value
        return to_fen(value)

    def formfield(self, **kwargs):
        # Skip IntegerField's integer bounds: the form takes yuan with two decimals.
        return models.Field.formfield(
            self,
            **{"form_class": forms.DecimalField, "max_digits": 14, "decimal_places": 2, **kwargs},
        )


def money_sum(field: str = "amount", **extra) -> models.Func:
    """SUM of a MoneyField as yuan, 0 rather than NULL when there is nothing to add."""
    from django.db.models import Sum, Value
    from django.db.models.functions import Coalesce

    return Coalesce(Sum(field, **extra), Value(0), output_field=MoneyField())
