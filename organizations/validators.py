"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

18 characters from a 31-character alphabet (digits and capital letters without I, O, S, V, Z):
registration authority (1), organization type (1), administrative division (6, digits),
organization code (9) and a check character computed with weights 3^(i) mod 31.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, ...


def credit_code_check_char(first17: str) -> str:
    total = sum(
        ALPHABET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True)
    )
    return ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_credit_code(value: str) -> None:
    code = normalize_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d."),
            code="length",
            params={"count": len(code)},
        )
    bad = sorted({char for char in code if char not in ALPHABET})
    if bad:
        raise ValidationError(
            _("The characters %(chars)s cannot appear in a unified social credit code."),
            code="alphabet",
            params={"chars": " ".join(bad)},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 (the administrative division code) must be digits."),
            code="division",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("The last character does not match the check digit; please check the code."),
            code="checksum",
        )


# Mobile numbers belong to the core (people's accounts use them too); kept importable from here
# for the migrations that name the validator by this path.
from portal.core.validators import normalize_mobile, validate_mainland_mobile  # noqa: E402, F401
