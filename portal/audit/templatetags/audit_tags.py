from django import template
from django.utils.translation import gettext as _

from portal.audit import labels
from portal.audit.services import action_label as label_of

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return label_of(action)


@register.filter
def entry_actor(entry) -> str:
    return labels.actor_display(entry)


@register.filter
def entry_object(entry) -> str:
    return labels.object_display(entry)


def _readable(field, value):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and getattr(field, "choices", None):
        choices = dict(field.flatchoices)
        if isinstance(value, list):
            return ", ".join(str(choices.get(item, item)) for item in value)
        return choices.get(value, value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    return value


@register.simple_tag
def entry_changes(entry) -> list[tuple[str, object, object, bool]]:
    """(field label, before, after, had a value before) for an entry, in the reader's words:
    field names become their verbose names and stored choice values their labels."""
    model = labels.entry_model(entry)
    rows = []
    for key, old, new in entry.changed_fields():
        field = labels.detail_field(model, key)
        label = labels.detail_label(entry.action, key, field)
        rows.append((label, _readable(field, old), _readable(field, new), old is not None))
    return rows
