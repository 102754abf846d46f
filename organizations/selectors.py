"""Reads of organizations that pages, other apps and the services share: what an application
still lacks, managers' loads, the organizations waiting for a manager and a rebalancing proposal,
a suspension and its appeal."""

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import (
    ManagerAssignment,
    Organization,
    OrganizationStatus,
    ProgramTerms,
    Suspension,
    SuspensionAppeal,
)
from portal.accounts.models import ManagerProfile


def application_missing(organization: Organization) -> dict[str, str]:
    """What still stops the application from being submitted, by field, in the user's language."""
    missing = {}
    required = {
        "legal_name": _("Enter the organization's legal name."),
        "credit_code": _("Enter the unified social credit code."),
        "legal_representative": _("Enter the legal representative."),
        "contact_name": _("Enter a contact person."),
        "contact_phone": _("Enter a contact mobile number."),
        "contact_email": _("Enter a contact email."),
        "main_category": _("Choose the main category."),
    }
    for field, message in required.items():
        if not getattr(organization, field):
            missing[field] = message
    if not organization.declared_roster_size:
        missing["declared_roster_size"] = _("Enter how many creators you work with.")
    if not organization.licence:
        missing["licence"] = _("Upload the business licence.")
    current = ProgramTerms.objects.current()
    if current is None or organization.terms_version_id != current.pk:
        missing["accept_terms"] = _("Accept the current program terms.")
    return missing


def manager_loads(user_ids) -> dict[int, int]:
    rows = (
        ManagerAssignment.objects.active()
        .filter(manager_id__in=list(user_ids))
        .values_list("manager_id")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def unassigned_organizations():
    """Active organizations that have no manager now: the waiting queue operators work through."""
    return (
        Organization.objects.filter(status=OrganizationStatus.APPROVED)
        .exclude(manager_assignments__ended_at__isnull=True)
        .select_related("main_category")
    )


def rebalance_proposal() -> list[dict]:
    """Moves that even out the loads inside each category (never above a manager's capacity):
    from the most loaded manager to the least loaded while they differ by two or more. Nothing is
    written; the operator confirms."""
    today = timezone.localdate()
    profiles = list(
        ManagerProfile.objects.filter(is_active=True, user__is_active=True)
        .exclude(away_from__lte=today, away_until__gte=today)
        .prefetch_related("categories")
        .select_related("user")
    )
    loads = manager_loads(p.user_id for p in profiles)
    assignments = list(
        ManagerAssignment.objects.active()
        .filter(manager_id__in=[p.user_id for p in profiles])
        .select_related("organization")
        .order_by("organization_id")
    )
    by_manager: dict[int, list] = {}
    for a in assignments:
        by_manager.setdefault(a.manager_id, []).append(a)
    moves, moved = [], set()
    categories = sorted({c.pk for p in profiles for c in p.categories.all()})
    for category in categories:
        team = sorted(
            (p for p in profiles if any(c.pk == category for c in p.categories.all())),
            key=lambda p: p.user_id,
        )
        while len(team) > 1:
            busiest = max(team, key=lambda p: (loads.get(p.user_id, 0), -p.user_id))
            idlest = min(team, key=lambda p: (loads.get(p.user_id, 0), p.user_id))
            if (
                loads.get(busiest.user_id, 0) - loads.get(idlest.user_id, 0) < 2
                or loads.get(idlest.user_id, 0) >= idlest.capacity
            ):
                break
            candidate = next(
                (
                    a
                    for a in by_manager.get(busiest.user_id, [])
                    if a.organization.main_category_id == category and a.pk not in moved
                ),
                None,
            )
            if candidate is None:
                break
            moved.add(candidate.pk)
            moves.append(
                {
                    "assignment": candidate.pk,
                    "organization": candidate.organization,
                    "from": busiest.user,
                    "to": idlest.user,
                    "category": category,
                }
            )
            loads[busiest.user_id] = loads.get(busiest.user_id, 0) - 1
            loads[idlest.user_id] = loads.get(idlest.user_id, 0) + 1
    return moves


def suspension_page(user) -> dict:
    """What an organization's people read about its suspension: the current one (or the last
    one), its reason and deadline, its appeal with the documents and the decision, and whether
    they may appeal now."""
    from portal.accounts.permissions import can
    from portal.core.kit import own_organization
    from portal.core.statements import suspension_sections

    organization = own_organization(user)
    suspension = (
        Suspension.objects.for_user(user)
        .filter(organization=organization)
        .select_related("organization")
        .first()
    )
    appeal = (
        SuspensionAppeal.objects.filter(suspension=suspension).prefetch_related("documents").first()
        if suspension
        else None
    )
    today = timezone.localdate()
    is_open = suspension is not None and suspension.ended_at is None
    return {
        "organization": organization,
        "suspension": suspension,
        "is_open": is_open,
        "appeal": appeal,
        "window_open": is_open and today <= suspension.appeal_until,
        "may_appeal": is_open
        and appeal is None
        and today <= suspension.appeal_until
        and can(user, "organization.appeal", organization),
        # What other apps account for under it (incentives: the payouts it holds).
        "sections": suspension_sections(user, organization, suspension) if suspension else [],
    }


def appeals_for(user, *, state: str = "waiting"):
    """The appeals an operator reads: waiting for a decision (oldest first) or decided."""
    appeals = SuspensionAppeal.objects.for_user(user).select_related(
        "suspension__organization", "decided_by"
    )
    if state == "decided":
        return appeals.exclude(decision="").order_by("-decided_at", "-id")
    return appeals.filter(decision="").order_by("submitted_at", "id")


def appeal_for(user, pk: int):
    """One appeal with its suspension and documents, if the user may see it (else None)."""
    return (
        SuspensionAppeal.objects.for_user(user)
        .select_related("suspension__organization", "suspension__suspended_by", "decided_by")
        .prefetch_related("documents")
        .filter(pk=pk)
        .first()
    )
