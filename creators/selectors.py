"""Reads of creators shown to people: rosters and what each row needs, in a bounded number of
queries whatever the roster's size."""

import datetime

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.audit.models import AuditEntry
from portal.core.charts import Point, time_series
from portal.core.paging import Concatenated

from .introduced import counting_bindings, cycle_of, introduced_status
from .models import Binding, BindingSource, Creator, DailyMetric


def roster_queryset(user):
    """Every creator the user may see, with their current binding joined in once."""
    return (
        Creator.objects.for_user(user)
        .with_active_binding()
        .annotate(
            organization_id=F("active__organization_id"),
            organization_name=F("active__organization__legal_name"),
            joined_on=F("active__started_on"),
            binding_source=F("active__source"),
            binding_id=F("active__id"),
        )
        .select_related("primary_category")
    )


def introduced_marks(creators) -> dict[int, str]:
    """For a page of creators: "yes" (counts this month), "pending" (recruited this month, the
    window still open) or nothing."""
    today = timezone.localdate()
    start, end = cycle_of(today)
    ids = [c.pk for c in creators]
    active = Binding.objects.filter(creator_id__in=ids, ended_on__isnull=True)
    counting = set(
        counting_bindings(active, cycle_start=start).values_list("creator_id", flat=True)
    )
    recruited = set(
        active.filter(
            source=BindingSource.RECRUITED, started_on__gte=start, started_on__lt=end
        ).values_list("creator_id", flat=True)
    )
    return {pk: "yes" for pk in counting} | {pk: "pending" for pk in recruited - counting}


CHART_DAYS = 60


def creator_page(user, creator, binding) -> dict:
    """What a creator's page shows the user: the binding history (an organization sees only its
    own periods with the creator), the introduced status, the charts, flags and activity."""
    history = creator.bindings.select_related("organization").order_by("-started_on", "-id")
    if user.is_organization_member:
        history = history.filter(organization__memberships__user=user)
    return {
        "history": history,
        "status": introduced_status(binding) if binding else None,
        "charts": charts_for(user, creator),
        "flags": DailyMetric.objects.for_user(user)
        .filter(creator=creator)
        .exclude(flag="none")
        .distinct()
        .order_by("-date")[:10],
        "activity": AuditEntry.objects.for_user(user)
        .filter(object_type__model="creator", object_id=str(creator.pk))
        .select_related("actor", "object_type")[:10],
    }


def charts_for(user, creator) -> list:
    """Plays, followers and GMV over the last 60 days the person may see."""
    today = timezone.localdate()
    start = today - datetime.timedelta(days=CHART_DAYS - 1)
    rows = {
        m.date: m
        for m in DailyMetric.objects.for_user(user)
        .filter(creator=creator, date__gte=start)
        .distinct()
        .only("date", "plays", "counted_valid_plays", "new_followers", "gmv")
    }
    days = [start + datetime.timedelta(days=n) for n in range(CHART_DAYS)]
    label = "%m-%d"
    # Followers on a day: today's count minus the followers gained after that day.
    later_gain, followers = 0, {}
    for day in reversed(days):
        followers[day] = max(0, creator.follower_count - later_gain) if rows else None
        later_gain += rows[day].new_followers if day in rows else 0
    summary = _("%(title)s from {start} to {end}: total {total}, highest {max} on {max_label}.")
    return [
        time_series(
            [Point(d.strftime(label), rows[d].plays if d in rows else None) for d in days],
            title=_("Plays"),
            unit=_("plays"),
            summary_template=summary % {"title": _("Plays")},
        ),
        time_series(
            [Point(d.strftime(label), followers[d] if d in rows else None) for d in days],
            title=_("Followers"),
            unit=_("followers"),
            summary_template=_("Followers from {start} to {end}: highest {max} on {max_label}."),
        ),
        time_series(
            [Point(d.strftime(label), rows[d].gmv if d in rows else None) for d in days],
            title=_("GMV (CNY)"),
            unit=pgettext("currency unit", "CNY"),
            summary_template=summary % {"title": _("GMV")},
        ),
    ]


def bound_first(rows):
    """A roster sorted by joined date: the creators with a current binding in that order (read
    from the bindings' start-date index), then those without one, by id. One sorted join would
    have to sort every creator to place the unbound ones."""
    # Through an alias of the joined binding's column: a filter on `active__…` after the
    # roster's annotations would join the bindings a second time.
    rows = rows.alias(bound_creator_id=F("active__creator_id"))
    return Concatenated(
        rows.filter(bound_creator_id__isnull=False),
        rows.filter(bound_creator_id__isnull=True).order_by("id"),
    )
