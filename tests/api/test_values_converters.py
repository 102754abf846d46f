"""The column converters of portal.core.api.values give, value for value, what each field's own
`to_representation` gives (issue #17): the fast paths only skip work DRF does per value, never
change an answer; anything unusual goes through DRF itself."""

import datetime
import decimal
import zoneinfo

import pytest
from django.utils import timezone
from rest_framework import serializers

from creators.api.serializers import CreatorSerializer, MetricSerializer
from incentives.api.serializers import RewardLineSerializer
from organizations.api.serializers import OrganizationSerializer
from portal.core.api.fields import AmountField, Money, WholeNumberField
from portal.core.api.values import RowPlan, column_converter, plan_for

UTC = datetime.UTC
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def drf(field, values: list) -> list:
    """What DRF's serializer gives for each value: None stays None, the rest is the field's."""
    return [None if value is None else field.to_representation(value) for value in values]


def check(field, values: list) -> None:
    convert = column_converter(field)
    ours = values if convert is None else convert.column(list(values))
    assert ours == drf(field, values)
    assert [type(value) for value in ours] == [type(value) for value in drf(field, values)]


class Sample(serializers.Serializer):
    whole = serializers.IntegerField()
    big = serializers.BigIntegerField()
    big_text = serializers.BigIntegerField(coerce_to_string=True)
    counted = WholeNumberField()
    text = serializers.CharField()
    flag = serializers.BooleanField(allow_null=True)
    state = serializers.ChoiceField(choices=[("a", "A"), ("b", "B")])
    numbered = serializers.ChoiceField(choices=[(1, "one"), (2, "two")])
    day = serializers.DateField()
    moment = serializers.DateTimeField()
    amount = Money()
    figure = AmountField(max_digits=12, decimal_places=4)
    fine = serializers.DecimalField(max_digits=30, decimal_places=9)
    rounded = serializers.DecimalField(max_digits=5, decimal_places=1)


def field(name: str):
    return Sample().fields[name]


def test_integers_and_booleans_keep_their_types():
    check(field("whole"), [1, 0, -5, None, 2**40])
    check(field("whole"), [True, False, 3])  # DRF makes a bool 1 or 0: so does the column
    check(field("whole"), ["7", 8])
    check(field("big"), [2**62, None, -1])
    check(field("big_text"), [2**62, None, -1])
    check(field("counted"), [5, None])
    check(field("flag"), [True, False, None])
    check(field("flag"), [1, 0, "true", "no"])


def test_text_and_choices():
    check(field("text"), ["a", "", None, "王芳"])
    check(field("text"), [1, decimal.Decimal("2.50")])  # str() of anything else
    check(field("state"), ["a", "b", "unknown", "", None])
    check(field("numbered"), ["1", 2, None])  # keys that are not strings: DRF's own mapping


def test_dates_and_datetimes_in_the_current_time_zone():
    day = datetime.date(2026, 11, 30)
    check(field("day"), [day, None, datetime.date(1, 1, 1)])
    moments = [
        datetime.datetime(2026, 11, 1, 16, 0, tzinfo=UTC),
        datetime.datetime(2026, 11, 1, 16, 0, 0, 123456, tzinfo=UTC),
        None,
        datetime.datetime(
            2026, 3, 8, 7, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))
        ),
    ]
    for zone in (SHANGHAI, UTC, NEW_YORK):
        with timezone.override(zone):
            check(field("moment"), moments)
            check(field("moment"), [moment for moment in moments if moment])
            check(field("moment"), [None, None])
    with timezone.override(NEW_YORK):
        # A ZoneInfo value, a naive one (made aware in the current zone) and one across a DST
        # change: value by value, as DRF.
        check(
            field("moment"),
            [
                datetime.datetime(2026, 3, 8, 12, 0, tzinfo=SHANGHAI),
                datetime.datetime(2026, 3, 8, 1, 30),
                datetime.datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
            ],
        )


def test_the_edge_of_time_fails_as_drf_fails():
    edge = [datetime.datetime(9999, 12, 31, 23, 0, tzinfo=UTC)]
    with timezone.override(SHANGHAI), pytest.raises(serializers.ValidationError):
        drf(field("moment"), edge)
    with timezone.override(SHANGHAI), pytest.raises(serializers.ValidationError):
        column_converter(field("moment")).column(edge)


def test_decimals_quantized_as_drf_quantizes():
    values = [
        decimal.Decimal("0.00"),
        decimal.Decimal("-0.00"),
        decimal.Decimal("1234567.89"),
        decimal.Decimal("9.5"),
        decimal.Decimal("0.005"),  # rounded half-even? DRF's rounding: the same either way
        decimal.Decimal("1E+3"),
        decimal.Decimal("1E-9"),
        None,
    ]
    for name in ("amount", "figure", "fine", "rounded"):
        check(field(name), [value for value in values if name != "rounded" or value is None])
    check(field("rounded"), [decimal.Decimal("1234.5"), decimal.Decimal("0.05"), None])
    check(field("amount"), [1, 2.5, "3.10"])  # not decimals: DRF's own conversion
    with pytest.raises(decimal.InvalidOperation):
        drf(field("rounded"), [decimal.Decimal("123456")])
    with pytest.raises(decimal.InvalidOperation):
        column_converter(field("rounded")).column([decimal.Decimal("123456")])


@pytest.mark.parametrize(
    "serializer_class",
    [CreatorSerializer, MetricSerializer, OrganizationSerializer, RewardLineSerializer],
)
def test_a_plan_is_made_once_per_serializer(serializer_class):
    plan = plan_for(serializer_class)
    assert plan is plan_for(serializer_class)
    assert plan.names == [
        name for name, field in serializer_class().fields.items() if not field.write_only
    ]


def test_fields_reading_the_request_get_a_plan_per_request():
    class Linked(serializers.Serializer):
        id = serializers.IntegerField()
        document = serializers.FileField()

    assert plan_for(Linked) is None
    assert RowPlan(Linked()).names == ["id", "document"]


def test_rows_are_built_a_column_at_a_time():
    class Row(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField(source="creator.display_name", allow_null=True)
        amount = Money()

    plan = RowPlan(Row())
    assert plan.paths == ["id", "creator__display_name", "amount"]
    found = [
        {"id": 2, "creator__display_name": "王芳", "amount": decimal.Decimal("1.50")},
        {"id": 1, "creator__display_name": None, "amount": decimal.Decimal("0.00")},
    ]
    assert plan.rows(found) == [
        {"id": 2, "name": "王芳", "amount": "1.50"},
        {"id": 1, "name": None, "amount": "0.00"},
    ]
    assert plan.rows([]) == []
