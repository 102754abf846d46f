"""Entry rules: operators create them and switch them on or off (the nightly job applies the
active ones, see pool.entry_rules_apply). A rule is never deleted: pool members keep a reference
to the rule that admitted them."""

from django.db import transaction

from incubation.models import EntryRule
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record

FIELDS = (
    "name",
    "category",
    "window_days",
    "min_followers",
    "min_valid_plays",
    "min_original_videos",
    "is_active",
)


def _state(rule: EntryRule) -> dict:
    return {
        name: (rule.category_id if name == "category" else getattr(rule, name)) for name in FIELDS
    }


@transaction.atomic
def entry_rule_save(*, actor, rule: EntryRule | None = None, **fields) -> EntryRule:
    """Create a rule (`rule` None) or change one: any of FIELDS, e.g. `is_active=False` to stop
    it admitting creators. Validated by the model (window 1-365 days)."""
    authorize(actor, "incubation.manage")
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown entry rule fields: {sorted(unknown)}")
    if rule is None:
        rule, before = EntryRule(), {}
    else:
        rule = EntryRule.objects.select_for_update().get(pk=rule.pk)
        before = _state(rule)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor,
        action="entry_rule.save",
        obj=rule,
        before=before,
        after=_state(rule),
    )
    return rule
