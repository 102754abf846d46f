"""The incubation API: pool members with their history and latest score, nominations, the daily
ranking and the top-100 shortlist. Scores are decimal strings with three places (`"87.125"`),
components are numbers from 0 to 1, and GMV is CNY as a decimal string with two places."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_choice_field
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from creators.models import Creator
from incubation.explain import explain_score, hold_reason_text
from incubation.models import (
    Nomination,
    NominationStatus,
    PoolMember,
    PoolSource,
    PoolStage,
    ScoreSnapshot,
    Shortlist,
    ShortlistStatus,
    StageChange,
)
from portal.core.api.fields import Money
from portal.core.money import from_fen


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose values are one named enum in the schema wherever it is used, so the
    same choices under several field names (`stage`, `from_stage`) or in several components do
    not make the schema generator guess names."""

    def __init__(self, choices_class, **kwargs):
        self.enum_name = f"{choices_class.__name__}Enum"
        super().__init__(choices=choices_class.choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def get_name(self):
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction):
        schema = build_choice_field(
            serializers.ChoiceField(choices=list(self.target.choices.items()))
        )
        schema.pop("x-spec-enum-id", None)
        return schema


def creator_scope(request):
    """The creators the caller may name in a request: those they may see (others are unknown)."""
    return Creator.objects.for_user(request.user) if request else Creator.objects.none()


@extend_schema_field(OpenApiTypes.INT)
class ScopedCreatorField(serializers.PrimaryKeyRelatedField):
    """A creator by id, among those the caller may see: any other id is "does not exist"."""

    def get_queryset(self):
        return creator_scope(self.context.get("request"))


# --- the reserve pool ---------------------------------------------------------------------------


class HoldReasonField(serializers.CharField):
    """Why a member is held out, in the reader's language ("" when scored)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", "Why the member is held out, in the reader's language; empty when scored."
        )
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, code):
        return hold_reason_text(code) if code else ""


class LatestScoreSerializer(serializers.ModelSerializer):
    """A member's most recent score (the day is in `day`)."""

    score = serializers.DecimalField(
        max_digits=7, decimal_places=3, read_only=True, allow_null=True
    )
    hold_reason = HoldReasonField()

    class Meta:
        model = ScoreSnapshot
        fields = ["id", "day", "score", "rank", "category_rank", "held_out", "hold_reason"]
        read_only_fields = fields


class StageChangeSerializer(serializers.ModelSerializer):
    from_stage = NamedChoiceField(
        PoolStage,
        source="from_stage_or_none",
        read_only=True,
        allow_null=True,
        help_text="Null for the entry into the pool.",
    )
    to_stage = NamedChoiceField(PoolStage, read_only=True)
    changed_by_name = serializers.CharField(
        source="changed_by.full_name", read_only=True, allow_null=True
    )

    class Meta:
        model = StageChange
        fields = ["from_stage", "to_stage", "changed_by", "changed_by_name", "reason", "changed_at"]
        read_only_fields = fields

    def to_representation(self, change):
        change.from_stage_or_none = change.from_stage or None
        return super().to_representation(change)


class PoolMemberSerializer(serializers.ModelSerializer):
    platform_account_id = serializers.CharField(
        source="creator.platform_account_id", read_only=True
    )
    display_name = serializers.CharField(source="creator.display_name", read_only=True)
    category = serializers.IntegerField(
        source="creator.primary_category_id",
        read_only=True,
        help_text="The creator's primary creative field.",
    )
    stage = NamedChoiceField(PoolStage, read_only=True)
    source = NamedChoiceField(PoolSource, read_only=True)
    latest_score = serializers.SerializerMethodField()
    history = StageChangeSerializer(many=True, read_only=True, help_text="Newest first.")

    class Meta:
        model = PoolMember
        fields = [
            "id",
            "creator",
            "platform_account_id",
            "display_name",
            "category",
            "stage",
            "source",
            "nomination",
            "entry_rule",
            "entered_at",
            "stage_changed_at",
            "latest_score",
            "history",
        ]
        read_only_fields = fields

    @extend_schema_field(LatestScoreSerializer(allow_null=True))
    def get_latest_score(self, member):
        """The member's most recent score, or null before the first scoring."""
        latest = getattr(member.creator, "latest_scores", None)
        if latest is None:
            latest = list(member.creator.score_snapshots.order_by("-day")[:1])
        return LatestScoreSerializer(latest[0]).data if latest else None


# --- nominations --------------------------------------------------------------------------------


class NominationSerializer(serializers.ModelSerializer):
    platform_account_id = serializers.CharField(
        source="creator.platform_account_id", read_only=True
    )
    creator_name = serializers.CharField(source="creator.display_name", read_only=True)
    category = serializers.IntegerField(source="creator.primary_category_id", read_only=True)
    organization_name = serializers.CharField(
        source="organization.legal_name", read_only=True, allow_null=True
    )
    nominated_by_name = serializers.CharField(source="nominated_by.full_name", read_only=True)
    status = NamedChoiceField(NominationStatus, read_only=True)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "creator",
            "platform_account_id",
            "creator_name",
            "category",
            "organization",
            "organization_name",
            "nominated_by",
            "nominated_by_name",
            "case",
            "status",
            "decided_by",
            "decided_at",
            "decline_reason",
            "created_at",
        ]
        read_only_fields = fields


class NominationCreateSerializer(serializers.Serializer):
    """Nominate a creator the caller may see: an organization its own creators, a manager those of
    their categories."""

    creator = ScopedCreatorField(help_text="The creator's id.")
    case = serializers.CharField(
        allow_blank=True, help_text="Why this creator should be incubated (up to 1,000 characters)."
    )


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, max_length=2000, help_text="Shown to the nominator; required."
    )


# --- rankings -----------------------------------------------------------------------------------


class ComponentsSerializer(serializers.Serializer):
    """The score's components: each metric's percentile rank in the pool that day, from 0 to 1;
    null when the member is held out."""

    play_growth = serializers.FloatField(read_only=True, allow_null=True)
    follower_growth = serializers.FloatField(read_only=True, allow_null=True)
    valid_plays = serializers.FloatField(source="valid_plays_norm", read_only=True, allow_null=True)
    original_share = serializers.FloatField(read_only=True, allow_null=True)
    engagement = serializers.FloatField(read_only=True, allow_null=True)
    gmv = serializers.FloatField(read_only=True, allow_null=True)


class FigureGmv(Money):
    def __init__(self, **kwargs):
        super().__init__(source="gmv_fen", read_only=True, **kwargs)

    def to_representation(self, fen):
        return super().to_representation(from_fen(fen))


class FiguresSerializer(serializers.Serializer):
    """The raw figures over the scoring window the components come from."""

    plays = serializers.IntegerField(read_only=True)
    plays_before = serializers.IntegerField(
        read_only=True, help_text="Plays in the window before, for the growth."
    )
    followers_gained = serializers.IntegerField(read_only=True)
    valid_plays = serializers.IntegerField(read_only=True)
    videos = serializers.IntegerField(read_only=True)
    original_videos = serializers.IntegerField(read_only=True)
    interactions = serializers.IntegerField(read_only=True)
    gmv = FigureGmv(help_text="CNY.")


@extend_schema_field(
    {
        "oneOf": [{"type": "number"}, {"type": "string"}],
        "description": "A count or a share (0-1) as a number; an amount as CNY in a decimal "
        "string with two places.",
    }
)
class RawFigureField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, line):
        return f"{line.raw:.2f}" if line.kind == "money" else line.raw


class ComponentLineSerializer(serializers.Serializer):
    """One component of the score: its figure, where the figure stands in the pool that day, its
    weight and the points it adds (the points of the lines add up to the score exactly)."""

    code = serializers.CharField(read_only=True, help_text="The component, as in `components`.")
    label = serializers.CharField(read_only=True, help_text="In the reader's language.")
    kind = serializers.ChoiceField(
        choices=[("count", "count"), ("share", "share"), ("money", "money")], read_only=True
    )
    raw = RawFigureField(source="*")
    percentile = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="0-100 (the component x 100); null when held out.",
    )
    weight = serializers.IntegerField(read_only=True, help_text="Percent of the score.")
    points = serializers.DecimalField(
        max_digits=7,
        decimal_places=3,
        read_only=True,
        allow_null=True,
        help_text="What the component adds to the score; null when held out.",
    )


class ExplanationSerializer(serializers.Serializer):
    """The score line by line, as the portal explains it."""

    lines = ComponentLineSerializer(many=True, read_only=True)
    score = serializers.DecimalField(
        max_digits=7, decimal_places=3, read_only=True, allow_null=True
    )
    held_out = serializers.BooleanField(read_only=True)
    hold_reason = serializers.CharField(read_only=True, help_text="In the reader's language.")


class RankingSerializer(serializers.ModelSerializer):
    platform_account_id = serializers.CharField(
        source="creator.platform_account_id", read_only=True
    )
    display_name = serializers.CharField(source="creator.display_name", read_only=True)
    weights_version = serializers.IntegerField(
        source="weights.number", read_only=True, help_text="The score weights' version."
    )
    score = serializers.DecimalField(
        max_digits=7,
        decimal_places=3,
        read_only=True,
        allow_null=True,
        help_text="0-100; null when held out.",
    )
    rank = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="In the whole pool; null when held out."
    )
    category_rank = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Within the creative field."
    )
    hold_reason = HoldReasonField()
    components = ComponentsSerializer(source="*", read_only=True)
    figures = FiguresSerializer(source="*", read_only=True)
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = ScoreSnapshot
        fields = [
            "id",
            "day",
            "creator",
            "platform_account_id",
            "display_name",
            "category",
            "weights_version",
            "score",
            "rank",
            "category_rank",
            "held_out",
            "hold_reason",
            "components",
            "figures",
            "explanation",
        ]
        read_only_fields = fields

    @extend_schema_field(ExplanationSerializer)
    def get_explanation(self, snapshot):
        """The score component by component (figure, percentile, weight, points)."""
        scored_on = self.context.get("scored_on")
        scored = scored_on(snapshot.day) if scored_on else None
        return ExplanationSerializer(explain_score(snapshot, scored=scored)).data


# --- the shortlist ------------------------------------------------------------------------------


class ShortlistSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(ShortlistStatus, read_only=True)
    version = serializers.IntegerField(
        read_only=True,
        help_text="Rises with every edit; the resource's ETag. Send it in If-Match to edit.",
    )

    class Meta:
        model = Shortlist
        fields = ["year", "status", "version", "frozen_at", "published_at"]
        read_only_fields = fields


class ShortlistRowSerializer(serializers.Serializer):
    """One creator of the list, in list order."""

    position = serializers.IntegerField(read_only=True, help_text="1 is the top of the list.")
    creator = serializers.IntegerField(source="creator_id", read_only=True)
    platform_account_id = serializers.CharField(
        source="creator.platform_account_id", read_only=True
    )
    display_name = serializers.CharField(source="creator.display_name", read_only=True)
    category = serializers.IntegerField(source="creator.primary_category_id", read_only=True)
    score = serializers.DecimalField(
        max_digits=7,
        decimal_places=3,
        read_only=True,
        allow_null=True,
        help_text="The score the list was ranked by; null for an unscored pinned creator.",
    )
    pinned = serializers.BooleanField(
        read_only=True, help_text="Put on the list by a manager or operator, not by the ranking."
    )
    reason = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Why the creator was pinned, on an open list; null on a frozen or published one.",
    )


class ExclusionSerializer(serializers.Serializer):
    creator = serializers.IntegerField(source="creator_id", read_only=True)
    platform_account_id = serializers.CharField(
        source="creator.platform_account_id", read_only=True
    )
    display_name = serializers.CharField(source="creator.display_name", read_only=True)
    reason = serializers.CharField(read_only=True)
    excluded_by = serializers.IntegerField(source="excluded_by_id", read_only=True)
    excluded_at = serializers.DateTimeField(read_only=True)


class ShortlistDetailSerializer(ShortlistSerializer):
    """A shortlist with its rows. A frozen or published list shows its final snapshot; an open
    one (operators and managers only) its entries now, ordered by the latest ranking."""

    rows = ShortlistRowSerializer(many=True, read_only=True, source="api_rows")
    exclusions = ExclusionSerializer(
        many=True,
        read_only=True,
        source="api_exclusions",
        help_text="Creators kept off the open list, with the reason (empty once it is frozen).",
    )

    class Meta(ShortlistSerializer.Meta):
        fields = [*ShortlistSerializer.Meta.fields, "rows", "exclusions"]
        read_only_fields = fields


class EntryCreateSerializer(serializers.Serializer):
    """Pin a pool member to the open shortlist."""

    creator = ScopedCreatorField(help_text="The creator's id; a member of the reserve pool.")
    reason = serializers.CharField(
        allow_blank=True, max_length=2000, help_text="Why this creator belongs on the list."
    )


class ExclusionCreateSerializer(serializers.Serializer):
    """Keep a creator off the shortlist (taken off it when on it)."""

    creator = ScopedCreatorField(help_text="The creator's id.")
    reason = serializers.CharField(
        allow_blank=True, max_length=2000, help_text="Why the creator is kept off the list."
    )
