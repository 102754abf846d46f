"""How the log reads: entries store codes, and labels are rendered in the reader's language when the
log is read. An entry written by a Chinese-speaking operator reads in English for an English reader.

- An object's name is stored by `object_repr()`. A model whose name shows a choice (a member's
  role, a nomination's status) declares `audit_repr`, a format over its attributes such as
  `"{user} @ {organization} ({role})"`; the choice is stored as its code and `object_display()`
  renders its label. Entries written before this (with the label of the writer's language)
  are recognised by the labels of every language and read the same way.
- Keys of `before`/`after` that are model fields read as the field's verbose name; other keys
  (counts, dates, summaries a service records) read as the label their app registers with
  `register_details()`.
"""

import re
from functools import cache

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

_DETAIL_LABELS: dict[str, Promise] = {}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def register_details(labels: dict[str, Promise]) -> None:
    """Labels for keys of `before`/`after` that are not model fields: `"key"` for every action,
    `"action:key"` for one action."""
    _DETAIL_LABELS.update(labels)


def object_repr(obj: models.Model) -> str:
    """The name stored with an entry: free of the writer's language."""
    template = getattr(type(obj), "audit_repr", None)
    if template is None:
        return str(obj)
    return template.format(**{name: _raw(obj, name) for name in _PLACEHOLDER.findall(template)})


def _raw(obj, name):
    value = getattr(obj, name)
    return value.value if isinstance(value, models.Choices) else value


def _choice_field(model, name):
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if getattr(field, "choices", None) else None


@cache
def _codes_by_text(model, name: str) -> dict[str, str]:
    """Every spelling of a choice of `model.name` (its code and its label in each language) to
    its code."""
    field = _choice_field(model, name)
    spellings = {}
    for code, label in field.flatchoices:
        spellings[str(code)] = str(code)
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                spellings[str(label)] = str(code)
    return spellings


@cache
def _pattern(model, template: str) -> re.Pattern:
    parts = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        name = match.group(1)
        if _choice_field(model, name) is not None:
            spellings = sorted(_codes_by_text(model, name), key=len, reverse=True)
            parts.append(f"(?P<{name}>{'|'.join(re.escape(s) for s in spellings)})")
        else:
            parts.append(f"(?P<{name}>.+?)")
        position = match.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts), re.DOTALL)


def object_display(entry) -> str:
    """The entry's object name in the reader's language."""
    text = entry.object_repr
    model = entry_model(entry)
    template = getattr(model, "audit_repr", None)
    if not text or template is None:
        return text
    match = _pattern(model, template).fullmatch(text)
    if match is None:
        return text
    values = {}
    for name, value in match.groupdict().items():
        field = _choice_field(model, name)
        if field is not None:
            code = _codes_by_text(model, name)[value]
            value = str(dict(field.flatchoices).get(code, value))
        values[name] = value
    return template.format(**values)


def entry_model(entry):
    """The model of the entry's object, from the content type cache (no query per entry)."""
    if not entry.object_type_id:
        return None
    return ContentType.objects.get_for_id(entry.object_type_id).model_class()


def actor_display(entry) -> str:
    if entry.actor_id is not None and entry.actor is not None:
        return entry.actor.full_name or entry.actor_label
    if entry.actor_label == "system":
        return _("System")
    return entry.actor_label


def detail_field(model, key: str):
    """The model field a detail key names, if it names one."""
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def detail_label(action: str, key: str, field) -> str:
    """A key of `before`/`after` in the reader's words."""
    label = _DETAIL_LABELS.get(f"{action}:{key}") or _DETAIL_LABELS.get(key)
    if label is None and field is not None:
        # A reverse relation (a rule version's subsidy rules) has no verbose name of its own:
        # it reads as the related model's plural.
        label = getattr(field, "verbose_name", None) or (
            field.related_model._meta.verbose_name_plural if field.is_relation else None
        )
    return capfirst(str(label)) if label else key


def has_detail_label(action: str, key: str, model) -> bool:
    return detail_label(action, key, detail_field(model, key)) != key
