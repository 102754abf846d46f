"""What partners send for the risk signals: keyed identity hashes and orders from linked
accounts, per creator, in batches of up to 1,000 rows (one scope, `risk-signals:write`)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from creators.models import Creator
from portal.accounts.permissions import ActionPermission
from portal.core.api.errors import ErrorSerializer
from portal.core.api.fields import AmountField
from portal.core.idempotency import IDEMPOTENCY_ERRORS, IDEMPOTENCY_PARAMETERS, idempotent
from portal.core.money import to_fen
from portal.core.ranges import EARLIEST_DAY

from ..models import IdentityHash, LinkedOrders
from ..services.partner_data import check_hash, identity_hashes_record, linked_orders_record

HASH_HELP = (
    "Your keyed hash (HMAC-SHA256, 64 lowercase hex characters) of the creator's {what}; empty "
    "when unknown. Never the clear value: the portal keeps only a hash of your hash under its "
    "own key."
)


class HashField(serializers.CharField):
    def __init__(self, what: str, **kwargs):
        super().__init__(
            max_length=64,
            min_length=0,
            allow_blank=True,
            required=False,
            default="",
            help_text=HASH_HELP.format(what=what),
            **kwargs,
        )

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return check_hash(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class IdentityRowSerializer(serializers.Serializer):
    platform_account_id = serializers.CharField(max_length=64)
    identity = HashField("real-name identity (ID number)")
    phone = HashField("mobile phone number")
    account = HashField("payout account")


class IdentityBatchSerializer(serializers.Serializer):
    rows = IdentityRowSerializer(many=True, allow_empty=False, max_length=1000)


class LinkedOrdersRowSerializer(serializers.Serializer):
    platform_account_id = serializers.CharField(max_length=64)
    day = serializers.DateField(help_text="The day the orders were placed (Asia/Shanghai).")
    orders = serializers.IntegerField(
        min_value=0,
        max_value=2_147_483_647,
        help_text="Running total of the day's orders of the creator's products placed by "
        "accounts you link to the creator (same identity, device or payment).",
    )
    gmv = AmountField(
        max_digits=16,
        decimal_places=2,
        min_value=0,
        max_value=10**13,
        help_text="The GMV of those orders, CNY.",
    )

    def validate_day(self, value):
        if value < EARLIEST_DAY:
            raise serializers.ValidationError(
                _("Enter a date from %(day)s on.") % {"day": EARLIEST_DAY}
            )
        return value


class LinkedOrdersBatchSerializer(serializers.Serializer):
    rows = LinkedOrdersRowSerializer(many=True, allow_empty=False, max_length=1000)


class ReceivedSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="Rows in the batch.")
    written = serializers.IntegerField(help_text="Rows stored (the last row of a creator wins).")
    errors = serializers.DictField(
        child=serializers.CharField(), help_text="Reason by row position (0-based)."
    )


def _creators(rows):
    return dict(
        Creator.objects.filter(
            platform_account_id__in=[row["platform_account_id"] for row in rows]
        ).values_list("platform_account_id", "pk")
    )


class _RiskDataViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    permission_classes = [ActionPermission]
    required_action = "risk.partner_data"
    scope_resource = "risk-signals"

    def _split(self, rows):
        creators = _creators(rows)
        known, errors = [], {}
        for index, row in enumerate(rows):
            creator_id = creators.get(row["platform_account_id"])
            if creator_id is None:
                errors[str(index)] = _("No creator has this platform account id.")
            else:
                known.append({**row, "creator_id": creator_id})
        return known, errors


class IdentityHashViewSet(_RiskDataViewSet):
    """Keyed hashes of each creator's real-name identity, phone and payout account."""

    serializer_class = IdentityBatchSerializer
    queryset = IdentityHash.objects.none()

    @extend_schema(
        summary="Send keyed identity hashes per creator (up to 1,000 rows)",
        description=(
            "For the 'one identity behind several accounts' signal. Each row replaces what was "
            "stored for the creator. Unknown creators are row errors; the other rows are stored."
        ),
        request=IdentityBatchSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={
            200: ReceivedSerializer,
            400: OpenApiResponse(ErrorSerializer),
            403: OpenApiResponse(ErrorSerializer),
            **IDEMPOTENCY_ERRORS,
        },
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        batch = IdentityBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        rows = batch.validated_data["rows"]
        known, errors = self._split(rows)
        written = identity_hashes_record(actor=request.user, rows=known)
        return Response({"received": len(rows), "written": written, "errors": errors})


class LinkedOrdersViewSet(_RiskDataViewSet):
    """Orders placed by accounts linked to the creator, per creator and day."""

    serializer_class = LinkedOrdersBatchSerializer
    queryset = LinkedOrders.objects.none()

    @extend_schema(
        summary="Send orders from accounts linked to the creator, per day (up to 1,000 rows)",
        description=(
            "For the self-dealing signal. Each row is the running total of the day: the same "
            "row again changes nothing. Unknown creators are row errors."
        ),
        request=LinkedOrdersBatchSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={
            200: ReceivedSerializer,
            400: OpenApiResponse(ErrorSerializer),
            403: OpenApiResponse(ErrorSerializer),
            **IDEMPOTENCY_ERRORS,
        },
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        batch = LinkedOrdersBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        rows = batch.validated_data["rows"]
        known, errors = self._split(rows)
        written = linked_orders_record(
            actor=request.user,
            rows=[{**row, "gmv_fen": to_fen(row["gmv"])} for row in known],
        )
        return Response({"received": len(rows), "written": written, "errors": errors})
