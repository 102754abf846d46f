import datetime
import re
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from creators.limits import amount_limits, whole_limits
from creators.models import (
    Binding,
    BindingConsent,
    BindingSource,
    ConsentState,
    Creator,
    DailyMetric,
)
from portal.core.api.fields import AmountField, WholeNumberField
from portal.core.ranges import EARLIEST_DAY

UNSHARED = "Null when the creator does not share their metrics with the caller's organization."


class CreatorSerializer(serializers.ModelSerializer):
    organization = serializers.IntegerField(
        source="organization_id",
        read_only=True,
        allow_null=True,
        help_text="The organization the creator is bound to now, if any.",
    )
    secondary_categories = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    # The creator's metrics and contact details reach an organization only as far as the creator
    # shares them (`creators/consent.py`); staff see them all.
    plays_30d = serializers.IntegerField(
        source="shared_plays_30d", read_only=True, allow_null=True, help_text=UNSHARED
    )
    valid_plays_30d = serializers.IntegerField(
        source="shared_valid_plays_30d", read_only=True, allow_null=True, help_text=UNSHARED
    )
    gmv_30d = serializers.DecimalField(
        source="shared_gmv_30d",
        max_digits=16,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=UNSHARED,
    )
    metrics_through = serializers.DateField(
        source="shared_metrics_through", read_only=True, allow_null=True, help_text=UNSHARED
    )
    consent = serializers.ChoiceField(
        source="consent_state",
        choices=ConsentState.choices,
        read_only=True,
        allow_null=True,
        help_text="The creator's consent to their current binding (null when not bound).",
    )
    shares_earnings = serializers.BooleanField(
        source="consent_earnings", read_only=True, allow_null=True
    )
    shares_metrics = serializers.BooleanField(
        source="consent_metrics", read_only=True, allow_null=True
    )
    shares_contact = serializers.BooleanField(
        source="consent_contact", read_only=True, allow_null=True
    )
    contact_mobile = serializers.CharField(
        read_only=True, help_text="Empty unless the creator shares contact details."
    )
    contact_email = serializers.CharField(
        read_only=True, help_text="Empty unless the creator shares contact details."
    )

    class Meta:
        model = Creator
        fields = [
            "id",
            "platform_account_id",
            "display_name",
            "primary_category",
            "secondary_categories",
            "follower_count",
            "real_name_verified",
            "stage",
            "organization",
            "plays_30d",
            "valid_plays_30d",
            "gmv_30d",
            "metrics_through",
            "consent",
            "shares_earnings",
            "shares_metrics",
            "shares_contact",
            "contact_mobile",
            "contact_email",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class BindingConsentSerializer(serializers.ModelSerializer):
    """What the creator answered: the state and the three scopes (the contact details themselves
    are never in the API)."""

    class Meta:
        model = BindingConsent
        fields = ["state", "earnings", "metrics", "contact", "decided_at", "withdrawn_at"]
        read_only_fields = fields


class BindingSerializer(serializers.ModelSerializer):
    platform_account_id = serializers.CharField(
        source="creator.platform_account_id", read_only=True
    )
    consent = BindingConsentSerializer(
        read_only=True,
        allow_null=True,
        help_text="The creator's consent to this binding and the scopes it shares; null for a "
        "binding that never asked (it shares nothing).",
    )

    class Meta:
        model = Binding
        fields = [
            "id",
            "creator",
            "platform_account_id",
            "organization",
            "source",
            "started_on",
            "ended_on",
            "end_reason",
            "created_at",
            "consent",
        ]
        read_only_fields = fields


class BindingCreateSerializer(serializers.Serializer):
    """Bind a creator to the caller's organization (operators name the organization). Only these
    fields are read; anything else in the body is ignored."""

    platform_account_id = serializers.CharField(max_length=64)
    organization = WholeNumberField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Operators only."
    )
    source = serializers.ChoiceField(choices=BindingSource.choices, default=BindingSource.RECRUITED)
    started_on = serializers.DateField(required=False)


class BindingEndSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    ended_on = serializers.DateField(required=False)


class MetricSerializer(serializers.ModelSerializer):
    platform_account_id = serializers.CharField(
        source="creator.platform_account_id", read_only=True
    )

    class Meta:
        model = DailyMetric
        fields = [
            "id",
            "creator",
            "platform_account_id",
            "date",
            "plays",
            "valid_plays",
            "counted_valid_plays",
            "new_followers",
            "videos_published",
            "original_videos",
            "gmv",
            "orders",
            "commission",
            "interactions",
            "flag",
            "received_at",
        ]
        read_only_fields = fields


def _count(field: str, **options) -> serializers.IntegerField:
    """A whole-number figure, bounded by its column and the limits that keep its sums in theirs."""
    low, high = whole_limits(field)
    return WholeNumberField(min_value=low, max_value=high, **options)


def _amount(field: str, **options) -> serializers.DecimalField:
    digits, places, high = amount_limits(field)
    return AmountField(
        max_digits=digits, decimal_places=places, min_value=0, max_value=high, **options
    )


class MetricRowSerializer(serializers.Serializer):
    """One creator-day. Every number is bounded (see the schema's minimum and maximum): the
    column's range, narrowed so that the portal's sums of them (30-day figures, a cycle's
    totals) stay within theirs; dates run from 2000-01-01 to today."""

    platform_account_id = serializers.CharField(max_length=64)
    date = serializers.DateField()
    plays = _count("plays")
    valid_plays = _count("valid_plays")
    new_followers = _count("new_followers", default=0)
    videos_published = _count("videos_published", default=0)
    original_videos = _count("original_videos", default=0)
    gmv = _amount("gmv", default=0)
    orders = _count("orders", default=0)
    commission = _amount("commission", default=0)
    interactions = _count(
        "interactions", default=0, help_text="Likes, comments and shares of the day."
    )

    def validate_date(self, value: datetime.date):
        if value > timezone.localdate():
            raise serializers.ValidationError(_("The date is in the future."))
        if value < EARLIEST_DAY:
            raise serializers.ValidationError(
                _("Enter a date from %(day)s on.") % {"day": EARLIEST_DAY}
            )
        return value


class MetricBatchSerializer(serializers.Serializer):
    rows = MetricRowSerializer(many=True, allow_empty=False, max_length=5000)


# --- the plain path of a metrics batch (issue #17) ----------------------------------------------
# DRF validates a 1,000-row batch in ~140 ms (eleven fields, their validators, per row). Rows that
# are plainly well formed (the common case: JSON numbers for counts, decimal strings for amounts,
# ISO dates, a trimmed account id) are read here in a few microseconds each; anything else, even
# one row, goes through MetricBatchSerializer, which gives the errors and accepts the other
# spellings (digit strings, JSON numbers for amounts, padded ids) exactly as before.

_ISO_DAY = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z", re.ASCII)
_COUNTS = {
    name: (whole_limits(name), name not in ("plays", "valid_plays"))  # (limits, optional)
    for name in (
        "plays",
        "valid_plays",
        "new_followers",
        "videos_published",
        "original_videos",
        "orders",
        "interactions",
    )
}
_AMOUNTS = {}
for _name in ("gmv", "commission"):
    _digits, _places, _high = amount_limits(_name)
    _AMOUNTS[_name] = (
        re.compile(rf"\A[0-9]{{1,{_digits - _places}}}(?:\.[0-9]{{1,{_places}}})?\Z", re.ASCII),
        Decimal(1).scaleb(-_places),
        _high,
    )


def plain_metric_rows(data) -> list[dict] | None:
    """The validated rows of a batch when every row is plainly well formed, else None (then
    MetricBatchSerializer decides, with its errors)."""
    rows = data.get("rows") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not 0 < len(rows) <= 5000:
        return None
    today = timezone.localdate()
    valid = []
    for row in rows:
        if not isinstance(row, dict):
            return None
        account = row.get("platform_account_id")
        if (
            type(account) is not str
            or not 0 < len(account) <= 64
            or account != account.strip()
            or "\x00" in account
            or not account.isprintable()
        ):
            return None
        day = row.get("date")
        if type(day) is not str or not _ISO_DAY.match(day):
            return None
        try:
            day = datetime.date.fromisoformat(day)
        except ValueError:
            return None
        if not EARLIEST_DAY <= day <= today:
            return None
        out = {"platform_account_id": account, "date": day}
        for name, ((low, high), optional) in _COUNTS.items():
            if name not in row:
                if not optional:
                    return None
                out[name] = 0
                continue
            value = row[name]
            if type(value) is not int or not low <= value <= high:
                return None
            out[name] = value
        for name, (shape, step, high) in _AMOUNTS.items():
            if name not in row:
                out[name] = 0
                continue
            value = row[name]
            if type(value) is not str or not shape.match(value):
                return None
            amount = Decimal(value).quantize(step)
            if amount > high:
                return None
            out[name] = amount
        valid.append(out)
    return valid


class MetricBatchResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    written = serializers.IntegerField()
    rejected = serializers.IntegerField()
    creators = serializers.IntegerField()
    source = serializers.CharField(help_text="`api` for this endpoint.")
    errors = serializers.DictField(
        child=serializers.CharField(), help_text="Reason by row position (0-based)."
    )

    def get_fields(self):
        # `from` is a Python keyword, so the two bounds of the days written are added by name.
        fields = super().get_fields()
        for name, which in (("from", "first"), ("to", "last")):
            fields[name] = serializers.DateField(
                required=False, help_text=f"The {which} day written; absent when none was."
            )
        return fields
