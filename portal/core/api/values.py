"""Lists answered from `.values()` rows instead of model instances and serializers (issue #17).

A ModelSerializer costs ~100 µs a row on a list: a model instance per row (and per
`select_related` object the serializer never reads), a many-to-many manager per row, every field
looked up by attribute. `ValuesListMixin.list` asks the viewset's own `get_queryset()` (so the
scoping stays in `for_user`) for exactly the serializer's fields as `.values()`, pages them with the
same cursor pagination, and builds each row with the serializer's own fields'
`to_representation`: the same output, byte for byte, and the same OpenAPI schema (the serializer
class is unchanged and still describes every field). Many-to-many fields take one query for the
page, as the prefetch did; fields the serializer computes (`SerializerMethodField`) are supplied
per page by the viewset's `values_extra`, a mapping of field name to a function of the page's ids
returning {id: value}.

The filter backends are skipped when the request has no parameter but the page's (`cursor`,
`page_size`): building the FilterSet costs ~1.5 ms a request, and with no data it filters nothing
(the cursor pagination orders the page itself).
"""

import datetime
import decimal
import functools
from operator import itemgetter

from django.conf import settings
from django.utils import timezone
from rest_framework import fields as drf
from rest_framework.fields import SerializerMethodField
from rest_framework.relations import (
    HyperlinkedRelatedField,
    ManyRelatedField,
    PrimaryKeyRelatedField,
)
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

NONE = type(None)


def _inherits(field, drf_class) -> bool:
    """The field represents values exactly as `drf_class` does (it may be a subclass that changes
    only how it reads input, like portal.core.api.fields.AmountField)."""
    return isinstance(field, drf_class) and (
        type(field).to_representation is drf_class.to_representation
    )


class Converter:
    """How one field's values become its representation, a whole column at a time.

    `exact` maps a value type to a function giving exactly what the field's `to_representation`
    gives for every value of that type (None: the value itself), made per page by `for_page` (a
    page reads the current time zone and decimal context once); any other type goes through the
    field's own `to_representation`. A column is converted with `map` when its values share one
    type, so that the common cases cost no Python call per value."""

    def __init__(self, field, exact=None, for_page=None):
        self.field = field
        self.exact = exact or {}
        self.for_page = for_page

    def column(self, values: list) -> list:
        exact = self.for_page() if self.for_page is not None else self.exact
        types = set(map(type, values))
        nulls = NONE in types
        types.discard(NONE)
        kind = next(iter(types)) if len(types) == 1 else None
        convert = exact.get(kind, self.field.to_representation)
        if convert is None or not types:
            return values
        if nulls:
            return [None if value is None else convert(value) for value in values]
        return list(map(convert, values))


def _iso(field, zone):
    """What DRF's ISO 8601 DateTimeField gives for a value, with the zone looked up once by the
    caller: an aware value in `zone`, "Z" for UTC; anything else the field's own way."""

    def iso(value):
        if isinstance(value, str) or not timezone.is_aware(value):
            return field.to_representation(value)
        try:
            value = value.astimezone(zone)
        except OverflowError:
            return field.to_representation(value)  # DRF's error
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return iso


def _datetimes(field):
    def for_page():
        return {datetime.datetime: _iso(field, timezone.get_current_timezone())}

    return DateTimes(field, for_page=for_page)


class DateTimes(Converter):
    """Aware datetimes with fixed offsets (what the database driver gives: UTC) in one list
    comprehension: `astimezone` and `isoformat` are all DRF does for them, and its per-value
    checks (is the value aware? which zone?) are made once for the column. Anything else, or a
    value the zone cannot hold, goes value by value as DRF does."""

    def column(self, values: list) -> list:
        present = [value for value in values if value is not None]
        if (
            present
            and set(map(type, present)) == {datetime.datetime}
            and all(type(zone) is datetime.timezone for zone in {v.tzinfo for v in present})
        ):
            zone = timezone.get_current_timezone()
            try:
                texts = [value.astimezone(zone).isoformat() for value in present]
            except OverflowError:
                return super().column(values)  # DRF's error, from the value that causes it
            texts = [text[:-6] + "Z" if text.endswith("+00:00") else text for text in texts]
            if len(texts) == len(values):
                return texts
            found = iter(texts)
            return [None if value is None else next(found) for value in values]
        return super().column(values)


def _decimals(field):
    places, rounding = field.decimal_places, field.rounding
    quantum = decimal.Decimal(".1") ** places

    def for_page():
        # DRF copies the current context per value; once per page here, with the same precision.
        context = decimal.getcontext().copy()
        if field.max_digits is not None:
            context.prec = field.max_digits
        quantize = decimal.Decimal.quantize

        def text(value):
            return f"{quantize(value, quantum, rounding=rounding, context=context):f}"

        def short(value):
            # With at most 6 places str() writes a quantized value as the f format does (it
            # turns to an exponent only beyond 6 leading zeros or with a positive exponent).
            return str(quantize(value, quantum, rounding=rounding, context=context))

        return {decimal.Decimal: short if 0 <= places <= 6 else text}

    return Converter(field, for_page=for_page)


def column_converter(field) -> Converter | None:
    """The field's representation as a Converter; None when a value from .values() is already
    its representation (a primary key)."""
    if isinstance(field, PrimaryKeyRelatedField) and field.pk_field is None:
        return None
    if _inherits(field, drf.BooleanField):
        return Converter(field, {bool: None})
    if _inherits(field, drf.BigIntegerField):
        as_text = getattr(field, "coerce_to_string", drf.api_settings.COERCE_BIGINT_TO_STRING)
        return Converter(field, {int: str if as_text else None})
    if _inherits(field, drf.IntegerField):
        return Converter(field, {int: None})  # int(value) is the value; not for a bool
    if _inherits(field, drf.ChoiceField) and all(
        type(key) is str and text == key for text, key in field.choice_strings_to_values.items()
    ):
        return Converter(field, {str: None})  # a string maps to itself, known or not
    if _inherits(field, drf.CharField):
        return Converter(field, {str: None})
    iso = drf.ISO_8601
    if (
        _inherits(field, drf.DateField)
        and getattr(field, "format", drf.api_settings.DATE_FORMAT) == iso
    ):
        return Converter(field, {datetime.date: datetime.date.isoformat})
    if (
        _inherits(field, drf.DateTimeField)
        and getattr(field, "format", drf.api_settings.DATETIME_FORMAT) == iso
        and not hasattr(field, "timezone")
        and settings.USE_TZ
    ):
        return _datetimes(field)
    if (
        _inherits(field, drf.DecimalField)
        and field.decimal_places is not None
        and getattr(field, "coerce_to_string", drf.api_settings.COERCE_DECIMAL_TO_STRING)
        and not field.normalize_output
        and not field.localize
    ):
        return _decimals(field)
    return Converter(field)


def converter(field):
    """The field's to_representation, or an equivalent without its per-value overhead for the
    common exact field classes, value by value (for rows built elsewhere, as the placement
    feed's): DRF's DateTimeField looks the current time zone up (a thread-local) for every
    value; here once per call. A list a column at a time: `column_converter`."""
    kind = type(field)
    if kind is drf.IntegerField:
        return int
    if kind is drf.CharField:
        return str
    if (
        kind is drf.DateTimeField
        and getattr(field, "format", drf.api_settings.DATETIME_FORMAT) == drf.ISO_8601
        and not hasattr(field, "timezone")
        and settings.USE_TZ
    ):
        return _iso(field, timezone.get_current_timezone())
    return field.to_representation


class RowPlan:
    """How to build rows of a serializer from .values(): every field in the serializer's order,
    each plain field with its ORM path and Converter; the many-to-many and the computed fields
    are filled in per page.

    A plan depends only on the serializer class, so it is made once per class (`plan_for`):
    building a ModelSerializer's fields costs ~1-2 ms a request."""

    def __init__(self, serializer):
        self.fields = []  # (name, path or None, Converter or None)
        self.many = []
        self.computed = []
        for name, field in serializer.fields.items():
            if field.write_only:
                continue
            if isinstance(field, ManyRelatedField):
                self.many.append(name)
                self.fields.append((name, None, None))
            elif isinstance(field, SerializerMethodField):
                self.computed.append(name)
                self.fields.append((name, None, None))
            else:
                path = field.source.replace(".", "__")
                self.fields.append((name, path, column_converter(field)))
        self.names = [name for name, _path, _convert in self.fields]
        self.paths = list(dict.fromkeys(path for _name, path, _to in self.fields if path))

    def rows(self, found: list[dict]) -> list[dict]:
        """The rows, built a column at a time (one `map` per field, `dict(zip())` per row)."""
        columns = []
        for _name, path, convert in self.fields:
            if path is None:
                columns.append([None] * len(found))
                continue
            values = list(map(itemgetter(path), found))
            columns.append(values if convert is None else convert.column(values))
        names = self.names
        return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def _needs_request(field) -> bool:
    """Fields whose representation reads the serializer's context (absolute URLs)."""
    if isinstance(field, ManyRelatedField):
        field = field.child_relation
    return isinstance(field, drf.FileField | HyperlinkedRelatedField | BaseSerializer)


@functools.cache
def plan_for(serializer_class) -> RowPlan | None:
    """The RowPlan of a serializer class with no field reading the request; None otherwise (a
    plan is then made per request, with the request's context)."""
    serializer = serializer_class()
    if any(_needs_request(field) for field in serializer.fields.values()):
        return None
    return RowPlan(serializer)


def many_to_many(model, name: str, ids: list) -> dict:
    """{object id: [related ids]} of the many-to-many field `name` for the objects `ids`, in one
    query, in the order the related manager lists them (the related model's ordering)."""
    field = model._meta.get_field(name)
    through = field.remote_field.through
    own, other = field.m2m_field_name(), field.m2m_reverse_field_name()
    ordering = [
        f"-{other}__{key[1:]}" if key.startswith("-") else f"{other}__{key}"
        for key in field.related_model._meta.ordering
    ]
    found: dict = {}
    for pk, related in (
        through.objects.filter(**{f"{own}_id__in": ids})
        .order_by(*ordering)
        .values_list(f"{own}_id", f"{other}_id")
    ):
        found.setdefault(pk, []).append(related)
    return found


class ValuesListMixin:
    values_extra: dict = {}

    def filter_queryset(self, queryset):
        if not set(self.request.query_params) - {"cursor", "page_size"}:
            return queryset
        return super().filter_queryset(queryset)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        plan = plan_for(self.get_serializer_class()) or RowPlan(self.get_serializer())
        values = queryset.prefetch_related(None).values(*plan.paths)
        page = self.paginate_queryset(values)
        found = list(page if page is not None else values)
        rows = plan.rows(found)
        if rows and (plan.many or plan.computed):
            ids = [row["id"] for row in rows]
            for name in plan.many:
                related = many_to_many(queryset.model, name, ids)
                for row in rows:
                    row[name] = related.get(row["id"], [])
            for name in plan.computed:
                computed = self.values_extra[name](ids)
                for row in rows:
                    row[name] = computed.get(row["id"])
        if page is not None:
            return self.get_paginated_response(rows)
        return Response(rows)
