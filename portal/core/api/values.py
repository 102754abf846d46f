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

from django.conf import settings
from django.utils import timezone
from rest_framework import fields as drf
from rest_framework.fields import SerializerMethodField
from rest_framework.relations import ManyRelatedField, PrimaryKeyRelatedField
from rest_framework.response import Response


def converter(field):
    """The field's to_representation, or an equivalent without its per-value overhead for the
    common exact field classes: DRF's DateTimeField looks the current time zone up (a
    thread-local) for every value; here once per page."""
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
        zone = timezone.get_current_timezone()

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
    return field.to_representation


class RowPlan:
    """How to build rows of a serializer from .values(): every field in the serializer's order,
    each plain field with its ORM path and representation function; the many-to-many and the
    computed fields are filled in per page."""

    def __init__(self, serializer):
        self.fields = []  # (name, path or None, to_representation or None)
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
                plain_key = isinstance(field, PrimaryKeyRelatedField) and field.pk_field is None
                self.fields.append((name, path, None if plain_key else converter(field)))
        self.paths = list(dict.fromkeys(path for _name, path, _to in self.fields if path))

    def rows(self, found: list[dict]) -> list[dict]:
        rows = []
        for values in found:
            row = {}
            for name, path, convert in self.fields:
                value = None if path is None else values[path]
                row[name] = value if value is None or convert is None else convert(value)
            rows.append(row)
        return rows


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
        plan = RowPlan(self.get_serializer())
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
