"""Incentive programs, reward lists and statement lines. Amounts are CNY as decimal strings with two
places (`"1200.50"`), as every amount of the API."""

from rest_framework import serializers

from creators.models import Creator
from incentives.models import (
    Cycle,
    Pool,
    PoolKind,
    Program,
    RewardLine,
    RewardList,
)
from incentives.selectors import needs_second_approval
from incentives.services import AdjustmentReason
from organizations.models import Organization
from portal.core.api.fields import Money


class Remaining(Money):
    """What is left of a pool: its budget less what is committed."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, pool):
        return super().to_representation(pool.budget - pool.committed)


class PoolSerializer(serializers.ModelSerializer):
    budget = Money(read_only=True)
    committed = Money(read_only=True, help_text="Posted to the ledger by approved lists.")
    remaining = Remaining()

    class Meta:
        model = Pool
        fields = ["budget", "committed", "remaining"]
        read_only_fields = fields


class PoolsSerializer(serializers.Serializer):
    """A program's two pools by kind."""

    cash = PoolSerializer(read_only=True, allow_null=True)
    traffic = PoolSerializer(read_only=True, allow_null=True)

    def to_representation(self, program):
        pools = {pool.kind: pool for pool in program.pools.all()}
        return {
            kind: PoolSerializer(pools[kind]).data if kind in pools else None
            for kind in PoolKind.values
        }


class RewardListSerializer(serializers.ModelSerializer):
    program = serializers.IntegerField(source="cycle.program_id", read_only=True)
    cycle_number = serializers.IntegerField(source="cycle.number", read_only=True)
    starts_on = serializers.DateField(source="cycle.starts_on", read_only=True)
    ends_on = serializers.DateField(source="cycle.ends_on", read_only=True)
    rule_version_number = serializers.IntegerField(source="rule_version.number", read_only=True)
    revision = serializers.IntegerField(
        read_only=True, help_text="Changes with every computation; approval names it."
    )
    cash_total = Money(read_only=True)
    traffic_total = Money(read_only=True)
    needs_second_approval = serializers.SerializerMethodField()
    first_approval_given = serializers.SerializerMethodField()

    class Meta:
        model = RewardList
        fields = [
            "id",
            "program",
            "cycle",
            "cycle_number",
            "starts_on",
            "ends_on",
            "status",
            "rule_version",
            "rule_version_number",
            "revision",
            "computed_at",
            "cash_total",
            "traffic_total",
            "line_count",
            "needs_second_approval",
            "first_approval_given",
            "approved_at",
            "published_at",
        ]
        read_only_fields = fields

    def get_needs_second_approval(self, reward_list) -> bool:
        """The total is above the program's threshold: two operators approve."""
        return needs_second_approval(reward_list)

    def get_first_approval_given(self, reward_list) -> bool:
        """One operator approved; another one's approval posts the ledger."""
        return reward_list.first_approved_by_id is not None


class CycleSerializer(serializers.ModelSerializer):
    computing = serializers.BooleanField(
        read_only=True, help_text="A computation was asked for and has not finished yet."
    )
    reward_list = RewardListSerializer(
        source="visible_reward_list",
        read_only=True,
        allow_null=True,
        help_text="The cycle's reward list, when there is one the caller may see.",
    )

    class Meta:
        model = Cycle
        fields = ["id", "program", "number", "starts_on", "ends_on", "computing", "reward_list"]
        read_only_fields = fields


class ProgramSerializer(serializers.ModelSerializer):
    second_approval_above = Money(
        read_only=True, help_text="A list above this total needs two operators' approvals."
    )
    pools = PoolsSerializer(source="*", read_only=True)
    cycles = CycleSerializer(many=True, read_only=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "name",
            "description",
            "status",
            "starts_on",
            "ends_on",
            "cycle_months",
            "second_approval_above",
            "pools",
            "cycles",
            "created_at",
        ]
        read_only_fields = fields


class RewardLineSerializer(serializers.ModelSerializer):
    cycle = serializers.IntegerField(source="reward_list.cycle_id", read_only=True)
    amount = Money(read_only=True)
    amount_before_cap = Money(
        read_only=True, allow_null=True, help_text="Set when the creator's cap reduced the line."
    )
    gmv = Money(read_only=True, allow_null=True)
    platform_account_id = serializers.CharField(
        source="creator.platform_account_id", read_only=True, allow_null=True
    )
    creator_name = serializers.CharField(
        source="creator.display_name", read_only=True, allow_null=True
    )
    organization_name = serializers.CharField(
        source="organization.legal_name", read_only=True, allow_null=True
    )
    rule_version_number = serializers.IntegerField(source="rule_version.number", read_only=True)

    class Meta:
        model = RewardLine
        fields = [
            "id",
            "reward_list",
            "cycle",
            "kind",
            "pool",
            "amount",
            "amount_before_cap",
            "creator",
            "platform_account_id",
            "creator_name",
            "organization",
            "organization_name",
            "rule_version",
            "rule_version_number",
            "rule_id",
            "original_videos",
            "valid_plays",
            "followers",
            "gmv",
            "introduced",
            "rank",
            "note",
        ]
        read_only_fields = fields


# --- operator actions ---------------------------------------------------------------------------


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, max_length=2000, help_text="What should change; shown in the audit log."
    )


class ApproveSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        min_value=0, help_text="The `revision` of the list the reviewer saw."
    )


class AdjustmentSerializer(serializers.Serializer):
    """A correction to an approved list: a new line and its ledger entry, never an edit."""

    amount = Money(max_digits=14, help_text="CNY, two decimals at most; negative takes money back.")
    reason_code = serializers.ChoiceField(choices=AdjustmentReason.CHOICES)
    note = serializers.CharField(
        allow_blank=True, max_length=2000, help_text="The beneficiary reads it on their statement."
    )
    creator = serializers.PrimaryKeyRelatedField(
        queryset=Creator.objects.all(), allow_null=True, default=None
    )
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        allow_null=True,
        default=None,
        help_text="For an organization's own line; for a creator, their organization on the list.",
    )
    pool = serializers.ChoiceField(choices=PoolKind.choices, default=PoolKind.CASH)
