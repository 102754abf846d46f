import django_filters

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
