"""Validators every app shares."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_mobile(value: str) -> str:
    """Digits only, without a +86 / 0086 country prefix."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            return digits[len(prefix) :]
    return digits


def validate_mainland_mobile(value: str) -> None:
    if not MAINLAND_MOBILE.match(normalize_mobile(value)):
        raise ValidationError(
            _("Enter a mainland China mobile number: 11 digits starting with 13 to 19."),
            code="mobile",
        )
