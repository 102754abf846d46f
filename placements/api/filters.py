import django_filters
from django import forms
from django.core.exceptions import ValidationError as FormError
from rest_framework.exceptions import ValidationError

from placements.models import Coupon, Placement, PlacementStatus


class PlacementFilterSet(django_filters.FilterSet):
    surface = django_filters.CharFilter(field_name="surface__code", help_text="Surface code.")
    date = django_filters.DateFilter(field_name="day", help_text="The day shown (Asia/Shanghai).")
    field = django_filters.CharFilter(field_name="category__code", help_text="Creative field code.")
    sku = django_filters.CharFilter(field_name="product__sku_id", help_text="Product SKU id.")
    status = django_filters.ChoiceFilter(choices=PlacementStatus.choices)

    class Meta:
        model = Placement
        fields = []


class CouponFilterSet(django_filters.FilterSet):
    video_id = django_filters.CharFilter(field_name="video__video_id")
    open = django_filters.BooleanFilter(
        field_name="closed_at", lookup_expr="isnull", help_text="Only coupons still delivering."
    )

    class Meta:
        model = Coupon
        fields = ["source"]


FEED_TEXT = ("surface", "field", "sku")


def feed_filters(params) -> dict:
    """The feed's filters, checked as `PlacementFilterSet` checks them (the same 400 answers)
    but without building a filter set on every request of the hottest endpoint."""
    found, errors = {}, {}
    for name in FEED_TEXT:
        found[name] = params.get(name, "")
    checks = {
        "day": ("date", forms.DateField(required=False)),
        "status": ("status", forms.ChoiceField(choices=PlacementStatus.choices, required=False)),
    }
    for key, (name, check) in checks.items():
        try:
            found[key] = check.clean(params.get(name, "")) or (None if key == "day" else "")
        except FormError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    return found


def boost_filters(params) -> dict:
    """The boost list's filters, checked as a filter set would (400 naming the parameter)."""
    found, errors = {"field": params.get("field", "")}, {}
    try:
        found["since"] = forms.DateTimeField(required=False).clean(params.get("since", ""))
    except FormError as error:
        errors["since"] = error.messages
    if errors:
        raise ValidationError(errors)
    return found
