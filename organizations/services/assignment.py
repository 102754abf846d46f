"""One-on-one coaching: each active organization gets one category manager.

Automatic assignment picks, among the active managers of the organization's main category who still
have room (active assignments below their capacity), the one with the fewest organizations; ties go
to the manager who joined first (lowest id), so the choice is deterministic. Candidate managers' rows
are locked while choosing, so concurrent approvals cannot push a manager over capacity.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations import selectors
from organizations.models import ManagerAssignment, Organization, OrgRole
from portal.accounts.models import ManagerProfile
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core.notifications import notify


def available_managers(*, category, exclude=()):
    """Active managers of `category` who are not away today, their rows locked while choosing."""
    today = timezone.localdate()
    return (
        ManagerProfile.objects.select_for_update(of=("self",))
        .filter(is_active=True, user__is_active=True, categories=category)
        .exclude(away_from__lte=today, away_until__gte=today)
        .exclude(user_id__in=list(exclude))
    )


def _category_for(organization: Organization):
    return organization.main_category or organization.primary_categories.order_by("pk").first()


def assign_least_loaded(
    *, actor, organization: Organization, exclude=(), reason: str = "automatic"
) -> ManagerAssignment | None:
    """Assign the least-loaded manager with room; None when every candidate is full (the
    organization then waits in the unassigned queue). Call inside an authorized transaction."""
    if ManagerAssignment.objects.active().filter(organization=organization).exists():
        return None
    category = _category_for(organization)
    if category is None:
        return None
    candidates = list(
        available_managers(category=category, exclude=exclude)
        .order_by("user_id")
        .values_list("user_id", "capacity")
    )
    loads = selectors.manager_loads(user_id for user_id, _capacity in candidates)
    with_room = [
        (loads.get(user_id, 0), user_id)
        for user_id, capacity in candidates
        if loads.get(user_id, 0) < capacity
    ]
    if not with_room:
        return None
    load, manager_id = min(with_room)
    return _start(
        actor=actor,
        organization=organization,
        manager_id=manager_id,
        reason=reason,
        details={"category": category.pk, "load_before": load},
    )


def _start(*, actor, organization, manager_id, reason, details=None, previous=None):
    """Begin an assignment (ending `previous` first), audited and announced to everyone concerned."""
    if previous is not None:
        ManagerAssignment.objects.filter(pk=previous.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=reason
        )
    assignment = ManagerAssignment.objects.create(
        organization=organization,
        manager_id=manager_id,
        assigned_by=actor if getattr(actor, "pk", None) else None,
        reason=reason,
    )
    audit_record(
        actor=actor,
        action="assignment.create" if previous is None else "assignment.move",
        obj=assignment,
        organization=organization,
        before={"manager": previous.manager_id} if previous is not None else {},
        after={"manager": manager_id, **(details or {})},
        reason=reason,
    )
    link = reverse("coaching:organization", args=[organization.pk])
    notify(
        recipients=[assignment.manager],
        event="assignment.manager",
        organization=organization,
        link=link,
    )
    if previous is not None:
        notify(
            recipients=[previous.manager],
            event="assignment.released",
            organization=organization,
            reason=reason,
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


def _room(manager_id: int, extra: int = 1) -> None:
    profile = ManagerProfile.objects.select_for_update().filter(user_id=manager_id).first()
    if profile is None or not profile.is_active:
        raise ValidationError({"manager": _("Choose an active category manager.")})
    load = selectors.manager_loads([manager_id]).get(manager_id, 0)
    if load + extra > profile.capacity:
        raise ValidationError(
            {
                "manager": _(
                    "%(name)s coaches %(load)s of %(capacity)s organizations; there is no room for "
                    "%(extra)s more. Raise their capacity first."
                )
                % {
                    "name": profile.user.full_name,
                    "load": load,
                    "capacity": profile.capacity,
                    "extra": extra,
                }
            }
        )


@transaction.atomic
def assignment_reassign(
    *, actor, organization: Organization, manager, reason: str
) -> ManagerAssignment:
    """An operator gives an organization another manager (or its first one), keeping history."""
    authorize(actor, "assignment.manage", organization)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give a reason; both managers and the organization read it.")}
        )
    if not organization.is_active:
        raise ValidationError(_("Only an active organization has a category manager."))
    current = (
        ManagerAssignment.objects.select_for_update()
        .filter(organization=organization, ended_at__isnull=True)
        .select_related("manager")
        .first()
    )
    if current is not None and current.manager_id == manager.pk:
        raise ValidationError({"manager": _("This manager already coaches the organization.")})
    _room(manager.pk)
    return _start(
        actor=actor,
        organization=organization,
        manager_id=manager.pk,
        reason=reason,
        previous=current,
    )


@transaction.atomic
def book_move(*, actor, from_manager, to_manager=None, reason: str) -> dict:
    """Move a manager's whole book (leave, departure): to one manager, or each organization to the
    least-loaded other manager of its category. Organizations without a taker wait unassigned."""
    authorize(actor, "assignment.manage")
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give a reason; both managers and the organizations read it.")}
        )
    book = list(
        ManagerAssignment.objects.select_for_update()
        .filter(manager=from_manager, ended_at__isnull=True)
        .select_related("organization", "manager")
        .order_by("organization_id")
    )
    if to_manager is not None:
        if to_manager.pk == from_manager.pk:
            raise ValidationError({"to_manager": _("Choose another manager.")})
        _room(to_manager.pk, extra=len(book))
    moved, waiting = 0, []
    for current in book:
        if to_manager is not None:
            _start(
                actor=actor,
                organization=current.organization,
                manager_id=to_manager.pk,
                reason=reason,
                previous=current,
            )
            moved += 1
            continue
        ManagerAssignment.objects.filter(pk=current.pk).update(
            ended_at=timezone.now(), end_reason=reason
        )
        audit_record(
            actor=actor,
            action="assignment.end",
            obj=current,
            organization=current.organization,
            before={"manager": current.manager_id},
            reason=reason,
        )
        if assign_least_loaded(
            actor=actor, organization=current.organization, exclude=[from_manager.pk], reason=reason
        ):
            moved += 1
        else:
            waiting.append(current.organization)
        notify(
            recipients=[from_manager],
            event="assignment.released",
            organization=current.organization,
            reason=reason,
        )
    return {"moved": moved, "waiting": waiting}


@transaction.atomic
def rebalance_apply(*, actor, moves: list[tuple[int, int]], reason: str) -> int:
    """Apply confirmed moves [(assignment id, new manager id)]; a move no longer valid is skipped."""
    authorize(actor, "assignment.manage")
    applied = 0
    for assignment_id, manager_id in moves:
        current = (
            ManagerAssignment.objects.select_for_update()
            .filter(pk=assignment_id, ended_at__isnull=True)
            .select_related("organization", "manager")
            .first()
        )
        if current is None:
            continue
        try:
            _room(manager_id)
        except ValidationError:
            continue
        _start(
            actor=actor,
            organization=current.organization,
            manager_id=manager_id,
            reason=reason,
            previous=current,
        )
        applied += 1
    return applied
