"""Money is exact: yuan with two decimals in Python, integer fen in the database."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from incentives.models import OrgTier, Pool, Program, RuleVersion
from portal.core.money import from_fen, to_fen


@pytest.fixture
def program(operator):
    return Program.objects.create(
        name="2027 creator program",
        starts_on=datetime.date(2027, 1, 1),
        ends_on=datetime.date(2028, 1, 1),
        created_by=operator,
    )


def test_yuan_and_fen_convert_exactly():
    assert to_fen(Decimal("1234.56")) == 123456
    assert to_fen("0.1") == 10 and to_fen(30000) == 3_000_000
    assert from_fen(123456) == Decimal("1234.56")
    for bad in ("0.001", "abc", "NaN"):
        with pytest.raises(ValidationError):
            to_fen(bad)


def test_sums_in_the_database_are_exact(program):
    # 0.1 + 0.2 is not 0.3 in floating point; in fen it is.
    pools = [
        Pool.objects.create(program=program, kind="cash", budget=Decimal("0.10")),
        Pool.objects.create(program=program, kind="traffic", budget=Decimal("0.20")),
    ]
    assert Pool.objects.aggregate(total=Sum("budget"))["total"] == Decimal("0.30")
    assert Pool.objects.get(pk=pools[0].pk).budget == Decimal("0.10")


def test_the_database_refuses_to_overspend_a_pool(program):
    pool = Pool.objects.create(program=program, kind="cash", budget=Decimal("1000.00"))
    Pool.objects.filter(pk=pool.pk).update(committed=F("committed") + to_fen("999.99"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Pool.objects.filter(pk=pool.pk).update(committed=F("committed") + to_fen("0.02"))
    pool.refresh_from_db()
    assert pool.committed == Decimal("999.99")


def test_a_tier_pays_at_most_five_million(program, operator):
    version = RuleVersion.objects.create(
        program=program, number=1, effective_from=program.starts_on, created_by=operator
    )
    OrgTier.objects.create(version=version, level=1, min_introduced=100, amount=5_000_000)
    with pytest.raises(IntegrityError), transaction.atomic():
        OrgTier.objects.create(
            version=version, level=2, min_introduced=200, amount=Decimal("5000000.01")
        )
