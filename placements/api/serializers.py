from django.utils import timezone
from rest_framework import serializers

from incentives.api.serializers import Money
from placements.models import Coupon, Placement

MAX_INT = 2**31 - 1


class PlacementSerializer(serializers.ModelSerializer):
    """One slot of the feed. `boost_factor` is the weighted-exposure factor of the video's grade
    and originality under `boost_rule` (the placement rule in force on the day)."""

    surface = serializers.CharField(source="surface.code")
    date = serializers.DateField(source="day")
    field = serializers.CharField(source="category.code")
    video_id = serializers.CharField(source="video.video_id")
    creator = serializers.CharField(source="video.creator.platform_account_id")
    sku = serializers.CharField(source="product.sku_id", allow_null=True, default=None)
    grade = serializers.CharField(source="video.grade")
    originality = serializers.CharField(source="video.originality")
    boost_factor = serializers.DecimalField(max_digits=4, decimal_places=2, read_only=True)
    boost_rule = serializers.IntegerField(allow_null=True, read_only=True)

    class Meta:
        model = Placement
        fields = [
            "id",
            "surface",
            "date",
            "field",
            "video_id",
            "creator",
            "sku",
            "impressions",
            "status",
            "withdrawn_reason",
            "grade",
            "originality",
            "boost_factor",
            "boost_rule",
            "updated_at",
        ]


class CouponSerializer(serializers.ModelSerializer):
    video_id = serializers.CharField(source="video.video_id")
    placement = serializers.IntegerField(source="placement_id", allow_null=True)
    value = Money(read_only=True, help_text="CNY of the traffic pool the coupon took.")
    returned_value = Money(read_only=True, help_text="CNY given back for undelivered impressions.")

    class Meta:
        model = Coupon
        fields = [
            "id",
            "video_id",
            "source",
            "placement",
            "grade",
            "impressions",
            "delivered",
            "value",
            "returned_value",
            "closed_at",
            "created_at",
        ]


class DeliveryRowSerializer(serializers.Serializer):
    coupon = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    date = serializers.DateField()
    impressions = serializers.IntegerField(min_value=0, max_value=MAX_INT)

    def validate_date(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError("The date is in the future.")
        return value


class DeliveryBatchSerializer(serializers.Serializer):
    rows = DeliveryRowSerializer(many=True, allow_empty=False, max_length=5000)


class DeliveryResultSerializer(serializers.Serializer):
    applied = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.DictField(
        child=serializers.CharField(), help_text="Reason by row position (0-based)."
    )


class BoostSerializer(serializers.Serializer):
    """One graded video's weighted exposure for the recommendation system: multiply its ranking
    weight by `boost_factor`, from its `grade` and `originality` under the placement rule
    version `boost_rule` (null when no rule is in force yet; the factor is then 1.00)."""

    id = serializers.IntegerField(read_only=True, help_text="The portal's video id (the cursor's).")
    video_id = serializers.CharField(read_only=True, help_text="The platform's video id.")
    creator = serializers.CharField(read_only=True, help_text="The creator's platform account.")
    field = serializers.CharField(read_only=True, help_text="Creative field code.")
    grade = serializers.CharField(read_only=True)
    originality = serializers.CharField(read_only=True)
    boost_factor = serializers.DecimalField(max_digits=4, decimal_places=2, read_only=True)
    boost_rule = serializers.IntegerField(allow_null=True, read_only=True)
    updated_at = serializers.DateTimeField(
        read_only=True, help_text="When the grade or originality last changed."
    )
