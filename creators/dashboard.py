"""The creators' figures on each role's dashboard (registered in `CreatorsConfig.ready`)."""

from django.db.models import Count
from django.utils import timezone

from portal.core.dashboards import register_panel, share_bars
from portal.core.models import localized

from .introduced import counting_bindings
from .models import Binding, BindingSource, Creator, DailyMetric, Dispute, DisputeStatus, PlayFlag


@register_panel("operator", order=20)
def operator_creators(user, context) -> dict:
    return {
        "creators": Creator.objects.for_user(user).count(),
        "active_bindings": Binding.objects.for_user(user).active().count(),
        "open_flags": DailyMetric.objects.for_user(user).filter(flag=PlayFlag.OPEN).count(),
        "open_disputes": Dispute.objects.for_user(user).filter(status=DisputeStatus.OPEN).count(),
    }


@register_panel("manager", order=20)
def manager_creators(user, context) -> dict:
    return {
        "creators": Creator.objects.for_user(user).count(),
        "open_flags": DailyMetric.objects.for_user(user).filter(flag=PlayFlag.OPEN).count(),
    }


@register_panel("organization", order=20, needs="organization")
def organization_roster(user, context) -> dict:
    organization = context["organization"]
    roster = Binding.objects.for_user(user).active().filter(organization=organization)
    month_start = timezone.localdate().replace(day=1)
    by_category = list(
        roster.values("creator__primary_category__name_zh", "creator__primary_category__name_en")
        .annotate(n=Count("id"))
        .order_by("-n")[:10]
    )
    return {
        "roster_size": roster.count(),
        "recruited_this_month": roster.filter(
            source=BindingSource.RECRUITED, started_on__gte=month_start
        ).count(),
        "introduced_this_month": counting_bindings(roster, cycle_start=month_start).count(),
        "month_start": month_start,
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
    }
