"""Videos and their figures in the API: lists and details, and the bulk upserts of the content
system (field lists are explicit; nothing else is accepted)."""

import datetime

from django.utils import timezone
from rest_framework import serializers

from content.fingerprint import FingerprintError, parse_hex
from content.models import Video, VideoMetric

MAX_BIG = 2**63 - 1


class ProductSerializer(serializers.Serializer):
    sku_id = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    category = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    reason_code = serializers.CharField(source="reason.code")
    reason = serializers.CharField(source="reason.text", help_text="In the caller's language.")
    note = serializers.CharField()
    on_appeal = serializers.BooleanField()
    decided_at = serializers.DateTimeField()


class GradeSerializer(serializers.Serializer):
    letter = serializers.CharField(help_text="S, A, B or C.")
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    rubric_version = serializers.IntegerField(source="rubric.number")
    graded_at = serializers.DateTimeField()


class VideoSerializer(serializers.ModelSerializer):
    creator = serializers.CharField(source="creator.platform_account_id")
    category = serializers.CharField(source="category.code")
    content_type = serializers.CharField(source="content_type.code")
    counts_as_original = serializers.BooleanField()
    products = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()
    latest_grade = serializers.SerializerMethodField()

    class Meta:
        model = Video
        fields = [
            "id",
            "video_id",
            "creator",
            "organization",
            "category",
            "content_type",
            "title",
            "duration_seconds",
            "published_at",
            "declared_original",
            "originality",
            "counts_as_original",
            "grade",
            "grade_score",
            "plays",
            "valid_plays",
            "gmv",
            "products",
            "decisions",
            "latest_grade",
        ]

    def get_products(self, video) -> list[dict]:
        return [
            {"sku_id": p.sku_id, "name": p.name, "category": p.category_name}
            for p in video.products.all()
        ]

    def get_decisions(self, video) -> list[dict]:
        review = getattr(video, "review", None) if hasattr(video, "review") else None
        if review is None:
            return []
        return DecisionSerializer(review.decisions.all(), many=True).data

    def get_latest_grade(self, video) -> dict | None:
        grades = list(video.grades.all())
        return GradeSerializer(grades[0]).data if grades else None


class VideoRowSerializer(serializers.Serializer):
    video_id = serializers.RegexField(r"^[A-Za-z0-9_.:\-]{1,64}$", max_length=64)
    platform_account_id = serializers.CharField(max_length=64)
    category = serializers.CharField(max_length=40, help_text="Creative-field code.")
    content_type = serializers.CharField(max_length=30, help_text="Content-type code.")
    title = serializers.CharField(max_length=200)
    duration_seconds = serializers.IntegerField(min_value=0, max_value=86_400)
    published_at = serializers.DateTimeField()
    declared_original = serializers.BooleanField(default=True)
    products = ProductSerializer(many=True, required=False, default=list, max_length=50)
    fingerprint = serializers.ListField(
        child=serializers.CharField(max_length=18),
        required=False,
        default=list,
        max_length=16,
        help_text="64-bit perceptual hashes of key frames, 16 hexadecimal digits each.",
    )

    def validate_published_at(self, value: datetime.datetime):
        if value > timezone.now() + datetime.timedelta(minutes=5):
            raise serializers.ValidationError("The publication time is in the future.")
        return value

    def validate_fingerprint(self, value: list[str]) -> list[int]:
        try:
            return [parse_hex(text) for text in value]
        except FingerprintError as error:
            raise serializers.ValidationError(
                f"“{error}” is not a 64-bit hash in 16 hexadecimal digits."
            ) from None


class VideoBatchSerializer(serializers.Serializer):
    rows = VideoRowSerializer(many=True, allow_empty=False, max_length=5000)


class BatchResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    rejected = serializers.IntegerField()
    source = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.CharField(), help_text="Reason by row position (0-based)."
    )


class VideoBatchResultSerializer(BatchResultSerializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


class VideoMetricBatchResultSerializer(BatchResultSerializer):
    written = serializers.IntegerField()


class VideoMetricSerializer(serializers.ModelSerializer):
    video_id = serializers.CharField(source="video.video_id")

    class Meta:
        model = VideoMetric
        fields = [
            "id",
            "video_id",
            "date",
            "plays",
            "valid_plays",
            "completion_rate",
            "interactions",
            "gmv",
        ]


class VideoMetricRowSerializer(serializers.Serializer):
    video_id = serializers.CharField(max_length=64)
    date = serializers.DateField()
    plays = serializers.IntegerField(min_value=0, max_value=MAX_BIG)
    valid_plays = serializers.IntegerField(min_value=0, max_value=MAX_BIG)
    completion_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=0, max_value=1, default=0
    )
    interactions = serializers.IntegerField(min_value=0, max_value=MAX_BIG, default=0)
    gmv = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, default=0)

    def validate_date(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError("The date is in the future.")
        return value


class VideoMetricBatchSerializer(serializers.Serializer):
    rows = VideoMetricRowSerializer(many=True, allow_empty=False, max_length=5000)


class CoverSerializer(serializers.Serializer):
    cover = serializers.FileField(help_text="JPEG, PNG or WEBP, at most 2 MB.")
