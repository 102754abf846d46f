from rest_framework import serializers

from organizations.models import Organization


class OrganizationSerializer(serializers.ModelSerializer):
    primary_categories = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "legal_name",
            "credit_code",
            "status",
            "status_reason",
            "status_changed_at",
            "primary_categories",
            "declared_roster_size",
            "created_at",
            "submitted_at",
            "approved_at",
        ]
        read_only_fields = fields
