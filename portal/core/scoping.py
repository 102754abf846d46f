"""The one place that decides which rows a user may see.

Every user-facing queryset is narrowed with `Model.objects.for_user(user)`. The dispatch on the user's
role lives here; each model's QuerySet says what each role sees by overriding the hooks. A hook
that is not overridden shows nothing, so a new model is closed until someone opens it deliberately.

Partner applications (the service accounts behind API tokens, `Role.PARTNER`) go through
`for_partner`. A QuerySet may override it; otherwise it answers what was opened for the model with
`open_to_partners` (all of it in `partners/visibility.py`, one file to review), and nothing when
nothing was.
"""

from collections.abc import Callable

from django.db import models

PartnerScope = Callable[[models.QuerySet, object], models.QuerySet]
_PARTNER_SCOPES: dict[str, PartnerScope] = {}


def open_to_partners(model_label: str) -> Callable[[PartnerScope], PartnerScope]:
    """Register `(queryset, user) -> queryset`: the rows of `model_label` ("app.Model") that
    partner applications may see."""

    def register(scope: PartnerScope) -> PartnerScope:
        if model_label in _PARTNER_SCOPES:
            raise ValueError(f"{model_label} is already opened to partners.")
        _PARTNER_SCOPES[model_label] = scope
        return scope

    return register


def partner_visible_models() -> list[str]:
    return sorted(_PARTNER_SCOPES)


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
        if user.role == Role.PARTNER:
            return self.for_partner(user)
        return self.none()

    def for_operator(self, user):
        return self.all()

    def for_manager(self, user):
        return self.none()

    def for_organization_member(self, user):
        return self.none()

    def for_partner(self, user):
        scope = _PARTNER_SCOPES.get(self.model._meta.label)
        return scope(self, user) if scope is not None else self.none()
