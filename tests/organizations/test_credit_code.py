import pytest
from django.core.exceptions import ValidationError

from organizations.validators import validate_credit_code

# Published codes of well-known companies.
VALID = [
    "91440300708461136T",
    "914403001922038216",
    "91330100716105852F",
    "91110000802100433B",
    "91110108551385082Q",
    " 91110108551385082q ",  # spaces and lower case are normalized
]


@pytest.mark.parametrize("code", VALID)
def test_known_valid_codes_pass(code):
    validate_credit_code(code)


@pytest.mark.parametrize(
    "code,reason",
    [
        ("91440300708461136", "length"),  # 17 characters
        ("91440300708461136TT", "length"),
        ("91440300708461136I", "alphabet"),  # I is not in the alphabet
        ("9144030070846113OT", "alphabet"),  # nor is O
        ("9144A300708461136T", "division"),
        ("91440300708461136A", "checksum"),  # one character off
        ("91440300708461163T", "checksum"),  # two digits swapped
    ],
)
def test_invalid_codes_say_why(code, reason):
    with pytest.raises(ValidationError) as error:
        validate_credit_code(code)
    assert error.value.code == reason
