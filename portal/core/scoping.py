"""The one place that decides which rows a user may see.

Every user-facing queryset is narrowed with `Model.objects.for_user(user)`. The dispatch on the user's
role lives here; each model's QuerySet says what each role sees by overriding the three hooks. A hook
that is not overridden shows nothing, so a new model is closed until someone opens it deliberately.
"""

from django.db import models


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user):
        from portal.accounts.models import Role

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.OPERATOR:
            return self.for_operator(user)
        if user.role == Role.MANAGER:
            return self.for_manager(user)
        if user.role == Role.ORGANIZATION:
            return self.for_organization_member(user)
        return self.none()

    def for_operator(self, user):
        return self.all()

    def for_manager(self, user):
        return self.none()

    def for_organization_member(self, user):
        return self.none()
