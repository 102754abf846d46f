"""The organizations' figures on each role's dashboard (registered in `OrganizationsConfig.ready`)."""

from django.db.models import Count, Q

from portal.core.dashboards import RECENT, active_categories, register_panel, share_bars

from .models import Membership, Organization, OrganizationStatus, OrgRole

AWAITING_REVIEW = [OrganizationStatus.SUBMITTED, OrganizationStatus.UNDER_REVIEW]


def status_counts(organizations) -> dict[str, int]:
    """Organizations per lifecycle state, every state present (zero included)."""
    counts = dict(
        organizations.order_by().values_list("status").annotate(n=Count("id", distinct=True))
    )
    return {status.value: counts.get(status.value, 0) for status in OrganizationStatus}


def status_bars(counts: dict[str, int]) -> list[dict]:
    bars = share_bars([(OrganizationStatus(key).label, value) for key, value in counts.items()])
    return [bar | {"key": key} for bar, key in zip(bars, counts, strict=True)]


def organization_figures(organizations) -> dict:
    counts = status_counts(organizations)
    return {
        "status_bars": status_bars(counts),
        "awaiting_review": sum(counts[status] for status in AWAITING_REVIEW),
        "active_organizations": counts[OrganizationStatus.APPROVED],
    }


def recent_applications(user):
    return (
        Organization.objects.for_user(user)
        .exclude(status=OrganizationStatus.DRAFT)
        .order_by("-updated_at", "-id")[:RECENT]
    )


@register_panel("operator", order=10)
def operator_organizations(user, context) -> dict:
    categories = active_categories().annotate(
        active_organizations=Count(
            "organizations",
            filter=Q(organizations__status=OrganizationStatus.APPROVED),
            distinct=True,
        ),
    )
    by_organizations = sorted(categories, key=lambda c: (-c.active_organizations, c.sort_order))
    return {
        **organization_figures(Organization.objects.for_user(user)),
        "categories": len(by_organizations),
        "uncovered_categories": [c for c in by_organizations if not c.managers],
        "category_bars": share_bars(
            [(c.name, c.active_organizations) for c in by_organizations[:10]]
        ),
        "recent_applications": recent_applications(user),
    }


@register_panel("manager", order=10)
def manager_organizations(user, context) -> dict:
    return {
        **organization_figures(Organization.objects.for_user(user)),
        "recent_applications": recent_applications(user),
    }


@register_panel("organization", order=10)
def own_organization(user, context) -> dict:
    """The reader's organization, which the organization dashboard's other panels read."""
    membership = (
        Membership.objects.select_related("organization__main_category").filter(user=user).first()
    )
    if membership is None:
        return {"membership": None}
    organization = membership.organization
    return {
        "membership": membership,
        "organization": organization,
        "is_admin": membership.role in (OrgRole.OWNER, OrgRole.ADMIN),
        "categories": organization.primary_categories.all(),
        "members": organization.memberships.select_related("user"),
        "assignment": organization.manager_assignments.active().select_related("manager").first(),
    }
