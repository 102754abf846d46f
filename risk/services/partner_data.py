"""What partners send for the signals: identity hashes and linked orders, per creator.

Identity hashes arrive as the partner's own keyed hashes (hex HMAC-SHA256 of the real-name
identity, phone and payout account); the portal keeps only a hash of that hash under its own key
(`RISK_HASH_KEY`, or `SECRET_KEY`), so equal values still match each other while a copy of the
table cannot be compared with the partner's hashes, let alone reversed. Both writes are
set-based upserts of the whole batch.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core.money import from_fen

from ..models import IdentityHash, LinkedOrders

HEX_HASH = re.compile(r"^[0-9a-f]{64}$")
HASH_FIELDS = ("identity", "phone", "account")


def rekey(partner_hash: str) -> str:
    """The stored form of a partner's hash ('' stays '': not sent)."""
    if not partner_hash:
        return ""
    key = getattr(settings, "RISK_HASH_KEY", "") or settings.SECRET_KEY
    return salted_hmac("risk.identity", partner_hash, secret=key, algorithm="sha256").hexdigest()


def check_hash(value: str) -> str:
    value = (value or "").strip().lower()
    if value and not HEX_HASH.match(value):
        raise ValidationError(_("Send a keyed hash as 64 hexadecimal characters."))
    return value


@transaction.atomic
def identity_hashes_record(*, actor, rows: list[dict]) -> int:
    """Upsert `rows` ({creator_id, identity, phone, account}: partner hashes, '' when unknown)
    in one upsert; the last row of a creator wins. Returns the creators written."""
    authorize(actor, "risk.partner_data")
    latest = {row["creator_id"]: row for row in rows}
    if not latest:
        return 0
    now = timezone.now()
    values = [
        (creator_id, *(rekey(check_hash(row.get(field, ""))) for field in HASH_FIELDS), now)
        for creator_id, row in latest.items()
    ]
    IdentityHash.objects.bulk_create(
        [
            IdentityHash(creator_id=v[0], identity=v[1], phone=v[2], account=v[3], received_at=v[4])
            for v in values
        ],
        update_conflicts=True,
        unique_fields=["creator"],
        update_fields=["identity", "phone", "account", "received_at"],
    )
    audit_record(actor=actor, action="risk.identities", obj=None, after={"creators": len(values)})
    return len(values)


@transaction.atomic
def linked_orders_record(*, actor, rows: list[dict]) -> int:
    """Upsert `rows` ({creator_id, day, orders, gmv_fen}: running totals of the day's orders
    placed by accounts linked to the creator) in one upsert. Returns the days written."""
    authorize(actor, "risk.partner_data")
    latest = {(row["creator_id"], row["day"]): row for row in rows}
    if not latest:
        return 0
    now = timezone.now()
    values = [
        (creator_id, day, row["orders"], row["gmv_fen"], now)
        for (creator_id, day), row in latest.items()
    ]
    LinkedOrders.objects.bulk_create(
        [
            LinkedOrders(
                creator_id=v[0], day=v[1], orders=v[2], gmv=from_fen(v[3]), received_at=v[4]
            )
            for v in values
        ],
        update_conflicts=True,
        unique_fields=["creator", "day"],
        update_fields=["orders", "gmv", "received_at"],
    )
    audit_record(actor=actor, action="risk.linked_orders", obj=None, after={"days": len(values)})
    return len(values)
