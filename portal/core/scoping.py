"""The one place that decides which rows a user may see.

Every user-facing queryset is narrowed with `Model.objects.for_user(user)`. The dispatch on the user's
role lives here; each model's QuerySet says what each role sees, in one of two ways:

- by declaring paths: `category_path` (from a row to its creative field: managers see the rows of
  the fields they manage) and `organization_path` (from a row to the organization that owns it:
  an organization's members see its rows), e.g. `category_path = "video__category"`;
- or, where the rule is not a path (a binding in force, a published list), by overriding
  `for_manager` / `for_organization_member`.

A role whose path is not declared and whose hook is not overridden sees nothing, so a new model
is closed until someone opens it deliberately.

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
    # Lookups from a row to its creative field and to its organization (None: closed).
    category_path: str | None = None
    organization_path: str | None = None

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
        """The rows of the creative fields the manager manages (none without `category_path`)."""
        if self.category_path is None:
            return self.none()
        from portal.accounts.permissions import manager_category_ids

        return self.filter(**{f"{self.category_path}__in": manager_category_ids(user)})

    def for_organization_member(self, user):
        """The rows of the member's organization (none without `organization_path`)."""
        if self.organization_path is None:
            return self.none()
        return self.filter(**{f"{self.organization_path}__memberships__user": user})

    def for_partner(self, user):
        scope = _PARTNER_SCOPES.get(self.model._meta.label)
        return scope(self, user) if scope is not None else self.none()
