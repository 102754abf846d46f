"""Reads of creators shown to people: rosters and what each row needs, in a bounded number of
queries whatever the roster's size."""

import dataclasses
import datetime

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.audit.models import AuditEntry
from portal.core.charts import Point, time_series
from portal.core.paging import Concatenated

from .consent import roster_consent, visible_scopes
from .introduced import counting_bindings, cycle_of, introduced_status
from .models import Binding, BindingConsent, BindingSource, Creator, DailyMetric, Scope


def roster_queryset(user):
    """Every creator the user may see, with their current binding and its consent joined in once:
    `consent_state`, `shares_<scope>` and the contact details shared (`creators/consent.py`)."""
    return (
        Creator.objects.for_user(user)
        .with_active_binding()
        .annotate(
            organization_id=F("active__organization_id"),
            organization_name=F("active__organization__legal_name"),
            joined_on=F("active__started_on"),
            binding_source=F("active__source"),
            binding_id=F("active__id"),
            **roster_consent(user),
        )
        .select_related("primary_category")
    )


def waiting_consents(user):
    """The consents of current bindings the user may see that are not given: pending (the link
    may have expired), declined or withdrawn; newest first."""
    return (
        BindingConsent.objects.for_user(user)
        .waiting()
        .filter(binding__ended_on__isnull=True)
        .select_related("binding__creator", "binding__organization", "sent_by")
        .order_by("-created_at", "-pk")
    )


def introduced_marks(creators) -> dict[int, str]:
    """For a page of roster rows (`roster_queryset`: `binding_source` and `joined_on`, their
    current binding's): "yes" (counts this month), "pending" (recruited this month, the window
    still open) or nothing. Only a binding recruited this month can count, which the rows
    already say: the database is asked about those creators only, and most pages ask nothing."""
    start, end = cycle_of(timezone.localdate())
    recruited = [
        creator.pk
        for creator in creators
        if creator.binding_source == BindingSource.RECRUITED
        and creator.joined_on is not None
        and start <= creator.joined_on < end
    ]
    if not recruited:
        return {}
    active = Binding.objects.filter(creator_id__in=recruited, ended_on__isnull=True)
    counting = set(
        counting_bindings(active, cycle_start=start).values_list("creator_id", flat=True)
    )
    return {pk: "yes" if pk in counting else "pending" for pk in recruited}


CHART_DAYS = 60


def _without_figures(status):
    """The introduced status without the creator's figures, for an organization the creator does
    not share their metrics with: whether the binding counts, not why in numbers."""
    if status.counts:
        reason = _("Counts as introduced this month.")
    elif status.pending:
        reason = _("Not yet: the qualification window is open until %(end)s.") % {
            "end": status.window_end
        }
    else:
        reason = _("Does not count as introduced this month.")
    return dataclasses.replace(status, reason=reason, original_videos=0, valid_plays=0)


def creator_page(user, creator, binding) -> dict:
    """What a creator's page shows the user: the binding history (an organization sees only its
    own periods with the creator), the consent and what it lets the user see, the introduced
    status (its figures only with the metrics scope), the charts, flags and activity (the
    metrics are scoped by consent in `DailyMetric.objects.for_user`)."""
    history = creator.bindings.select_related("organization").order_by("-started_on", "-id")
    if user.is_organization_member:
        history = history.filter(organization__memberships__user=user)
    consent = (
        BindingConsent.objects.filter(binding=binding).first() if binding is not None else None
    )
    scopes = visible_scopes(user, binding, consent)
    status = introduced_status(binding) if binding else None
    if status is not None and Scope.METRICS not in scopes:
        status = _without_figures(status)
    return {
        "consent": consent,
        "scopes": scopes,
        "history": history,
        "status": status,
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
