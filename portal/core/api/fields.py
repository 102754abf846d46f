"""Serializer fields that read numbers the way the rest of the portal does (portal.core.ranges)."""

import re

from rest_framework import serializers

ASCII_WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)
ASCII_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


class WholeNumberField(serializers.IntegerField):
    """An integer given as a JSON number, or as a string of ASCII digits. DRF's own field reads
    anything int() reads: True, "٣" (Arabic-Indic three), "²"."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or (
            isinstance(data, str) and not ASCII_WHOLE.fullmatch(data.strip())
        ):
            self.fail("invalid")
        return super().to_internal_value(data)


class AmountField(serializers.DecimalField):
    """A decimal amount given as a string (or a JSON number) of ASCII digits: Decimal() reads
    "٠" (Arabic-Indic zero) and other scripts' digits, which no payment or partner system means."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or (
            isinstance(data, str) and not ASCII_DECIMAL.fullmatch(data.strip())
        ):
            self.fail("invalid")
        return super().to_internal_value(data)


class Money(serializers.DecimalField):
    """An amount of CNY: a decimal string with two places."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 17)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
