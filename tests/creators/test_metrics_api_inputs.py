"""Hypothesis over every numeric and date field of POST /api/v1/metrics/ (issue 13): a value the
column cannot hold answers 400 naming `rows.N.field` and nothing is written; a value it can hold
is written exactly."""

import json
from decimal import Decimal

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creators.limits import DAY_LIMITS, amount_limits, is_amount, whole_limits
from creators.models import DailyMetric
from tests import strategies
from tests.creators.factories import CreatorFactory

ACCOUNT = "u100000000042"
NUMBERS = list(DAY_LIMITS)
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def bad_json_value(field):
    """JSON values the field cannot take: out of range, fractions, huge, and not numbers."""
    if is_amount(field):
        _digits, places, high = amount_limits(field)
        return st.one_of(strategies.bad_amount(places, high), st.integers(int(high) + 1, 10**30))
    low, high = whole_limits(field)
    return st.one_of(
        st.integers(high + 1, 2**70),
        st.integers(-(2**70), low - 1),
        st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: f != int(f)),
        st.floats(min_value=2.0**64, allow_infinity=False),
        strategies.not_finite,
        strategies.foreign_digits,
    )


bad_fields = st.sampled_from(NUMBERS).flatmap(lambda f: st.tuples(st.just(f), bad_json_value(f)))


def row(**values):
    return {"platform_account_id": ACCOUNT, "date": "2026-11-01", "plays": 10, "valid_plays": 9} | (
        values
    )


def ensure_creator():
    """The examples of one test share its database transaction: one creator for all of them."""
    from creators.models import Creator

    if not Creator.objects.filter(platform_account_id=ACCOUNT).exists():
        CreatorFactory(platform_account_id=ACCOUNT)


def post(client, rows):
    return client.post(
        "/api/v1/metrics/", json.dumps({"rows": rows}), content_type="application/json"
    )


@given(cell=bad_fields)
@EXAMPLES
def test_a_value_out_of_range_is_a_400_naming_it_and_nothing_is_written(client, operator, cell):
    ensure_creator()
    client.force_login(operator)
    field, value = cell
    response = post(client, [row(), row(date="2026-11-02") | {field: value}])
    assert response.status_code == 400, (field, value, response.content)
    assert f"rows.1.{field}" in response.json()["errors"]
    assert not DailyMetric.objects.exists()


@given(text=strategies.bad_dates(timezone.localdate()))
@EXAMPLES
def test_a_date_out_of_range_is_a_400_naming_it(client, operator, text):
    client.force_login(operator)
    response = post(client, [row(date=text)])
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["rows.0.date"]
    assert not DailyMetric.objects.exists()


def good_values():
    def value(field):
        if is_amount(field):
            _digits, places, high = amount_limits(field)
            return strategies.good_amount(places, high).map(lambda d: f"{d:.{places}f}")
        return strategies.good_whole(*whole_limits(field))

    return st.fixed_dictionaries({f: value(f) for f in NUMBERS}).filter(
        lambda r: r["valid_plays"] <= r["plays"] and r["original_videos"] <= r["videos_published"]
    )


@given(values=good_values())
@settings(EXAMPLES, max_examples=20)
def test_a_value_in_range_is_written_exactly(client, operator, values):
    creator = (
        CreatorFactory() if not DailyMetric.objects.exists() else DailyMetric.objects.get().creator
    )
    client.force_login(operator)
    response = post(client, [row(platform_account_id=creator.platform_account_id) | values])
    assert response.status_code == 200, response.content
    assert response.json()["written"] == 1
    stored = DailyMetric.objects.get()
    for field, value in values.items():
        expected = Decimal(value) if is_amount(field) else value
        assert getattr(stored, field) == expected, field
