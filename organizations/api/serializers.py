from rest_framework import serializers

from organizations.models import ManagerAssignment, Organization
from organizations.services import TRANSITIONS


class OrganizationSerializer(serializers.ModelSerializer):
    primary_categories = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    manager = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "id",
            "legal_name",
            "credit_code",
            "status",
            "status_reason",
            "status_changed_at",
            "main_category",
            "primary_categories",
            "declared_roster_size",
            "manager",
            "created_at",
            "submitted_at",
            "approved_at",
        ]
        read_only_fields = fields

    def get_manager(self, organization) -> int | None:
        """The id of the category manager coaching the organization now, if any."""
        active = [a for a in organization.manager_assignments.all() if a.ended_at is None]
        return active[0].manager_id if active else None


class DecisionSerializer(serializers.Serializer):
    """A reviewer's or operator's decision. Only these three fields are read: anything else in
    the body (a status, an organization, an approver) is ignored."""

    transition = serializers.ChoiceField(
        choices=[name for name in TRANSITIONS if name not in ("submit", "withdraw")],
        help_text="start_review, approve, request_changes, reject, suspend or reinstate.",
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    checks = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        help_text="Codes of the review checklist items verified; approval needs all of them.",
    )


class AssignmentSerializer(serializers.ModelSerializer):
    manager_name = serializers.CharField(source="manager.full_name", read_only=True)
    organization_name = serializers.CharField(source="organization.legal_name", read_only=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = ManagerAssignment
        fields = [
            "id",
            "organization",
            "organization_name",
            "manager",
            "manager_name",
            "active",
            "started_at",
            "ended_at",
            "reason",
            "end_reason",
        ]
        read_only_fields = fields

    def get_active(self, assignment) -> bool:
        return assignment.ended_at is None
