"""The forms kit every page form and filter form is built on."""

import functools

import django_filters
from django import forms
from django.db.models import fields as model_fields
from django.utils.translation import gettext_lazy as _

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%dT%H:%M"
# What an empty choice says: in a form a value is still to be chosen; in a filter nothing is
# narrowed. Django's "---------" and "- Select an option -" are neither words nor translated.
CHOOSE = _("Choose…")
ANY = _("Any")
_DJANGO_BLANK = getattr(model_fields, "BLANK_CHOICE_LABEL", None)  # Django 6.1 on


def _unworded(label) -> bool:
    return label is not None and (
        label is _DJANGO_BLANK or str(label) in ("---------", "- Select an option -")
    )


class DateInput(forms.DateInput):
    """The browser's date picker. Its value is ISO 8601 in every language: `<input type="date">`
    takes no other form, and shows a localized value ("2026/12/01" in Chinese) as empty, so
    the form comes back refusing a required date the person never removed."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    """The browser's date and time picker, with the ISO value it requires."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_DATETIME)


def _pickers(field) -> None:
    """Give a date or date-time field the picker with an ISO value."""
    widget = field.widget
    attrs = {k: v for k, v in widget.attrs.items() if k != "type"}
    if isinstance(field, forms.DateTimeField) and type(widget) is forms.DateTimeInput:
        field.widget = DateTimeInput(attrs=attrs)
    elif isinstance(field, forms.DateField) and type(widget) is forms.DateInput:
        field.widget = DateInput(attrs=attrs)


def _worded_blank(field, blank) -> None:
    """Say what an empty choice means, in the reader's language."""
    if hasattr(field, "empty_label"):  # model choices, and django-filter's choices
        if _unworded(field.empty_label):
            field.empty_label = blank
            # The widget of a copied field may still list the original field's choices.
            field.widget.choices = field.choices
    elif isinstance(field, forms.ChoiceField):
        choices = list(field.choices)
        if choices and choices[0][0] == "" and _unworded(choices[0][1]):
            field.choices = [("", blank), *choices[1:]]


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """A model choice field's options read with one plain query. Django reads them through
    `.iterator()`, a server-side cursor on PostgreSQL: DECLARE ... WITH HOLD, FETCH and CLOSE,
    three round trips for the twenty-odd categories of a filter (issue #17)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


@functools.cache
def _listed(iterator: type) -> type:
    if iterator is forms.models.ModelChoiceIterator:
        return ListedChoiceIterator
    if issubclass(iterator, ListedChoiceIterator):
        return iterator
    # django-filter's iterator adds its "null" choice around the one it extends.
    return type(f"Listed{iterator.__name__}", (iterator, ListedChoiceIterator), {})


def _listed_choices(field) -> None:
    if isinstance(field, forms.ModelChoiceField):
        field.iterator = _listed(field.iterator)
        field.widget.choices = field.choices


class PortalFormMixin:
    """Labels without a trailing colon (the page layout already separates label and field),
    date pickers with ISO values, empty choices in words, model choices in one query."""

    blank_choice = CHOOSE

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            _pickers(field)
            _listed_choices(field)
            _worded_blank(field, self.blank_choice)


class FilterForm(PortalFormMixin, forms.Form):
    """A filter form: an empty choice means "any"."""

    blank_choice = ANY


class PortalFilterSet(django_filters.FilterSet):
    """A filter set whose form is built on the kit (ISO date pickers, worded empty choices)."""

    def get_form_class(self):
        form_class = super().get_form_class()
        if issubclass(form_class, PortalFormMixin):
            return form_class
        return type(form_class.__name__, (FilterForm, form_class), {})


class SortFilter(django_filters.OrderingFilter):
    """The orders a list offers, each with its own label, and only those. django-filter's own
    list adds every field in both directions, labelled with the field name turned into a word
    ("Gmv") and "%s (descending)" composed once, in whatever language was active when the module
    was imported ("姓名 (descending)" for every reader)."""

    def build_choices(self, fields, labels):
        return list(labels.items())
