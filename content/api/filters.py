import django_filters

from content.models import Originality, Video, VideoMetric


class VideoFilterSet(django_filters.FilterSet):
    creator = django_filters.CharFilter(
        field_name="creator__platform_account_id", help_text="Platform account id."
    )
    category = django_filters.CharFilter(field_name="category__code")
    content_type = django_filters.CharFilter(field_name="content_type__code")
    originality = django_filters.ChoiceFilter(choices=Originality.choices)
    grade = django_filters.ChoiceFilter(choices=[(g, g) for g in "SABC"])
    published_after = django_filters.DateFilter(field_name="published_on", lookup_expr="gte")
    published_before = django_filters.DateFilter(field_name="published_on", lookup_expr="lte")

    class Meta:
        model = Video
        fields = ["organization"]


class VideoMetricFilterSet(django_filters.FilterSet):
    video_id = django_filters.CharFilter(field_name="video__video_id")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = VideoMetric
        fields = []
