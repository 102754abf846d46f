"""Coaching pages: a manager's book and agenda, an organization's plan, sessions and action
items, and the operators' balance of managers."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from growth.selectors import latest_by_organization
from incentives.selectors import tier_progress
from organizations.coaching_forms import (
    GoalForm,
    ManagerInviteForm,
    ManagerSettingsForm,
    MoveBookForm,
    ReassignForm,
    RecordForm,
    SessionForm,
)
from organizations.forms import add_service_errors
from organizations.models import (
    ActionItem,
    CoachingSession,
    GoalStatus,
    ItemStatus,
    Organization,
    SessionStatus,
)
from organizations.services import assignment as assignments
from organizations.services import coaching
from portal.accounts import services as accounts
from portal.accounts.models import ManagerProfile, Role, User
from portal.accounts.permissions import action_required, authorize, can
from portal.core.rendering import render_page

# --- a manager's book and agenda ----------------------------------------------------------------


def _book_manager(request) -> User | None:
    """Managers see their own book; operators choose whose with ?manager= (None: not chosen)."""
    if request.user.role == Role.MANAGER:
        return request.user
    authorize(request.user, "assignment.manage")
    if not request.GET.get("manager", "").isdigit():
        return None
    return get_object_or_404(User, pk=request.GET["manager"], role=Role.MANAGER)


SORTS = {
    "name": lambda row: row["organization"].legal_name,
    "last": lambda row: row["last_session"] or datetime.datetime.min.replace(tzinfo=datetime.UTC),
    "overdue": lambda row: -row["overdue"],
    "introduced": lambda row: -row["introduced"],
}


@action_required("coaching.book")
def book(request):
    manager = _book_manager(request)
    if manager is None:
        return redirect("coaching:balance")
    rows = coaching.book_rows([manager.pk])
    show = request.GET.get("show", "")
    if show == "quiet":
        rows = [r for r in rows if r["quiet"]]
    elif show == "overdue":
        rows = [r for r in rows if r["overdue"]]
    sort = request.GET.get("sort", "last")
    rows.sort(key=SORTS.get(sort, SORTS["last"]))
    profile = ManagerProfile.objects.filter(user=manager).prefetch_related("categories").first()
    return render_page(
        request,
        "coaching/book.html",
        {
            "manager": manager,
            "profile": profile,
            "rows": rows,
            "scorecards": latest_by_organization(row["organization"].pk for row in rows),
            "show": show,
            "sort": sort,
            "move_form": MoveBookForm() if can(request.user, "assignment.manage") else None,
            "settings_form": ManagerSettingsForm(
                initial={
                    "categories": list(profile.categories.all()),
                    "capacity": profile.capacity,
                    "is_active": profile.is_active,
                    "away_from": profile.away_from,
                    "away_until": profile.away_until,
                }
            )
            if profile and can(request.user, "manager.manage")
            else None,
        },
        partial="rows",
    )


@action_required("coaching.book")
def agenda(request):
    manager = _book_manager(request)
    if manager is None:
        return redirect("coaching:balance")
    now = timezone.now()
    sessions = (
        CoachingSession.objects.filter(
            manager=manager,
            status=SessionStatus.PLANNED,
            scheduled_at__gte=now - datetime.timedelta(hours=2),
        )
        .select_related("organization")
        .order_by("scheduled_at")[:100]
    )
    days: dict[datetime.date, list] = {}
    for session in sessions:
        days.setdefault(timezone.localtime(session.scheduled_at).date(), []).append(session)
    return render_page(
        request, "coaching/agenda.html", {"manager": manager, "days": sorted(days.items())}
    )


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@action_required("coaching.book")
def agenda_ics(request):
    """The upcoming sessions as an iCalendar file for Outlook, Google or DingTalk calendars."""
    manager = _book_manager(request)
    if manager is None:
        return redirect("coaching:balance")
    sessions = CoachingSession.objects.filter(
        manager=manager,
        status=SessionStatus.PLANNED,
        scheduled_at__gte=timezone.now() - datetime.timedelta(days=1),
    ).select_related("organization")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Creator Program Portal//Coaching//ZH",
        "CALSCALE:GREGORIAN",
    ]
    for session in sessions:
        start = session.scheduled_at.astimezone(datetime.UTC)
        lines += [
            "BEGIN:VEVENT",
            f"UID:coaching-session-{session.pk}@creator-portal",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{start + datetime.timedelta(minutes=session.duration_minutes):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{_ics_text(session.organization.legal_name)} · {_ics_text(session.get_channel_display())}",
            f"DESCRIPTION:{_ics_text(session.agenda)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    response = HttpResponse(
        "\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="coaching.ics"'
    return response


# --- one organization's coaching ---------------------------------------------------------------


def _organization(request, pk) -> Organization:
    organization = get_object_or_404(Organization.objects.for_user(request.user), pk=pk)
    authorize(request.user, "coaching.view", organization)
    return organization


def organization_page(request, pk: int):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    organization = _organization(request, pk)
    may_plan = can(request.user, "coaching.plan", organization)
    goal_form = GoalForm(prefix="goal")
    session_form = SessionForm(prefix="session")
    reassign_form = (
        ReassignForm(prefix="reassign", organization=organization)
        if can(request.user, "assignment.manage")
        else None
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "goal" and may_plan:
                goal_form = GoalForm(request.POST, prefix="goal")
                if goal_form.is_valid():
                    coaching.goal_create(
                        actor=request.user, organization=organization, **goal_form.cleaned_data
                    )
                    messages.success(request, _("Goal added to the plan."))
                    return redirect("coaching:organization", pk=pk)
            elif action == "session" and may_plan:
                session_form = SessionForm(request.POST, prefix="session")
                if session_form.is_valid():
                    coaching.session_schedule(
                        actor=request.user, organization=organization, **session_form.cleaned_data
                    )
                    messages.success(request, _("Session planned; the organization has been told."))
                    return redirect("coaching:organization", pk=pk)
            elif action == "reassign" and reassign_form is not None:
                reassign_form = ReassignForm(
                    request.POST, prefix="reassign", organization=organization
                )
                if reassign_form.is_valid():
                    assignments.assignment_reassign(
                        actor=request.user, organization=organization, **reassign_form.cleaned_data
                    )
                    messages.success(request, _("The organization has a new category manager."))
                    return redirect("coaching:organization", pk=pk)
            elif action == "goal_status" and may_plan:
                goal = get_object_or_404(organization.coaching_goals, pk=request.POST.get("goal"))
                coaching.goal_update(
                    actor=request.user, goal=goal, status=request.POST.get("status")
                )
                return redirect("coaching:organization", pk=pk)
            else:
                raise PermissionDenied
        except ValidationError as error:
            target = {"goal": goal_form, "session": session_form, "reassign": reassign_form}.get(
                action
            )
            if target is not None:
                add_service_errors(target, error)
            else:
                messages.error(request, " ".join(error.messages))
    figures = coaching.organization_figures([organization.pk])[organization.pk]
    goals = [
        (goal, *coaching.goal_progress(goal, figures))
        for goal in sorted(
            organization.coaching_goals.all(),
            key=lambda g: (g.status != GoalStatus.ACTIVE, g.due_on, g.pk),
        )
    ]
    assignment = organization.manager_assignments.active().select_related("manager").first()
    return render_page(
        request,
        "coaching/organization.html",
        {
            "organization": organization,
            "assignment": assignment,
            "tier_progress": tier_progress(organization),
            "history": organization.manager_assignments.select_related(
                "manager", "assigned_by"
            ).order_by("-started_at"),
            "goals": goals,
            "sessions": organization.coaching_sessions.select_related("manager").prefetch_related(
                "action_items"
            )[:20],
            "items": organization.action_items.filter(status=ItemStatus.OPEN).order_by(
                "due_on", "id"
            ),
            "done_items": organization.action_items.filter(status=ItemStatus.DONE)
            .select_related("done_by")
            .order_by("-done_at", "-id")[:10],
            "may_plan": may_plan,
            "goal_form": goal_form,
            "session_form": session_form,
            "reassign_form": reassign_form,
            "is_member": request.user.is_organization_member,
            "today": timezone.localdate(),
            "GoalStatus": GoalStatus,
        },
    )


def _session(request, pk) -> CoachingSession:
    session = get_object_or_404(
        CoachingSession.objects.for_user(request.user).select_related("organization", "manager"),
        pk=pk,
    )
    authorize(request.user, "coaching.view", session.organization)
    return session


def session_page(request, pk: int):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    session = _session(request, pk)
    may_plan = can(request.user, "coaching.plan", session.organization)
    form = RecordForm(initial={"notes": session.notes, "attendees": session.attendees})
    if request.method == "POST":
        if not may_plan:
            raise PermissionDenied
        try:
            if request.POST.get("action") == "cancel":
                coaching.session_cancel(
                    actor=request.user, session=session, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Session cancelled."))
                return redirect("coaching:organization", pk=session.organization_id)
            form = RecordForm(request.POST)
            if form.is_valid():
                coaching.session_record(
                    actor=request.user,
                    session=session,
                    notes=form.cleaned_data["notes"],
                    attendees=form.cleaned_data["attendees"],
                    items=form.items(),
                )
                messages.success(request, _("Notes and action items saved."))
                return redirect("coaching:organization", pk=session.organization_id)
        except ValidationError as error:
            add_service_errors(form, error)
    return render_page(
        request,
        "coaching/session.html",
        {
            "session": session,
            "form": form if may_plan and session.status != SessionStatus.CANCELLED else None,
            "items": session.action_items.all(),
        },
    )


def item_complete(request, pk: int):
    if request.method != "POST":
        raise PermissionDenied
    item = get_object_or_404(
        ActionItem.objects.for_user(request.user).select_related("organization"), pk=pk
    )
    try:
        coaching.action_item_complete(
            actor=request.user, item=item, comment=request.POST.get("comment", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Marked done."))
    return redirect("coaching:organization", pk=item.organization_id)


# --- operators: balance, a manager's book, moves ------------------------------------------------


@action_required("assignment.manage")
def balance(request):
    profiles = list(
        ManagerProfile.objects.filter(user__is_active=True)
        .select_related("user")
        .prefetch_related("categories")
        .order_by("user__full_name")
    )
    loads = assignments.manager_loads(p.user_id for p in profiles)
    today = timezone.localdate()
    managers = [
        {
            "profile": p,
            "load": loads.get(p.user_id, 0),
            "share": round(100 * min(loads.get(p.user_id, 0), p.capacity) / max(p.capacity, 1), 1),
            "full": loads.get(p.user_id, 0) >= p.capacity,
            "away": p.is_away(today),
        }
        for p in profiles
    ]
    categories: dict[int, dict] = {}
    for row in managers:
        for category in row["profile"].categories.all():
            entry = categories.setdefault(
                category.pk, {"category": category, "managers": 0, "load": 0, "capacity": 0}
            )
            entry["managers"] += 1
            entry["load"] += row["load"]
            entry["capacity"] += row["profile"].capacity
    for entry in categories.values():
        entry["share"] = round(
            100 * min(entry["load"], entry["capacity"]) / max(entry["capacity"], 1), 1
        )
    proposal = assignments.rebalance_proposal() if request.GET.get("propose") else None
    invite_form = (
        ManagerInviteForm(initial={"language": request.LANGUAGE_CODE}, prefix="invite")
        if can(request.user, "manager.manage")
        else None
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "invite" and invite_form is not None:
            invite_form = ManagerInviteForm(request.POST, prefix="invite")
            if invite_form.is_valid():
                try:
                    user = accounts.manager_invite(actor=request.user, **invite_form.cleaned_data)
                except ValidationError as error:
                    add_service_errors(invite_form, error)
                else:
                    messages.success(
                        request,
                        _(
                            "%(name)s's account is open; they have been emailed a link to set a password."
                        )
                        % {"name": user.full_name},
                    )
                    return redirect("coaching:balance")
            return render_page(
                request,
                "coaching/balance.html",
                _balance_context(managers, categories, proposal, invite_form),
                status=400,
            )
        try:
            if action == "rebalance":
                moves = [
                    tuple(int(x) for x in value.split(":"))
                    for value in request.POST.getlist("move")
                ]
                applied = assignments.rebalance_apply(
                    actor=request.user, moves=moves, reason=_("Rebalancing the managers' loads")
                )
                messages.success(request, _("%(count)d organizations moved.") % {"count": applied})
            elif action == "assign":
                organization = get_object_or_404(Organization, pk=request.POST.get("organization"))
                found = assignments.manager_assign_automatically(
                    actor=request.user, organization=organization
                )
                if found:
                    messages.success(
                        request,
                        _("%(organization)s now has a category manager.")
                        % {"organization": organization.legal_name},
                    )
                else:
                    messages.warning(
                        request,
                        _(
                            "No manager of its category has room; raise a capacity or assign one by hand."
                        ),
                    )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("coaching:balance")
    return render_page(
        request,
        "coaching/balance.html",
        _balance_context(managers, categories, proposal, invite_form),
    )


def _balance_context(managers, categories, proposal, invite_form):
    return {
        "managers": managers,
        "categories": sorted(categories.values(), key=lambda e: -e["share"]),
        "unassigned": assignments.unassigned_organizations()[:100],
        "proposal": proposal,
        "invite_form": invite_form,
    }


@action_required("assignment.manage")
def manager_actions(request, pk: int):
    """Operators move a manager's whole book or set their away dates."""
    if request.method != "POST":
        raise PermissionDenied
    manager = get_object_or_404(User, pk=pk, role=Role.MANAGER)
    try:
        if request.POST.get("action") == "move":
            form = MoveBookForm(request.POST)
            if form.is_valid():
                result = assignments.book_move(
                    actor=request.user, from_manager=manager, **form.cleaned_data
                )
                messages.success(
                    request,
                    _("%(moved)d organizations moved; %(waiting)d wait for a manager.")
                    % {"moved": result["moved"], "waiting": len(result["waiting"])},
                )
            else:
                messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
        else:
            form = ManagerSettingsForm(request.POST)
            if form.is_valid():
                accounts.manager_profile_update(
                    actor=request.user, profile=manager.manager_profile, **form.cleaned_data
                )
                messages.success(request, _("Manager settings saved."))
            else:
                messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{reverse('coaching:book')}?manager={manager.pk}")
