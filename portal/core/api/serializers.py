from rest_framework import serializers

from portal.core.models import Category


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "code", "name_zh", "name_en", "is_active"]
        read_only_fields = fields
