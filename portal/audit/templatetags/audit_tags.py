from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from portal.audit.services import action_label as label_of

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return label_of(action)


def _readable(field, value):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


@register.simple_tag
def entry_changes(entry) -> list[tuple[str, object, object, bool]]:
    """(field label, before, after, had a value before) for an entry, in the reader's words:
    field names become their verbose names and stored choice values their labels."""
    model = entry.object_type.model_class() if entry.object_type_id else None
    rows = []
    for key, old, new in entry.changed_fields():
        try:
            field = model._meta.get_field(key) if model is not None else None
        except FieldDoesNotExist:
            field = None
        if field is not None and not field.concrete:
            field = None  # a reverse relation (a count such as a list's `lines`): no label
        label = capfirst(field.verbose_name) if field is not None else key
        rows.append((label, _readable(field, old), _readable(field, new), old is not None))
    return rows
