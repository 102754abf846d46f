"""Payout trust in the API: ledger entries with their state, why each held entry is held and what
releases it, corrections pointing at the entry they correct; and refunds from partners."""

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from creators.api.serializers import EARLIEST_DAY, AmountField
from creators.models import Creator
from incentives.models import Hold, LedgerEntry
from incentives.payout_selectors import carry_text, what_releases
from incentives.services.clawbacks import refund_record
from portal.accounts.permissions import ActionPermission
from portal.core.api.conditional import ConditionalRetrieveMixin
from portal.core.api.errors import ErrorSerializer
from portal.core.idempotency import IDEMPOTENCY_ERRORS, IDEMPOTENCY_PARAMETERS, idempotent

from .serializers import Money


class HoldSerializer(serializers.ModelSerializer):
    releases = serializers.SerializerMethodField(
        help_text="What releases the entry, in the caller's language."
    )
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)

    class Meta:
        model = Hold
        fields = ["reason", "reason_label", "note", "releases_on", "releases", "placed_at"]
        read_only_fields = fields

    def get_releases(self, hold) -> str:
        return what_releases(hold)


class LedgerEntrySerializer(serializers.ModelSerializer):
    amount = Money(read_only=True)
    pool = serializers.CharField(source="pool.kind", read_only=True)
    program = serializers.IntegerField(source="cycle.program_id", read_only=True)
    cycle_number = serializers.IntegerField(source="cycle.number", read_only=True)
    state = serializers.CharField(source="payment_status", read_only=True)
    state_label = serializers.CharField(source="get_payment_status_display", read_only=True)
    holds = HoldSerializer(source="active_holds", many=True, read_only=True)
    carried_over = serializers.SerializerMethodField(
        help_text="Why the last export left this releasable entry for the next one (empty: it "
        "was not carried over)."
    )

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "program",
            "cycle",
            "cycle_number",
            "kind",
            "pool",
            "amount",
            "creator",
            "organization",
            "state",
            "state_label",
            "holds",
            "carried_over",
            "corrects",
            "reason_code",
            "note",
            "paid_at",
            "payment_reference",
            "payment_failure",
        ]
        read_only_fields = fields

    def get_carried_over(self, entry) -> str:
        if not entry.carry_reason or entry.payment_status not in ("pending", "failed"):
            return ""
        minimum = entry.rule_version.minimum_payout if entry.rule_version else None
        return carry_text(entry, minimum)


@extend_schema_view(
    list=extend_schema(summary="List ledger entries with their payout state and holds"),
    retrieve=extend_schema(summary="One ledger entry with why it is held and what releases it"),
)
class LedgerEntryViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Ledger entries of published lists: an organization's own and its creators'. Each says its
    state (held, pending = releasable, exported, paid, failed, forfeited), the active holds with
    what releases each, and for a correction the entry it corrects."""

    serializer_class = LedgerEntrySerializer
    filterset_fields = {
        "cycle": ["exact"],
        "cycle__program": ["exact"],
        "payment_status": ["exact"],
        "kind": ["exact"],
    }
    ordering_fields = ["id"]
    scope_resource = "reward-lists"

    def get_queryset(self):
        return (
            LedgerEntry.objects.for_user(self.request.user)
            .select_related("cycle", "pool", "rule_version")
            .prefetch_related(
                Prefetch(
                    "holds", queryset=Hold.objects.filter(released_at=None), to_attr="active_holds"
                )
            )
        )


class RefundRowSerializer(serializers.Serializer):
    platform_account_id = serializers.CharField(max_length=64)
    day = serializers.DateField(help_text="The day the refunded orders were placed.")
    refunded_gmv = AmountField(
        max_digits=17,
        decimal_places=2,
        min_value=0,
        max_value=10**14,
        help_text="The running total of refunded GMV of the creator's orders of that day.",
    )

    def validate_day(self, value):
        if value < EARLIEST_DAY:
            raise serializers.ValidationError(
                _("Enter a date from %(day)s on.") % {"day": EARLIEST_DAY}
            )
        return value


class RefundBatchSerializer(serializers.Serializer):
    rows = RefundRowSerializer(many=True, allow_empty=False, max_length=1000)


class RefundResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    corrections = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ledger entries that took commission back."
    )
    errors = serializers.DictField(
        child=serializers.CharField(), help_text="Reason by row position (0-based)."
    )


class RefundViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Refunded orders per creator and day, sent by the partner."""

    serializer_class = RefundBatchSerializer
    permission_classes = [ActionPermission]
    required_action = "payouts.refund"
    scope_resource = "refunds"
    queryset = LedgerEntry.objects.none()

    @extend_schema(
        summary="Send refunded GMV per creator and day (running totals, up to 1,000 rows)",
        description=(
            "Each row is the running total of refunded GMV of a creator's orders of one day: the "
            "same total again changes nothing, a higher one takes back the commission on the "
            "difference from settled commission entries (a correcting entry in the next cycle "
            "once paid). A total lower than before is refused. Rows are independent."
        ),
        request=RefundBatchSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={
            200: RefundResultSerializer,
            400: OpenApiResponse(ErrorSerializer),
            403: OpenApiResponse(ErrorSerializer),
            **IDEMPOTENCY_ERRORS,
        },
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        from django.core.exceptions import ValidationError

        batch = RefundBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        rows = batch.validated_data["rows"]
        creators = Creator.objects.in_bulk(
            [row["platform_account_id"] for row in rows], field_name="platform_account_id"
        )
        errors, made = {}, []
        for index, row in enumerate(rows):
            creator = creators.get(row["platform_account_id"])
            if creator is None:
                errors[str(index)] = _("No creator has this platform account id.")
                continue
            try:
                with transaction.atomic():
                    _refund, corrections = refund_record(
                        actor=request.user,
                        creator=creator,
                        day=row["day"],
                        amount=row["refunded_gmv"],
                    )
            except ValidationError as error:
                errors[str(index)] = " ".join(error.messages)
                continue
            made.extend(c.pk for c in corrections)
        return Response({"received": len(rows), "corrections": made, "errors": errors})
