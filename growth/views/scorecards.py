"""The growth pages: an organization's scorecard (trend, explanation, what would raise its level),
the staff overview (distribution, movers, every organization's level and score) and the operators'
settings (weights, levels and rights, computing a month)."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from growth import selectors
from growth.forms import ComputeForm, LevelForm, VersionForm
from growth.models import COMPONENT_CODES, Level, Scorecard, ScorecardVersion, VersionStatus
from growth.services.levels import level_right_set, level_save
from growth.services.scorecard import month_bounds, scorecards_compute
from growth.services.versions import (
    scorecard_version_draft,
    scorecard_version_publish,
    scorecard_version_update,
)
from organizations.models import Organization
from portal.accounts.models import Role
from portal.accounts.permissions import action_required, authorize, can
from portal.core.charts import Point, time_series
from portal.core.rendering import render_page

PAGE_SIZE = 50
TREND_MONTHS = 12


def _figure(line) -> str:
    """A component's figure with the counts behind it, for reading."""
    if line.code == "violations":
        return _("%(n)s (%(rate)s per creator)") % {
            "n": f"{line.numerator:,}",
            "rate": f"{line.figure:.2f}",
        }
    if line.code == "growth":
        return _("%(change)s (%(before)s → %(after)s creators)") % {
            "change": f"{line.figure * 100:+.1f}%",
            "before": f"{line.denominator:,}",
            "after": f"{line.numerator:,}",
        }
    if line.code == "items_on_time" and line.denominator == 0:
        return _("nothing was due")
    return _("%(share)s (%(a)s of %(b)s)") % {
        "share": f"{line.figure * 100:.1f}%",
        "a": f"{line.numerator:,}",
        "b": f"{line.denominator:,}",
    }


def _target(line, value) -> str:
    if value is None:
        return ""
    if line.code == "violations":
        return _("%(rate)s per creator") % {"rate": f"{value:.2f}"}
    if line.code == "growth":
        return f"{value * 100:+.1f}%"
    return f"{value * 100:.1f}%"


def _trend_chart(organization, month):
    rows = selectors.trend(organization, month, TREND_MONTHS)
    return time_series(
        [Point(row["month"].strftime("%Y-%m"), row["score"]) for row in rows],
        title=_("Health score"),
        unit=_("points"),
        value_format=lambda value: f"{value:.1f}",
        summary_template=_("Health score from {start} to {end}: highest {max} in {max_label}."),
    )


@action_required("growth.view")
def home(request):
    """The navigation's link: the people of an organization see their scorecard, staff the
    overview (the same pages as their own addresses, so the link is never a redirect)."""
    if request.user.role == Role.ORGANIZATION:
        return organization_page(request, request.user.membership.organization_id)
    return overview(request)


@action_required("growth.view")
def organization_page(request, pk: int):
    organization = get_object_or_404(Organization.objects.for_user(request.user), pk=pk)
    authorize(request.user, "growth.view", organization)
    cards = Scorecard.objects.for_user(request.user).filter(organization=organization)
    months = list(cards.order_by("-month").values_list("month", flat=True)[:TREND_MONTHS])
    chosen = request.GET.get("month", "")
    month = next((m for m in months if m.isoformat() == chosen), months[0] if months else None)
    card = (
        cards.select_related("version").filter(month=month).first() if month is not None else None
    )
    context = {
        "organization": organization,
        "months": months,
        "card": card,
        "levels": Level.objects.order_by("number"),
        "rights": selectors.rights_by_level(),
    }
    if card is not None:
        lines = selectors.explain(card)
        plan = selectors.what_would_raise(card)
        context |= {
            "lines": [{"line": line, "figure": _figure(line)} for line in lines],
            "plan": plan,
            "headroom": [
                {"item": item, "target": _target(item.line, item.target_figure)}
                for item in plan.headroom
            ],
            "chart": _trend_chart(organization, card.month),
            "month_end": month_bounds(card.month)[1] - datetime.timedelta(days=1),
            "current_level": Level.objects.filter(number=card.level).first(),
        }
    return render_page(request, "growth/scorecard.html", context)


@action_required("growth.overview")
def overview(request):
    base = Scorecard.objects.for_user(request.user)
    months = list(
        base.order_by().values_list("month", flat=True).distinct().order_by("-month")[:24]
    )
    chosen = request.GET.get("month", "")
    month = next((m for m in months if m.isoformat() == chosen), months[0] if months else None)
    context = {"months": months, "month": month, "may_manage": can(request.user, "growth.manage")}
    if month is not None:
        rows = base.filter(month=month).select_related("organization").order_by("-score", "pk")
        level = request.GET.get("level", "")
        if level.isdigit():
            rows = rows.filter(level=int(level))
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        distribution = selectors.distribution(base, month)
        top = max([entry["n"] for entry in distribution["levels"]] + distribution["bands"] + [1])
        context |= {
            "page": page,
            "level": level,
            "distribution": distribution,
            "top": top,
            "histogram": _histogram(distribution["bands"]),
            "movers": selectors.movers(base, month),
            "query": _query(request),
        }
    return render_page(request, "growth/overview.html", context, partial="rows")


def _histogram(bands: list[int]) -> list[dict]:
    """Bars of the score bands in a 300 x 104 drawing (the tallest band 100 high)."""
    top = max([*bands, 1])
    bars = []
    for index, n in enumerate(bands):
        height = round(100 * n / top, 1)
        bars.append(
            {
                "label": f"{index * 10}–{index * 10 + 10}",
                "low": index * 10,
                "n": n,
                "x": index * 30 + 2,
                "mid": index * 30 + 15,
                "y": round(104 - height, 1),
                "h": height,
            }
        )
    return bars


def _query(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- settings (operators) ---------------------------------------------------------------------


def _settings(request, *, version_form=None, level_forms=None, compute_form=None, status=200):
    draft = ScorecardVersion.objects.filter(status=VersionStatus.DRAFT).order_by("-number").first()
    if version_form is None and draft is not None:
        version_form = VersionForm(
            initial={"effective_from": draft.effective_from, "note": draft.note} | draft.weights()
        )
    rights = selectors.rights_by_level()
    forms = level_forms or {}
    levels = []
    for level in Level.objects.order_by("number"):
        form = forms.get(level.number) or LevelForm(
            initial={
                "name_zh": level.name_zh,
                "name_en": level.name_en,
                "min_score": level.min_score,
                **{
                    key: (bool(value) if key == "review_lane" else value)
                    for key, value in rights.get(level.number, {}).items()
                },
            },
            prefix=f"level{level.number}",
        )
        levels.append({"level": level, "form": form})
    return render_page(
        request,
        "growth/settings.html",
        {
            "versions": ScorecardVersion.objects.select_related("created_by")[:12],
            "codes": COMPONENT_CODES,
            "draft": draft,
            "version_form": version_form,
            "levels": levels,
            "compute_form": compute_form
            or ComputeForm(initial={"month": timezone.localdate().replace(day=1)}),
        },
        status=status,
    )


@action_required("growth.manage")
def settings_page(request):
    return _settings(request)


@action_required("growth.manage")
@require_POST
def version_draft(request):
    try:
        scorecard_version_draft(actor=request.user, effective_from=_next_month())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("A draft version was made from the newest one."))
    return redirect("growth:settings")


def _next_month() -> datetime.date:
    return month_bounds(timezone.localdate())[1]


@action_required("growth.manage")
@require_POST
def version_update(request, pk: int):
    version = get_object_or_404(ScorecardVersion, pk=pk, status=VersionStatus.DRAFT)
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            scorecard_version_update(actor=request.user, version=version, **form.cleaned_data)
        except ValidationError as error:
            _errors_on(form, error)
        else:
            messages.success(request, _("The draft's weights are saved."))
            return redirect("growth:settings")
    return _settings(request, version_form=form, status=400)


@action_required("growth.manage")
@require_POST
def version_publish(request, pk: int):
    version = get_object_or_404(ScorecardVersion, pk=pk, status=VersionStatus.DRAFT)
    try:
        scorecard_version_publish(actor=request.user, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Version %(number)s is published; months from %(day)s are scored with it.")
            % {"number": version.number, "day": version.effective_from.isoformat()},
        )
    return redirect("growth:settings")


@action_required("growth.manage")
@require_POST
def level_update(request, number: int):
    level = get_object_or_404(Level, number=number)
    form = LevelForm(request.POST, prefix=f"level{number}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                level_save(
                    actor=request.user,
                    number=number,
                    name_zh=data["name_zh"],
                    name_en=data["name_en"],
                    min_score=data["min_score"],
                )
                for key, value in form.rights().items():
                    level_right_set(actor=request.user, level=level, key=key, value=value)
        except ValidationError as error:
            _errors_on(form, error)
        else:
            messages.success(request, _("Level %(level)s is saved.") % {"level": level.code})
            return redirect("growth:settings")
    return _settings(request, level_forms={number: form}, status=400)


@action_required("growth.manage")
@require_POST
def compute(request):
    form = ComputeForm(request.POST)
    if form.is_valid():
        try:
            result = scorecards_compute(actor=request.user, month=form.cleaned_data["month"])
        except ValidationError as error:
            _errors_on(form, error, field="month")
        else:
            messages.success(
                request,
                _("%(month)s scored: %(n)s organizations.")
                % {"month": result["month"].strftime("%Y-%m"), "n": result["scored"]},
            )
            return redirect(f"{_overview_url()}?month={result['month'].isoformat()}")
    return _settings(request, compute_form=form, status=400)


def _overview_url() -> str:
    from django.urls import reverse

    return reverse("growth:overview")


def _errors_on(form, error: ValidationError, field: str | None = None) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else field, errors)
    else:
        form.add_error(field, error.messages)
