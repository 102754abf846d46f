"""The incubation API: the reserve pool, nominations, the daily ranking and the top-100 shortlist.
Reads are scoped with `for_user`; every change goes through `incubation.services`; every POST
honours `Idempotency-Key`; a shortlist edit names the version it was based on in `If-Match`."""

import re

from django.db.models import BigIntegerField, F, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from incubation import selectors, services
from incubation.explain import scored_count
from incubation.models import (
    Nomination,
    PoolMember,
    ScoreSnapshot,
    Shortlist,
    ShortlistSnapshot,
    ShortlistStatus,
    SnapshotKind,
    StageChange,
)
from portal.accounts.permissions import ActionPermission
from portal.core.api.conditional import ConditionalRetrieveMixin
from portal.core.api.errors import ErrorSerializer
from portal.core.api.pagination import CursorPagination
from portal.core.api.schemas import WRITE_ERRORS
from portal.core.idempotency import IDEMPOTENCY_PARAMETERS, idempotent

from .filters import NominationFilterSet, PoolMemberFilterSet, RankingFilterSet
from .serializers import (
    DeclineSerializer,
    EntryCreateSerializer,
    ExclusionCreateSerializer,
    NominationCreateSerializer,
    NominationSerializer,
    PoolMemberSerializer,
    RankingSerializer,
    ShortlistDetailSerializer,
    ShortlistSerializer,
)

ACTION_ERRORS = WRITE_ERRORS
STEPS = (
    "A refusal of the service (a decided nomination, a missing reason) answers 400 with the "
    "reason in `errors`; a caller who may not take the step gets 403."
)


# --- the reserve pool ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List reserve-pool members visible to the caller"),
    retrieve=extend_schema(summary="One pool member with their stage history"),
)
class PoolMemberViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Members of the reserve pool, exited ones included (filter by `stage`), each with their
    latest score and rank and their stage history (newest first). Operators see the whole pool;
    managers the members of their categories; organizations the members bound to them now."""

    serializer_class = PoolMemberSerializer
    filterset_class = PoolMemberFilterSet
    ordering_fields = ["id"]
    permission_classes = [ActionPermission]
    required_action = "incubation.view"

    def get_queryset(self):
        return (
            PoolMember.objects.for_user(self.request.user)
            .select_related("creator")
            .prefetch_related(
                Prefetch("history", queryset=StageChange.objects.select_related("changed_by")),
                # The member's newest score (one query for the page, a window per creator); a
                # member the caller may see has scores the caller may see.
                Prefetch(
                    "creator__score_snapshots",
                    queryset=ScoreSnapshot.objects.order_by("-day")[:1],
                    to_attr="latest_scores",
                ),
            )
        )


# --- nominations --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List nominations visible to the caller"),
    retrieve=extend_schema(summary="One nomination"),
)
class NominationViewSet(
    ConditionalRetrieveMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Nominations for the reserve pool. Organizations nominate their own creators (within the
    monthly limit) and see their organization's nominations; managers nominate within their
    categories, see the nominations of creators there and accept or decline them; operators see
    and decide every one. An accepted creator enters the pool (see `reserve-pool`)."""

    serializer_class = NominationSerializer
    filterset_class = NominationFilterSet
    ordering_fields = ["id"]
    permission_classes = [ActionPermission]
    required_action = {
        "list": "incubation.view",
        "retrieve": "incubation.view",
        "create": "incubation.nominate",
        "accept": "incubation.review",
        "decline": "incubation.review",
    }

    def get_queryset(self):
        return Nomination.objects.for_user(self.request.user).select_related(
            "creator", "organization", "nominated_by"
        )

    def _answer(self, nomination, status_code=status.HTTP_200_OK):
        return Response(
            self.get_serializer(self.get_queryset().get(pk=nomination.pk)).data,
            status=status_code,
        )

    @extend_schema(
        summary="Nominate a creator for the reserve pool",
        description=(
            "An organization names one of its creators and is held to its monthly limit; a "
            "manager names a creator of their categories. A creator already in the pool or with "
            "a nomination under review, or the limit reached, answers 400 with the reason; a "
            "creator the caller may not see is an invalid `creator`."
        ),
        request=NominationCreateSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={201: NominationSerializer, **ACTION_ERRORS},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        data = NominationCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        nomination = services.nomination_create(actor=request.user, **data.validated_data)
        return self._answer(nomination, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Accept a nomination: the creator enters the reserve pool",
        description="Managers of the creator's primary category and operators. " + STEPS,
        request=None,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: NominationSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def accept(self, request, pk=None):
        nomination = services.nomination_decide(
            actor=request.user, nomination=self.get_object(), accept=True
        )
        return self._answer(nomination)

    @extend_schema(
        summary="Decline a nomination with a reason",
        description="The nominator is told the reason. " + STEPS,
        request=DeclineSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: NominationSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def decline(self, request, pk=None):
        nomination = self.get_object()
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        nomination = services.nomination_decide(
            actor=request.user,
            nomination=nomination,
            accept=False,
            reason=data.validated_data["reason"],
        )
        return self._answer(nomination)

    @extend_schema(
        summary="Withdraw a nomination under review",
        description="The person who nominated, or a reviewer of the creator. " + STEPS,
        request=None,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: NominationSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def withdraw(self, request, pk=None):
        nomination = services.nomination_withdraw(actor=request.user, nomination=self.get_object())
        return self._answer(nomination)


# --- rankings -----------------------------------------------------------------------------------

# Held-out members have no rank; they come after every ranked one, in the order of their rows.
UNRANKED = 10**9


class RankingPagination(CursorPagination):
    ordering = ("position", "id")


@extend_schema_view(
    list=extend_schema(
        summary="The ranking of a day",
        description=(
            "The scores of one day in rank order, held-out members last. Without `day`, the "
            "latest day scored."
        ),
    ),
    retrieve=extend_schema(summary="One day's score of a member"),
)
class RankingViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Daily scores of pool members: the weighted score (0-100), the rank in the pool and in the
    creative field, the normalized components (0-1) with the figures they come from, and why a
    member is held out (an open abnormal-play flag: no score, no rank). Operators see every
    member; managers those of their categories; organizations their own creators (with their
    ranks in the whole pool)."""

    serializer_class = RankingSerializer
    filterset_class = RankingFilterSet
    filter_backends = [DjangoFilterBackend]
    pagination_class = RankingPagination
    permission_classes = [ActionPermission]
    required_action = "incubation.view"

    def get_serializer_context(self):
        """`scored_on(day)`: how many members were scored that day, counted once per day (the
        explanation's points need it)."""
        counts = {}

        def scored_on(day):
            if day not in counts:
                counts[day] = scored_count(day)
            return counts[day]

        return {**super().get_serializer_context(), "scored_on": scored_on}

    def get_queryset(self):
        rows = (
            ScoreSnapshot.objects.for_user(self.request.user)
            .select_related("creator", "weights")
            .annotate(
                position=Coalesce("rank", Value(UNRANKED) + F("id"), output_field=BigIntegerField())
            )
        )
        if self.action == "list" and not self.request.query_params.get("day"):
            # The latest day scored, as a subquery: one query, and none while the schema is built.
            rows = rows.filter(
                day=Subquery(ScoreSnapshot.objects.order_by("-day").values("day")[:1])
            )
        return rows


# --- the shortlist ------------------------------------------------------------------------------


class StaleVersion(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "stale_version"
    default_detail = _(
        "Send the version of the shortlist you saw in the If-Match header, as its ETag gives it."
    )


# `"7"` as the ETag gives it; a bare 7 is taken too. A weak tag, `*` or a list is not a version.
IF_MATCH = re.compile(r'"([0-9]{1,9})"|([0-9]{1,9})')


def expected_version(request) -> int:
    """The version named by `If-Match: "<version>"` (412 when it is missing or not a version)."""
    match = IF_MATCH.fullmatch(request.headers.get("If-Match", "").strip())
    if match is None:
        raise StaleVersion()
    return int(match.group(1) or match.group(2))


def etag(shortlist) -> str:
    return f'"{shortlist.version}"'


class ShortlistPagination(CursorPagination):
    ordering = "-year"


ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='The shortlist\'s version, quoted (`"7"`); send it back in If-Match to edit.',
)
IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        'The shortlist\'s ETag as last read (`"7"`). If the list changed since, or the header '
        "is missing, the edit is refused with 412 `stale_version`: read it again and redo it."
    ),
)
EDIT_ERRORS = {
    **ACTION_ERRORS,
    412: OpenApiResponse(
        ErrorSerializer,
        description="`stale_version`: If-Match is missing or names an older version.",
    ),
}
EDITS = (
    "Operators and managers, on the open list of the year (the current year's list is started "
    "by its first edit, at version 1). The answer is the list with its new version (and ETag; a "
    "replayed answer has no ETag header, read `version`). A "
    "refusal of the service (no reason, a creator outside the pool, the list full or frozen) "
    "answers 400 with the reason in `errors`."
)


YEAR = OpenApiParameter("year", int, OpenApiParameter.PATH, description="The shortlist's year.")


@extend_schema_view(
    list=extend_schema(summary="List the shortlists visible to the caller, newest year first"),
)
class ShortlistViewSet(viewsets.ReadOnlyModelViewSet):
    """The year's top-100 shortlist. Everyone sees the published lists (their final snapshot);
    operators and managers also see the list while it is prepared and frozen, and edit the open
    list with the version they saw (If-Match), so an edit based on an older version is refused
    rather than merged. Partner applications read the published lists (`shortlist:read`)."""

    serializer_class = ShortlistSerializer
    scope_resource = "shortlist"
    pagination_class = ShortlistPagination
    filter_backends = []
    lookup_field = "year"
    lookup_value_regex = "[0-9]{4}"
    permission_classes = [ActionPermission]
    required_action = {
        "list": "incubation.view",
        "retrieve": "incubation.view",
        "entries": "shortlist.edit",
        "exclusions": "shortlist.edit",
    }

    def get_queryset(self):
        shortlists = Shortlist.objects.all()
        if not self.request.user.is_staff:
            shortlists = shortlists.filter(status=ShortlistStatus.PUBLISHED)
        return shortlists

    def get_serializer_class(self):
        return ShortlistSerializer if self.action == "list" else ShortlistDetailSerializer

    def _detail(self, shortlist, status_code=status.HTTP_200_OK):
        if shortlist.status == ShortlistStatus.OPEN:
            rows = selectors.ordered_entries(shortlist)
            for position, entry in enumerate(rows, start=1):
                entry.position = position
                entry.score = entry.score_row.score if entry.score_row else None
            exclusions = list(shortlist.exclusions.select_related("creator"))
        else:
            final = ShortlistSnapshot.objects.filter(
                shortlist=shortlist, kind=SnapshotKind.FINAL
            ).first()
            rows = list(final.rows.select_related("creator")) if final else []
            for row in rows:
                row.reason = None
            exclusions = []
        shortlist.api_rows, shortlist.api_exclusions = rows, exclusions
        response = Response(
            ShortlistDetailSerializer(shortlist).data,
            status=status_code,
            headers={"ETag": etag(shortlist)},
        )
        # The ETag is the version, for If-Match; what the rows show depends on who asks and on
        # the latest ranking, so no cache may reuse the answer without asking.
        patch_vary_headers(response, ("Authorization", "Cookie"))
        patch_cache_control(response, private=True, no_cache=True)
        return response

    @extend_schema(
        summary="One year's shortlist with its rows",
        description=(
            "A frozen or published list shows its final snapshot: the rows in list order with the "
            "score they were ranked by. An open list (operators and managers) shows its entries "
            "now, ordered by the latest ranking, and its exclusions. `ETag` is the version."
        ),
        parameters=[YEAR, ETAG],
        responses={200: ShortlistDetailSerializer, 404: OpenApiResponse(ErrorSerializer)},
    )
    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    def _edit(self, request, serializer_class, service, status_code):
        year = int(self.kwargs["year"])
        shortlist = Shortlist.objects.filter(year=year).first()
        if shortlist is None and year != timezone.localdate().year:
            raise Http404
        version = expected_version(request)
        data = serializer_class(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        # The current year's list is started by its first edit (at version 1).
        shortlist = shortlist or services.shortlist_for(year)
        try:
            service(
                actor=request.user,
                shortlist=shortlist,
                expected_version=version,
                **data.validated_data,
            )
        except services.StaleShortlist as stale:
            raise StaleVersion(stale.messages[0]) from None
        shortlist.refresh_from_db()
        return self._detail(shortlist, status_code)

    @extend_schema(
        summary="Pin a pool member to the open shortlist",
        description=(
            "The creator takes a free slot and stays through proposals; a 101st creator is "
            "refused (400). " + EDITS
        ),
        request=EntryCreateSerializer,
        parameters=[YEAR, IF_MATCH_PARAMETER, ETAG, *IDEMPOTENCY_PARAMETERS],
        responses={201: ShortlistDetailSerializer, **EDIT_ERRORS},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def entries(self, request, year=None):
        return self._edit(
            request, EntryCreateSerializer, services.shortlist_add, status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Keep a creator off the open shortlist",
        description=(
            "The creator is taken off the list when on it and left out of later proposals. " + EDITS
        ),
        request=ExclusionCreateSerializer,
        parameters=[YEAR, IF_MATCH_PARAMETER, ETAG, *IDEMPOTENCY_PARAMETERS],
        responses={201: ShortlistDetailSerializer, **EDIT_ERRORS},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def exclusions(self, request, year=None):
        return self._edit(
            request, ExclusionCreateSerializer, services.shortlist_exclude, status.HTTP_201_CREATED
        )
