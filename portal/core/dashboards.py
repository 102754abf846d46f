"""What each role's dashboard shows: figures that exist today, each read with a bounded number of
queries whatever the size of the program."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from creators.introduced import counting_bindings
from creators.models import (
    Binding,
    BindingSource,
    Creator,
    DailyMetric,
    Dispute,
    DisputeStatus,
    PlayFlag,
)
from organizations.models import Membership, Organization, OrganizationStatus, OrgRole
from portal.accounts.models import ManagerProfile
from portal.accounts.permissions import manager_category_ids
from portal.audit.models import AuditEntry

from .models import Category, Notification, QueuedTask, localized

RECENT = 8
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


def recent_entries(user):
    return AuditEntry.objects.for_user(user).select_related("actor", "organization")[:RECENT]


def recent_applications(user):
    return (
        Organization.objects.for_user(user)
        .exclude(status=OrganizationStatus.DRAFT)
        .order_by("-updated_at", "-id")[:RECENT]
    )


def share_bars(rows: list[tuple[str, int]]) -> list[dict]:
    """(label, value) rows as bars scaled to the largest value."""
    top = max((value for _label, value in rows), default=0) or 1
    return [
        {"label": label, "value": value, "share": round(100 * value / top, 1)}
        for label, value in rows
    ]


def content_figures(user) -> dict:
    from content.dashboard import content_figures as figures

    return figures(user)


def operator_dashboard(user) -> dict:
    categories = Category.objects.annotate(
        managers=Count(
            "manager_profiles", filter=Q(manager_profiles__is_active=True), distinct=True
        ),
        active_organizations=Count(
            "organizations",
            filter=Q(organizations__status=OrganizationStatus.APPROVED),
            distinct=True,
        ),
    ).filter(is_active=True)
    by_organizations = sorted(categories, key=lambda c: (-c.active_organizations, c.sort_order))
    return {
        **organization_figures(Organization.objects.for_user(user)),
        "creators": Creator.objects.for_user(user).count(),
        "active_bindings": Binding.objects.for_user(user).active().count(),
        "managers": ManagerProfile.objects.filter(is_active=True).count(),
        "categories": len(by_organizations),
        "uncovered_categories": [c for c in by_organizations if not c.managers],
        "category_bars": share_bars(
            [(c.name, c.active_organizations) for c in by_organizations[:10]]
        ),
        "queued_tasks": QueuedTask.objects.filter(published_at__isnull=True).count(),
        "open_flags": DailyMetric.objects.for_user(user).filter(flag=PlayFlag.OPEN).count(),
        "open_disputes": Dispute.objects.for_user(user).filter(status=DisputeStatus.OPEN).count(),
        "recent_entries": recent_entries(user),
        "recent_applications": recent_applications(user),
        **incentive_figures(),
        **content_figures(user),
    }


def incentive_figures() -> dict:
    """The running programs' pools and the reward lists waiting for an operator."""
    from incentives.models import ListStatus, Pool, ProgramStatus, RewardList
    from incentives.selectors import failed_payments, share

    pools = list(
        Pool.objects.filter(program__status=ProgramStatus.ACTIVE)
        .select_related("program")
        .order_by("program__starts_on", "program_id", "kind")
    )
    for pool in pools:
        pool.share = share(pool.committed, pool.budget)
    return {
        "incentive_pools": pools,
        "lists_in_review": RewardList.objects.filter(status=ListStatus.IN_REVIEW).count(),
        "lists_to_pay": RewardList.objects.filter(status=ListStatus.EXPORTED).count(),
        "failed_payments": failed_payments(),
    }


def coaching_today(user) -> dict:
    """The manager's morning: the book in figures and today's sessions."""
    from organizations.models import CoachingSession, SessionStatus
    from organizations.services.coaching import book_rows

    rows = book_rows([user.pk])
    start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    return {
        "book_size": len(rows),
        "book_overdue": sum(row["overdue"] for row in rows),
        "book_quiet": sum(1 for row in rows if row["quiet"]),
        "sessions_today": CoachingSession.objects.filter(
            manager=user,
            status=SessionStatus.PLANNED,
            scheduled_at__gte=start,
            scheduled_at__lt=start + datetime.timedelta(days=1),
        )
        .select_related("organization")
        .order_by("scheduled_at"),
    }


def manager_dashboard(user) -> dict:
    return {
        **coaching_today(user),
        "my_categories": Category.objects.filter(pk__in=manager_category_ids(user)),
        **organization_figures(Organization.objects.for_user(user)),
        "creators": Creator.objects.for_user(user).count(),
        "open_flags": DailyMetric.objects.for_user(user).filter(flag=PlayFlag.OPEN).count(),
        "recent_entries": recent_entries(user),
        "recent_applications": recent_applications(user),
        **content_figures(user),
    }


def organization_dashboard(user) -> dict:
    from incentives.selectors import failed_payments, tier_progress

    membership = (
        Membership.objects.select_related("organization__main_category").filter(user=user).first()
    )
    notifications = Notification.objects.for_user(user).select_related("organization")[:5]
    if membership is None:
        return {"membership": None, "notifications": notifications}
    organization = membership.organization
    roster = Binding.objects.for_user(user).active().filter(organization=organization)
    month_start = timezone.localdate().replace(day=1)
    by_category = list(
        roster.values("creator__primary_category__name_zh", "creator__primary_category__name_en")
        .annotate(n=Count("id"))
        .order_by("-n")[:10]
    )
    return {
        "membership": membership,
        "organization": organization,
        "is_admin": membership.role in (OrgRole.OWNER, OrgRole.ADMIN),
        "categories": organization.primary_categories.all(),
        "members": organization.memberships.select_related("user"),
        "assignment": organization.manager_assignments.active().select_related("manager").first(),
        "next_session": organization.coaching_sessions.filter(
            status="planned", scheduled_at__gte=timezone.now()
        )
        .order_by("scheduled_at")
        .first(),
        "open_items": organization.action_items.filter(status="open", owner="organization").count(),
        "roster_size": roster.count(),
        "recruited_this_month": roster.filter(
            source=BindingSource.RECRUITED, started_on__gte=month_start
        ).count(),
        "introduced_this_month": counting_bindings(roster, cycle_start=month_start).count(),
        "month_start": month_start,
        "tier_progress": tier_progress(organization),
        "failed_payments": failed_payments(organization),
        "roster_by_category": share_bars(
            [
                (
                    localized(
                        row["creator__primary_category__name_zh"],
                        row["creator__primary_category__name_en"],
                    ),
                    row["n"],
                )
                for row in by_category
            ]
        ),
        "notifications": notifications,
        "recent_entries": recent_entries(user),
        **content_figures(user),
    }
