"""The ranking pages: the latest scores overall or per creative field, the movers since last week,
the creators held out with the reason, and on a member's page the score trend and its
component-by-component explanation (incubation.explain)."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from incubation import selectors
from incubation.explain import explain_score, hold_reason_text, movers
from incubation.forms import RankingFilterForm
from incubation.models import ScoreSnapshot
from incubation.services.scoring import NORMALIZED_FIELD, scores_compute
from portal.accounts.permissions import action_required, can
from portal.core.charts import Point, time_series
from portal.core.rendering import render_page

from .common import error_text, filter_query, tabs

PAGE_SIZE = 50
HELD_OUT_SHOWN = 50
MOVERS_SHOWN = 5
TREND_DAYS = 90
WEEK = datetime.timedelta(days=7)


# --- explanation ------------------------------------------------------------------------------


def _figure(line) -> str:
    """A component's raw figure over the window, for reading."""
    if line.kind == "share":
        return f"{line.raw * 100:.1f}%"
    if line.kind == "money":
        return _("%(amount)s CNY") % {"amount": f"{Decimal(line.raw):,.2f}"}
    return f"{int(line.raw):,}"


def explain(snapshot: ScoreSnapshot) -> list[dict]:
    """Each component of the score: its raw figure, its percentile in the pool (0-100), its
    weight and the points it adds; the points add up to the score. `snapshot.weights` should be
    selected."""
    return [
        {
            "code": line.code,
            "label": line.label,
            "figure": _figure(line),
            "percentile": line.percentile,
            "share": round(line.percentile or 0, 1),
            "weight": line.weight,
            "points": line.points,
        }
        for line in explain_score(snapshot).lines
    ]


# --- the ranking page ------------------------------------------------------------------------


def _movers(base, day) -> dict:
    """The biggest climbers and fallers in the overall rank since a week before `day`, among
    the visible, filtered snapshots (two queries)."""
    if day is None:
        return {"up": [], "down": [], "since": None}
    found = {
        direction: movers(
            day, days=WEEK.days, limit=MOVERS_SHOWN, direction=direction, queryset=base
        )
        for direction in ("up", "down")
    }
    return {**found, "since": day - WEEK}


@require_POST
@action_required("incubation.manage")
def compute(request):
    """Operators: score the pool now, for yesterday as the nightly job does."""
    day = timezone.localdate() - datetime.timedelta(days=1)
    try:
        result = scores_compute(actor=request.user, day=day)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("Scores computed for %(day)s: %(scored)d members scored, %(held)d held out.")
            % {"day": day.isoformat(), "scored": result["scored"], "held": result["held_out"]},
        )
    return redirect("incubation:ranking")


@require_GET
@action_required("incubation.view")
def ranking(request):
    day = selectors.latest_scores_day()
    form = RankingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    base = selectors.ranking_base(request.user, filters)
    category = filters.get("category")
    key = "category_rank" if category else "rank"
    page = Paginator(selectors.ranked(base, day, key), PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.mark_moves(page.object_list, day, key, since=WEEK)
    held_rows, held_count = selectors.held_out(base, day, HELD_OUT_SHOWN)
    return render_page(
        request,
        "incubation/ranking.html",
        {
            **tabs(request),
            "form": form,
            "day": day,
            "category": category,
            "page": page,
            "query": filter_query(request),
            "held": held_rows,
            "held_count": held_count,
            "movers": _movers(base, day),
            "may_compute": can(request.user, "incubation.manage"),
        },
        partial="results",
    )


# --- a member's score (shown on the member page) -----------------------------------------------


def score_section(user, creator) -> dict:
    """The score trend of the last 90 days as a chart, and the latest score explained."""
    last = selectors.latest_scores_day()
    if last is None:
        return {"score_chart": None, "latest": None, "components": []}
    start = last - datetime.timedelta(days=TREND_DAYS - 1)
    snapshots = list(
        ScoreSnapshot.objects.for_user(user)
        .filter(creator=creator, day__gte=start, day__lte=last)
        .select_related("weights", "category")
        .order_by("day")
    )
    if not snapshots:
        return {"score_chart": None, "latest": None, "components": []}
    by_day = {s.day: s for s in snapshots}
    first = snapshots[0].day
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]

    def value(day):
        row = by_day.get(day)
        return None if row is None or row.held_out or row.score is None else row.score

    chart = time_series(
        [Point(day.strftime("%m-%d"), value(day)) for day in days],
        title=_("Score"),
        unit=_("points"),
        value_format=lambda v: f"{Decimal(v):.1f}",
        summary_template=_("Score from {start} to {end}: highest {max} on {max_label} (of 100)."),
    )
    latest = snapshots[-1]
    latest.reason = hold_reason_text(latest.hold_reason) if latest.held_out else ""
    explained = not latest.held_out and latest.score is not None
    explained = explained and all(
        getattr(latest, field) is not None for field in NORMALIZED_FIELD.values()
    )
    return {
        "score_chart": chart,
        "latest": latest,
        "components": explain(latest) if explained else [],
    }
