from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from incentives import services
from incentives.models import Cycle, Program, RewardLine, RewardList
from portal.accounts.permissions import ActionPermission
from portal.core.api.conditional import ConditionalRetrieveMixin
from portal.core.api.schemas import WRITE_ERRORS
from portal.core.idempotency import IDEMPOTENCY_PARAMETERS, idempotent

from .filters import (
    CycleFilterSet,
    ListLineFilterSet,
    ProgramFilterSet,
    RewardLineFilterSet,
    RewardListFilterSet,
)
from .serializers import (
    AdjustmentSerializer,
    ApproveSerializer,
    CycleSerializer,
    ProgramSerializer,
    ReturnSerializer,
    RewardLineSerializer,
    RewardListSerializer,
)

ACTION_ERRORS = WRITE_ERRORS


def reward_lists_for(user):
    return RewardList.objects.for_user(user).select_related("cycle__program", "rule_version")


def visible_lists(user, through="reward_list"):
    """Prefetch each cycle's reward list the user may see, as `visible_reward_list` (or None).
    At the top level of a queryset only: nested in another Prefetch's queryset, Django walks the
    one-to-one again afterwards, one query per cycle."""
    return Prefetch(through, queryset=reward_lists_for(user), to_attr="visible_reward_list")


def lines_for(user):
    return RewardLine.objects.for_user(user).select_related(
        "reward_list", "creator", "organization", "rule_version"
    )


@extend_schema_view(
    list=extend_schema(summary="List incentive programs visible to the caller"),
    retrieve=extend_schema(summary="One incentive program with its pools and cycles"),
)
class ProgramViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Incentive programs with their pools (budget, committed, remaining) and cycles. Operators see
    every program; managers and organizations those that run or ran (drafts excluded)."""

    serializer_class = ProgramSerializer
    filterset_class = ProgramFilterSet
    ordering_fields = ["id"]
    scope_resource = "programs"

    def get_queryset(self):
        user = self.request.user
        return Program.objects.for_user(user).prefetch_related(
            "pools", "cycles", visible_lists(user, "cycles__reward_list")
        )


@extend_schema_view(
    list=extend_schema(summary="List settlement cycles visible to the caller"),
    retrieve=extend_schema(summary="One settlement cycle"),
)
class CycleViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Settlement cycles of the programs the caller may see, each with its reward list (status and
    totals) when the caller may see the list: operators always, others once it is published."""

    serializer_class = CycleSerializer
    filterset_class = CycleFilterSet
    ordering_fields = ["id"]
    permission_classes = [ActionPermission]
    required_action = {"compute": "settlement.compute"}
    scope_resource = "programs"  # the cycles of the programs

    def get_queryset(self):
        user = self.request.user
        return (
            Cycle.objects.for_user(user)
            .select_related("program")
            .prefetch_related(visible_lists(user))
        )

    @extend_schema(
        summary="Compute the cycle's reward list",
        description=(
            "Asks the workers to compute the cycle's lines with the rules in force on its first "
            "day and answers 202 with the cycle (`computing` is true until the computation "
            "ends; then `reward_list` is the new draft). A draft or a list in review is replaced "
            "whole and its `revision` goes up; an approved list is refused (400). Asking again "
            "while a computation runs changes nothing. Operators only."
        ),
        request=None,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={202: CycleSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def compute(self, request, pk=None):
        cycle = services.settlement_request(actor=request.user, cycle=self.get_object())
        return Response(
            CycleSerializer(self.get_queryset().get(pk=cycle.pk)).data,
            status=status.HTTP_202_ACCEPTED,
        )


STEPS = (
    "A step the list's status does not allow, or a refusal of the service, answers 400 with the "
    "reason in `errors`; callers other than operators get 403."
)


@extend_schema_view(
    list=extend_schema(summary="List reward lists visible to the caller"),
    retrieve=extend_schema(summary="One reward list with its totals"),
)
class RewardListViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Reward lists of settlement cycles. Operators see every list and move it through review:
    compute (on the cycle), submit, return, approve (posting the ledger), publish, and
    adjustments afterwards. Managers and organizations see published lists only (then exported
    and paid); a list they may not see answers 404."""

    serializer_class = RewardListSerializer
    filterset_class = RewardListFilterSet
    ordering_fields = ["id"]
    scope_resource = "reward-lists"
    permission_classes = [ActionPermission]
    required_action = {
        "submit": "settlement.compute",
        "return_": "settlement.approve",
        "approve": "settlement.approve",
        "publish": "settlement.approve",
        "adjustments": "settlement.approve",
    }

    def get_queryset(self):
        return reward_lists_for(self.request.user)

    def _answer(self, reward_list):
        return Response(self.get_serializer(self.get_queryset().get(pk=reward_list.pk)).data)

    @extend_schema(
        summary="Send a computed draft to review",
        description=STEPS,
        request=None,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: RewardListSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def submit(self, request, pk=None):
        reward_list = self.get_object()
        services.settlement_submit(actor=request.user, reward_list=reward_list)
        return self._answer(reward_list)

    @extend_schema(
        summary="Return a list in review to draft",
        description="The reason is required; a first approval is dropped. " + STEPS,
        request=ReturnSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: RewardListSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    @idempotent
    def return_(self, request, pk=None):
        reward_list = self.get_object()
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.settlement_return(
            actor=request.user, reward_list=reward_list, reason=data.validated_data["reason"]
        )
        return self._answer(reward_list)

    @extend_schema(
        summary="Approve the list the reviewer saw",
        description=(
            "`revision` is the list's revision the reviewer saw; a list computed again since "
            "answers 400. Above the program's threshold the first approval is recorded and a "
            "second operator's approval posts the ledger (one entry per paying line). " + STEPS
        ),
        request=ApproveSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: RewardListSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request, pk=None):
        reward_list = self.get_object()
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.settlement_approve(
            actor=request.user, reward_list=reward_list, revision=data.validated_data["revision"]
        )
        return self._answer(reward_list)

    @extend_schema(
        summary="Publish an approved list",
        description="Organizations then read their statements and are told. " + STEPS,
        request=None,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: RewardListSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def publish(self, request, pk=None):
        reward_list = self.get_object()
        services.settlement_publish(actor=request.user, reward_list=reward_list)
        return self._answer(reward_list)

    @extend_schema(
        summary="Add an adjustment to an approved list",
        description=(
            "A correction is a new adjusting line with its own ledger entry, never an edit. Name "
            "the creator or the organization it is for. A positive amount must fit in the pool. "
            + STEPS
        ),
        request=AdjustmentSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={201: RewardLineSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def adjustments(self, request, pk=None):
        reward_list = self.get_object()
        data = AdjustmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        line = services.settlement_adjust(
            actor=request.user, reward_list=reward_list, **data.validated_data
        )
        return Response(
            RewardLineSerializer(lines_for(request.user).get(pk=line.pk)).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    list=extend_schema(
        summary="List the lines of a reward list",
        parameters=[
            OpenApiParameter("reward_list_pk", int, OpenApiParameter.PATH, description="The list.")
        ],
    )
)
class RewardListLineViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The lines of one reward list the caller may see (404 otherwise): operators every line;
    managers the lines of the organizations they may see; organizations their own lines and their
    creators'."""

    queryset = RewardLine.objects.none()  # for the schema; get_queryset scopes
    serializer_class = RewardLineSerializer
    filterset_class = ListLineFilterSet
    ordering_fields = ["id"]
    scope_resource = "reward-lists"  # the lines of the lists

    def get_queryset(self):
        user = self.request.user
        reward_list = get_object_or_404(
            RewardList.objects.for_user(user), pk=self.kwargs["reward_list_pk"]
        )
        return lines_for(user).filter(reward_list=reward_list)


@extend_schema_view(
    list=extend_schema(summary="List statement lines visible to the caller"),
    retrieve=extend_schema(summary="One statement line"),
)
class StatementViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Reward lines across lists: for an organization, its own lines and its creators' in published
    lists; for a manager, those of the organizations they may see; operators see every line (and
    filter by `organization`). Each line names the rule version and the figures that produced it."""

    serializer_class = RewardLineSerializer
    filterset_class = RewardLineFilterSet
    ordering_fields = ["id"]
    scope_resource = "reward-lists"  # lines of published lists

    def get_queryset(self):
        return lines_for(self.request.user)
