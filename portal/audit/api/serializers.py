from rest_framework import serializers

from portal.audit.models import AuditEntry
from portal.audit.services import action_label


class AuditEntrySerializer(serializers.ModelSerializer):
    action_label = serializers.SerializerMethodField()
    object_type = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "created_at",
            "actor",
            "actor_label",
            "action",
            "action_label",
            "object_type",
            "object_id",
            "object_repr",
            "organization",
            "before",
            "after",
            "reason",
            "ip",
            "request_id",
        ]
        read_only_fields = fields

    def get_action_label(self, entry) -> str:
        return action_label(entry.action)

    def get_object_type(self, entry) -> str | None:
        if entry.object_type_id is None:
            return None
        ct = entry.object_type
        return f"{ct.app_label}.{ct.model}"
