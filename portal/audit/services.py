"""Writing the audit log. Every service that changes state calls `audit_record` inside its own
transaction, so a change and its record commit or roll back together."""

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils.functional import Promise

from .context import current_request_context
from .labels import object_repr
from .models import AuditEntry

_ACTION_LABELS: dict[str, Promise] = {}


def register_actions(labels: dict[str, Promise]) -> None:
    """Give audit actions a human name (translatable) for the log pages."""
    _ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    return str(_ACTION_LABELS.get(action, action))


def action_choices() -> list[tuple[str, str]]:
    return sorted(
        ((code, str(label)) for code, label in _ACTION_LABELS.items()), key=lambda c: c[1]
    )


def _json_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID, Promise)):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The JSON-ready values of `fields` on `obj`, for an entry's before and after."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(getattr(obj, name).values_list("pk", flat=True)) if obj.pk else []
        elif field.is_relation:
            values[name] = getattr(obj, field.attname)
        else:
            values[name] = _json_value(getattr(obj, name))
    return values


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    organization=None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry. Must run inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record() must be called inside the change's transaction.")
    context = current_request_context()
    actor_is_user = actor is not None and getattr(actor, "pk", None) is not None
    return AuditEntry.objects.create(
        actor=actor if actor_is_user else None,
        actor_label=(actor.email if actor_is_user else str(actor or "system"))[:254],
        action=action,
        object_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=object_repr(obj)[:255] if obj is not None else "",
        organization=organization,
        before=_json_value(before or {}),
        after=_json_value(after or {}),
        reason=reason,
        ip=context.ip if context else None,
        request_id=context.request_id if context else "",
    )
