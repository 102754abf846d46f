"""Publishing a version of the signal rules: the operator's whole table at once, checked against
each column's range, numbered after the newest."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from portal.accounts.permissions import SYSTEM, authorize
from portal.audit.services import audit_record

from ..models import (
    MAX_EXPIRY_DAYS,
    MAX_THRESHOLD,
    MAX_WINDOW_DAYS,
    Decision,
    RiskRule,
    RiskRuleSet,
    Signal,
)

RANGES = {
    "window_days": (1, MAX_WINDOW_DAYS),
    "threshold": (1, MAX_THRESHOLD),
    "expiry_days": (1, MAX_EXPIRY_DAYS),
}


def _checked(signal: str, row: dict) -> dict:
    errors = {}
    clean = {"enabled": bool(row.get("enabled"))}
    for field, (low, high) in RANGES.items():
        value = row.get(field)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[f"{signal}-{field}"] = _("Enter a whole number from %(low)s to %(high)s.") % {
                "low": f"{low:,}",
                "high": f"{high:,}",
            }
        else:
            clean[field] = value
    if row.get("default_decision") not in Decision.values:
        errors[f"{signal}-default_decision"] = _("Choose release or forfeit.")
    else:
        clean["default_decision"] = row["default_decision"]
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def rule_set_publish(*, actor, rows: dict[str, dict], note: str = "") -> RiskRuleSet:
    """A new version with one rule per signal (`rows` by signal). The newest is in force; cases
    already open keep the rule they were opened under."""
    authorize(actor, "risk.rules")
    missing = [signal for signal in Signal.values if signal not in rows]
    if missing:
        raise ValidationError(_("Every signal needs its rule."))
    errors, clean = {}, {}
    for signal in Signal.values:
        try:
            clean[signal] = _checked(signal, rows[signal])
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    RiskRuleSet.objects.select_for_update().order_by("-number").first()
    number = (RiskRuleSet.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    rule_set = RiskRuleSet.objects.create(
        number=number, note=note.strip()[:200], created_by=None if actor is SYSTEM else actor
    )
    RiskRule.objects.bulk_create(
        RiskRule(rule_set=rule_set, signal=signal, **values) for signal, values in clean.items()
    )
    audit_record(
        actor=actor,
        action="risk.rules",
        obj=rule_set,
        after={"version": number, "signals_on": [s for s, v in clean.items() if v["enabled"]]},
        reason=note.strip()[:200],
    )
    return rule_set
