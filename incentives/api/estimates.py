"""The running cycle's estimate in the API: "estimated so far" per beneficiary and kind, marked
as an estimate (never posted; the settled ledger entries replace it)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from incentives.models import Estimate
from portal.core.api.conditional import ConditionalRetrieveMixin

from .serializers import Money


class EstimateSerializer(serializers.ModelSerializer):
    amount = Money(read_only=True)
    program = serializers.IntegerField(source="cycle.program_id", read_only=True)
    cycle_number = serializers.IntegerField(source="cycle.number", read_only=True)
    is_estimate = serializers.SerializerMethodField(
        help_text="Always true: an estimate of the running cycle, not a posted amount."
    )

    class Meta:
        model = Estimate
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
            "computed_at",
            "is_estimate",
        ]
        read_only_fields = fields

    def get_is_estimate(self, estimate) -> bool:
        return True


@extend_schema_view(
    list=extend_schema(summary="Estimated so far: the running cycle's amounts, not posted"),
    retrieve=extend_schema(summary="One estimated amount of the running cycle"),
)
class EstimateViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """The nightly estimate of each running cycle (the real computation, rolled back): an
    organization's own amounts and its creators', per kind. An estimate is replaced every night
    and disappears once the cycle's list is approved; the ledger entries are then the final
    amounts."""

    serializer_class = EstimateSerializer
    filterset_fields = {"cycle": ["exact"], "cycle__program": ["exact"], "kind": ["exact"]}
    ordering_fields = ["id"]
    scope_resource = "reward-lists"

    def get_queryset(self):
        return Estimate.objects.for_user(self.request.user).select_related("cycle")
