from rest_framework import serializers

from portal.accounts.models import User


class MeSerializer(serializers.ModelSerializer):
    organization_id = serializers.SerializerMethodField()
    organization_role = serializers.SerializerMethodField()
    category_ids = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "role",
            "language",
            "organization_id",
            "organization_role",
            "category_ids",
        ]
        read_only_fields = fields

    def _membership(self, user):
        return getattr(user, "membership", None) if user.is_organization_member else None

    def get_organization_id(self, user) -> int | None:
        membership = self._membership(user)
        return membership.organization_id if membership else None

    def get_organization_role(self, user) -> str | None:
        membership = self._membership(user)
        return membership.role if membership else None

    def get_category_ids(self, user) -> list[int]:
        from portal.accounts.permissions import manager_category_ids

        return sorted(manager_category_ids(user))
