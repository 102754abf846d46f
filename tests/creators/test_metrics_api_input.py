"""POST /api/v1/metrics/ with values its columns cannot hold (issue 13, finding 4): 400 naming
`rows.N.field`, nothing written; 413 for a body over the configured limit; the valid batch still
goes through as documented."""

import json

import pytest

from creators.models import DailyMetric
from tests.creators.factories import CreatorFactory

ACCOUNT = "u100000000042"


@pytest.fixture
def api(client, operator):
    CreatorFactory(platform_account_id=ACCOUNT)
    client.force_login(operator)

    def post(body, **headers):
        data = body if isinstance(body, bytes) else json.dumps(body)
        return client.post(
            "/api/v1/metrics/", data, content_type="application/json", headers=headers
        )

    return post


def row(**values):
    return {"platform_account_id": ACCOUNT, "date": "2026-11-01", "plays": 10, "valid_plays": 9} | (
        values
    )


@pytest.mark.parametrize(
    "values,field",
    [
        ({"orders": 2**40}, "orders"),
        ({"videos_published": 2**31}, "videos_published"),
        ({"plays": 2**63, "valid_plays": 0}, "plays"),
        ({"plays": 2**64, "valid_plays": 0}, "plays"),
        ({"valid_plays": -1}, "valid_plays"),
        ({"new_followers": -(2**63) - 1}, "new_followers"),
        ({"interactions": 10**30}, "interactions"),
        ({"date": "0001-01-01"}, "date"),
        ({"date": "9999-12-31"}, "date"),
        ({"gmv": "1e400"}, "gmv"),
        ({"gmv": "NaN"}, "gmv"),
        ({"gmv": "Infinity"}, "gmv"),
        ({"gmv": "1.001"}, "gmv"),
        ({"commission": "99999999999999.99"}, "commission"),
    ],
)
def test_an_out_of_range_value_is_a_400_naming_the_row_and_field(api, values, field):
    response = api({"rows": [row(), row(**({"date": "2026-11-02"} | values))]})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [f"rows.1.{field}"]
    assert not DailyMetric.objects.exists()  # the batch is refused whole: nothing is written


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e400"])
def test_non_json_numbers_are_refused(api, literal):
    body = (
        b'{"rows": [{"platform_account_id": "%s", "date": "2026-11-01", "plays": %s, '
        % (
            ACCOUNT.encode(),
            literal,
        )
        + b'"valid_plays": 0}]}'
    )
    response = api(body)
    assert response.status_code == 400, response.content
    assert not DailyMetric.objects.exists()


def test_the_largest_values_a_day_may_hold_are_written(api):
    from creators.limits import DAY_LIMITS

    most = {field: high for field, (_low, high) in DAY_LIMITS.items()}
    most["gmv"] = most["commission"] = f"{most['gmv']}.00"
    response = api({"rows": [row(**most), row(date="2026-11-02", **most)]})
    assert response.status_code == 200, response.content
    assert response.json()["written"] == 2


def test_valid_rows_of_a_batch_with_impossible_figures_are_written_as_documented(api):
    response = api(
        {
            "rows": [
                row(),
                row(date="2026-11-02", valid_plays=11),  # more valid plays than plays
                row(platform_account_id="nobody0000"),
            ]
        }
    )
    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["written"], result["rejected"]) == (1, 2)
    assert set(result["errors"]) == {"1", "2"}


def test_a_body_over_the_limit_is_a_413(api, settings):
    settings.API_MAX_BODY_BYTES = 10 * 1024
    rows = [row(date=f"2026-11-{day:02d}") for day in range(1, 29)] * 5
    response = api({"rows": rows})
    assert response.status_code == 413, response.content
    body = response.json()
    assert body["code"] == "request_too_large" and "10 KB" in body["message"]
    assert not DailyMetric.objects.exists()


def test_an_eleven_megabyte_body_is_a_413_with_the_default_limit(api):
    big = json.dumps({"rows": [row()], "padding": "x" * (11 * 1024 * 1024)}).encode()
    response = api(big)
    assert response.status_code == 413, response.content[:200]
    assert response.json()["code"] == "request_too_large"


def test_the_service_refuses_out_of_range_rows_from_any_caller(operator):
    """Rows that reach the service without the API's checks are reported by position."""
    import datetime
    from decimal import Decimal

    from creators.services.metrics import MetricRow, metrics_upsert

    CreatorFactory(platform_account_id=ACCOUNT)
    day = datetime.date(2026, 11, 1)
    rows = [
        MetricRow(ACCOUNT, day, plays=5, valid_plays=5),
        MetricRow(ACCOUNT, day.replace(day=2), plays=2**63, valid_plays=0),
        MetricRow(ACCOUNT, day.replace(day=3), gmv=Decimal("NaN")),
        MetricRow(ACCOUNT, datetime.date(1, 1, 1)),
    ]
    result = metrics_upsert(actor=operator, rows=rows)
    assert (result["written"], sorted(result["errors"])) == (1, [1, 2, 3])
