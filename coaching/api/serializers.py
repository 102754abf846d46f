from rest_framework import serializers

from coaching.models import ActionItem, CoachingSession


class ActionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionItem
        fields = ["id", "title", "owner", "due_on", "status", "done_at", "comment"]
        read_only_fields = fields


class CoachingSessionSerializer(serializers.ModelSerializer):
    action_items = ActionItemSerializer(many=True, read_only=True)

    class Meta:
        model = CoachingSession
        fields = [
            "id",
            "organization",
            "manager",
            "scheduled_at",
            "duration_minutes",
            "channel",
            "status",
            "agenda",
            "attendees",
            "notes",
            "action_items",
        ]
        read_only_fields = fields
