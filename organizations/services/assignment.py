"""One-on-one coaching: each active organization gets one category manager.

Automatic assignment picks, among the active managers of the organization's main category who still
have room (active assignments below their capacity), the one with the fewest organizations; ties go
to the manager who joined first (lowest id), so the choice is deterministic. Candidate managers' rows
are locked while choosing, so concurrent approvals cannot push a manager over capacity.
"""

from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from organizations.models import ManagerAssignment, Organization, OrgRole
from portal.accounts.models import ManagerProfile
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core.notifications import notify


def manager_loads(user_ids) -> dict[int, int]:
    rows = (
        ManagerAssignment.objects.active()
        .filter(manager_id__in=list(user_ids))
        .values_list("manager_id")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def _category_for(organization: Organization):
    return organization.main_category or organization.primary_categories.order_by("pk").first()


def assign_least_loaded(*, actor, organization: Organization) -> ManagerAssignment | None:
    """Assign the least-loaded manager with room; None when every candidate is full (the
    organization then waits in the unassigned queue). Call inside an authorized transaction."""
    if ManagerAssignment.objects.active().filter(organization=organization).exists():
        return None
    category = _category_for(organization)
    if category is None:
        return None
    candidates = list(
        ManagerProfile.objects.select_for_update()
        .filter(is_active=True, user__is_active=True, categories=category)
        .order_by("user_id")
        .values_list("user_id", "capacity")
    )
    loads = manager_loads(user_id for user_id, _capacity in candidates)
    with_room = [
        (loads.get(user_id, 0), user_id)
        for user_id, capacity in candidates
        if loads.get(user_id, 0) < capacity
    ]
    if not with_room:
        return None
    load, manager_id = min(with_room)
    assignment = ManagerAssignment.objects.create(
        organization=organization,
        manager_id=manager_id,
        assigned_by=actor if getattr(actor, "pk", None) else None,
        reason="automatic",
    )
    audit_record(
        actor=actor,
        action="assignment.create",
        obj=assignment,
        organization=organization,
        after={"manager": manager_id, "category": category.pk, "load_before": load},
        reason="automatic",
    )
    link = reverse("organizations:detail", args=[organization.pk])
    notify(
        recipients=[assignment.manager],
        event="assignment.manager",
        organization=organization,
        link=link,
    )
    notify(
        recipients=[
            m.user
            for m in organization.memberships.select_related("user").filter(
                role__in=[OrgRole.OWNER, OrgRole.ADMIN]
            )
        ],
        event="assignment.organization",
        organization=organization,
        link=reverse("core:dashboard"),
    )
    return assignment


@transaction.atomic
def manager_assign_automatically(*, actor, organization: Organization) -> ManagerAssignment | None:
    """Operators retry the automatic choice for an organization still waiting for a manager."""
    authorize(actor, "assignment.manage", organization)
    return assign_least_loaded(actor=actor, organization=organization)
