"""Placement pages: the operators' and managers' calendar and charts, the managers' queue and
weekly fill, and an organization's nominations, placements and coupons."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from incentives.models import Cycle
from portal.accounts.models import Role
from portal.accounts.permissions import action_required, can
from portal.core.kit import add_service_errors
from portal.core.rendering import redirect_page, render_page

from . import selectors, services
from .forms import (
    AcceptForm,
    DeclineForm,
    FillForm,
    InventoryForm,
    MonthForm,
    NominateForm,
    PlacementRuleForm,
    SurfaceForm,
)
from .models import Coupon, Nomination, PlacementRule, Surface


def _staff(request):
    if request.user.role not in (Role.OPERATOR, Role.MANAGER):
        raise PermissionDenied


@action_required("placements.view")
def overview(request):
    """Staff: a surface's month calendar, the traffic pool's burn, granted vs delivered.
    Organizations: their nominations, quota, placements and coupons."""
    if request.user.role == Role.ORGANIZATION:
        return _organization_page(request)
    form = MonthForm(request.GET or None)
    surface, month = None, timezone.localdate()
    if form.is_valid():
        surface = form.cleaned_data["surface"]
        month = form.cleaned_data["month"] or month
    surface = surface or Surface.objects.order_by("sort_order").first()
    if not form.is_bound:  # the calendar shown is the one the form names
        form = MonthForm(initial={"surface": surface, "month": month})
    rule = PlacementRule.objects.in_force(timezone.localdate())
    coupons = Coupon.objects.for_user(request.user)
    context = {
        "form": form,
        "calendar": selectors.calendar_for(request.user, surface, month) if surface else None,
        "surfaces": Surface.objects.prefetch_related("content_types"),
        "rule": rule,
        "burn": selectors.burn_by_source(rule.program)
        if rule and can(request.user, "placements.configure")
        else None,
        "granted": selectors.granted_vs_delivered(coupons),
        "totals": services.coupons.delivered_totals(coupons),
        "fill_form": FillForm(),
        "queue_count": selectors.manager_queue(request.user).count(),
        "ended_cycles": Cycle.objects.filter(
            program=rule.program, ends_on__lte=timezone.localdate()
        ).order_by("-number")[:3]
        if rule
        else [],
    }
    return render_page(request, "placements/overview.html", context, partial="calendar")


def _organization_page(request, form=None, status=200):
    membership = request.user.membership
    context = {
        "organization": membership.organization,
        "form": form or NominateForm(user=request.user),
        "can_nominate": can(request.user, "placements.nominate"),
        **selectors.organization_figures(request.user, membership.organization),
    }
    return render_page(request, "placements/organization.html", context, status=status)


@require_POST
@action_required("placements.nominate")
def nominate(request):
    form = NominateForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.placement_nominate(
                actor=request.user,
                video=form.cleaned_data["video"],
                surface=form.cleaned_data["surface"],
                product=form.cleaned_data["sku"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Nominated. A manager of the field will review it."))
            return redirect(
                "placements:overview"
                if request.user.role == Role.ORGANIZATION
                else "placements:queue"
            )
    if request.user.role == Role.ORGANIZATION:
        return _organization_page(request, form, status=400)
    messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("placements:queue")


@action_required("placements.schedule")
def queue(request, fill_form=None, status=200):
    _staff(request)
    nominations = selectors.manager_queue(request.user)
    context = {
        "nominations": nominations[:200],
        "count": nominations.count(),
        "accept_form": AcceptForm(),
        "decline_form": DeclineForm(),
        "fill_form": fill_form or FillForm(),
    }
    return render_page(request, "placements/queue.html", context, status=status)


def _nomination(request, pk):
    return get_object_or_404(Nomination.objects.for_user(request.user), pk=pk)


@require_POST
@action_required("placements.schedule")
def accept(request, pk: int):
    nomination = _nomination(request, pk)
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            placements = services.placement_accept(
                actor=request.user, nomination=nomination, days=form.days()
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Scheduled on %(days)s.")
                % {"days": ", ".join(p.day.isoformat() for p in placements)},
            )
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("placements:queue")


@require_POST
@action_required("placements.schedule")
def decline(request, pk: int):
    nomination = _nomination(request, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.placement_decline(
                actor=request.user, nomination=nomination, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Declined; the organization sees the reason."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("placements:queue")


def _fill(request, act):
    """A weekly fill action on the form's surface, field and week; the queue again with the
    bound form when refused."""
    _staff(request)
    form = FillForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            message = act(
                actor=request.user,
                surface=data["surface"],
                category_id=data["category"].pk,
                week_start=data["week_start"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            form.add_error("category", _("You do not manage this field."))
        else:
            messages.success(request, message)
            return redirect("placements:queue")
    return queue(request, fill_form=form, status=400)


@require_POST
@action_required("placements.schedule")
def fill_propose(request):
    def propose(**arguments):
        n = services.fill_propose(**arguments)
        return _("%(n)s videos proposed; confirm them to schedule.") % {"n": n}

    return _fill(request, propose)


@require_POST
@action_required("placements.schedule")
def fill_confirm(request):
    def confirm(**arguments):
        n = services.fill_confirm(**arguments)
        return _("%(n)s proposals scheduled.") % {"n": n}

    return _fill(request, confirm)


# --- the operators' editors: surfaces, inventory, rule versions -----------------------------------
@action_required("placements.configure")
def setup(request, inventory_form=None, status=200):
    """Operators: every surface (to edit, or add one) and each field's dated inventory."""
    context = {
        "surfaces": selectors.surfaces_for_setup(),
        "inventory_form": inventory_form or InventoryForm(),
        "inventory": selectors.inventory_for_setup(),
    }
    return render_page(request, "placements/setup.html", context, status=status)


@require_POST
@action_required("placements.configure")
def inventory_add(request):
    form = InventoryForm(request.POST)
    if form.is_valid():
        try:
            services.inventory_set(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Inventory set."))
            return redirect_page(request, "placements:setup")
    return setup(request, inventory_form=form, status=400)


def _surface_page(request, form, status=200):
    return render_page(request, "placements/surface.html", {"form": form}, status=status)


@action_required("placements.configure")
def surface_new(request):
    return _surface_page(request, SurfaceForm(initial={"is_active": True}))


@action_required("placements.configure")
def surface_edit(request, pk: int):
    surface = get_object_or_404(Surface, pk=pk)
    return _surface_page(request, SurfaceForm(instance=surface))


def _surface_save(request, surface):
    form = SurfaceForm(request.POST, instance=surface)
    if form.is_valid():
        try:
            services.surface_save(
                actor=request.user,
                surface=form.instance,
                content_types=form.cleaned_data["content_types"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Surface saved."))
            return redirect_page(request, "placements:setup")
    return _surface_page(request, form, status=400)


@require_POST
@action_required("placements.configure")
def surface_add(request):
    return _surface_save(request, Surface())


@require_POST
@action_required("placements.configure")
def surface_update(request, pk: int):
    return _surface_save(request, get_object_or_404(Surface, pk=pk))


@action_required("placements.configure")
def rules(request, form=None, status=200):
    """Operators: the placement rule's versions (in force, to come, history) and a new one."""
    found = selectors.rule_versions(timezone.localdate())
    form = form or PlacementRuleForm(rule=found["current"])
    context = {**found, "form": form}
    return render_page(request, "placements/rules.html", context, status=status)


@require_POST
@action_required("placements.configure")
def rule_add(request):
    form = PlacementRuleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rule = services.placement_rule_add(
                actor=request.user,
                program=data["program"],
                effective_from=data["effective_from"],
                rate_per_thousand=data["rate_per_thousand"],
                monthly_quota=data["monthly_quota"],
                grade_grants=form.grade_grants(),
                boosts=form.boosts(),
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The new version is in force from %(day)s.")
                % {"day": rule.effective_from.isoformat()},
            )
            return redirect_page(request, "placements:rules")
    return rules(request, form=form, status=400)


@require_POST
@action_required("coupons.grant")
def grant_grades(request):
    try:
        n = services.coupons_grant_grades(actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(n)s grade coupons granted.") % {"n": n})
    return redirect("placements:overview")


@require_POST
@action_required("coupons.grant")
def close_cycle(request, pk: int):
    cycle = get_object_or_404(Cycle, pk=pk)
    try:
        n = services.coupons_close_cycle(actor=request.user, cycle=cycle)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(n)s coupons closed; undelivered impressions returned.") % {"n": n}
        )
    return redirect("placements:overview")
