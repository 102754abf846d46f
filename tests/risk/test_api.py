"""Partners send identity hashes and linked orders with the `risk-signals:write` scope only."""

import pytest

from risk.models import IdentityHash, LinkedOrders
from risk.services.partner_data import rekey
from tests.creators.factories import CreatorFactory
from tests.partners.factories import bearer, issue, partner_application

HASH = "0f" * 32


@pytest.fixture
def creator(db):
    return CreatorFactory()


def post(client, url, body, token, key):
    return client.post(
        url,
        body,
        content_type="application/json",
        headers={**bearer(token), "Idempotency-Key": key},
    )


def test_a_partner_sends_identity_hashes_and_the_portal_keeps_only_its_rekeyed_hash(
    client, operator, creator
):
    token = issue(operator, partner_application(operator, scopes=["risk-signals:write"]))
    body = {
        "rows": [
            {"platform_account_id": creator.platform_account_id, "identity": HASH.upper()},
            {"platform_account_id": "nobody", "phone": HASH},
        ]
    }
    response = post(client, "/api/v1/risk-identities/", body, token, "i-1")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "received": 2,
        "written": 1,
        "errors": {"1": response.json()["errors"]["1"]},
    }
    stored = IdentityHash.objects.get(creator=creator)
    assert stored.identity == rekey(HASH) and HASH not in (stored.identity, stored.phone)


def test_a_hash_that_is_not_64_hex_characters_is_a_row_error(client, operator, creator):
    token = issue(operator, partner_application(operator, scopes=["risk-signals:write"]))
    body = {"rows": [{"platform_account_id": creator.platform_account_id, "phone": "13800138000"}]}
    response = post(client, "/api/v1/risk-identities/", body, token, "i-2")
    assert response.status_code == 400
    assert not IdentityHash.objects.exists()


@pytest.mark.parametrize("gmv", ["NaN", "Infinity", "1e30", "-1"])
def test_linked_orders_refuse_numbers_out_of_range(client, operator, creator, gmv):
    token = issue(operator, partner_application(operator, scopes=["risk-signals:write"]))
    body = {
        "rows": [
            {
                "platform_account_id": creator.platform_account_id,
                "day": "2026-11-05",
                "orders": 2,
                "gmv": gmv,
            }
        ]
    }
    assert post(client, "/api/v1/linked-orders/", body, token, f"o-{gmv}").status_code == 400
    assert not LinkedOrders.objects.exists()


def test_linked_orders_are_stored_per_creator_and_day(client, operator, creator):
    token = issue(operator, partner_application(operator, scopes=["risk-signals:write"]))
    row = {
        "platform_account_id": creator.platform_account_id,
        "day": "2026-11-05",
        "orders": 2,
        "gmv": "19.90",
    }
    assert post(client, "/api/v1/linked-orders/", {"rows": [row]}, token, "o-1").status_code == 200
    row["orders"] = 3
    assert post(client, "/api/v1/linked-orders/", {"rows": [row]}, token, "o-2").status_code == 200
    stored = LinkedOrders.objects.get()
    assert stored.orders == 3 and str(stored.gmv) == "19.90"


def test_a_token_without_the_scope_is_refused(client, operator, creator):
    token = issue(operator, partner_application(operator, scopes=["refunds:write"]))
    body = {"rows": [{"platform_account_id": creator.platform_account_id, "identity": HASH}]}
    assert post(client, "/api/v1/risk-identities/", body, token, "i-3").status_code == 403


def test_organizations_cannot_send_risk_data(client, owner):
    client.force_login(owner)
    response = client.post("/api/v1/linked-orders/", {"rows": []}, content_type="application/json")
    assert response.status_code == 403
