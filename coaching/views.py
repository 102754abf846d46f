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
from django.views.decorators.http import require_GET, require_POST

from coaching import selectors
from coaching import services as coaching
from coaching.forms import (
    GoalForm,
    ManagerInviteForm,
    ManagerSettingsForm,
    MoveBookForm,
    ReassignForm,
    RecordForm,
    SessionForm,
)
from coaching.models import (
    ActionItem,
    CoachingGoal,
    CoachingSession,
    GoalStatus,
    SessionStatus,
)
from growth.selectors import latest_by_organization
from incentives.selectors import tier_progress
from organizations import selectors as organization_selectors
from organizations.models import Organization
from organizations.services import assignment as assignments
from portal.accounts import services as accounts
from portal.accounts.models import ManagerProfile, Role, User
from portal.accounts.permissions import action_required, authorize, can
from portal.core.kit import add_service_errors, error_text
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
    rows = selectors.book_rows([manager.pk])
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


def _plan_page(request, organization, **forms):
    """The coaching plan of `organization`, with the forms given (bound after a refused POST)."""
    may_plan = can(request.user, "coaching.plan", organization)
    context = {
        **selectors.plan_context(organization),
        "organization": organization,
        "tier_progress": tier_progress(organization),
        "may_plan": may_plan,
        "goal_form": forms.get("goal_form") or GoalForm(prefix="goal"),
        "session_form": forms.get("session_form") or SessionForm(prefix="session"),
        "reassign_form": forms.get("reassign_form")
        or (
            ReassignForm(prefix="reassign", organization=organization)
            if can(request.user, "assignment.manage")
            else None
        ),
        "is_member": request.user.is_organization_member,
        "today": timezone.localdate(),
        "GoalStatus": GoalStatus,
    }
    return render_page(request, "coaching/organization.html", context)


@require_GET
def organization_page(request, pk: int):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    return _plan_page(request, _organization(request, pk))


def _plan_form_post(
    request, organization, *, action, form_class, prefix, write, done, form_kwargs=None
):
    """One POST of the plan page: check `action`, validate the form, call `write`; a refusal
    shows on the form, the page drawn again with it."""
    authorize(request.user, action, organization)
    form = form_class(request.POST, prefix=prefix, **(form_kwargs or {}))
    if form.is_valid():
        try:
            write(organization, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("coaching:organization", pk=organization.pk)
    return _plan_page(request, organization, **{f"{prefix}_form": form})


@require_POST
def goal_add(request, pk: int):
    return _plan_form_post(
        request,
        _organization(request, pk),
        action="coaching.plan",
        form_class=GoalForm,
        prefix="goal",
        done=_("Goal added to the plan."),
        write=lambda organization, data: coaching.goal_create(
            actor=request.user, organization=organization, **data
        ),
    )


@require_POST
def session_add(request, pk: int):
    return _plan_form_post(
        request,
        _organization(request, pk),
        action="coaching.plan",
        form_class=SessionForm,
        prefix="session",
        done=_("Session planned; the organization has been told."),
        write=lambda organization, data: coaching.session_schedule(
            actor=request.user, organization=organization, **data
        ),
    )


@require_POST
def reassign(request, pk: int):
    organization = _organization(request, pk)
    return _plan_form_post(
        request,
        organization,
        action="assignment.manage",
        form_class=ReassignForm,
        prefix="reassign",
        form_kwargs={"organization": organization},
        done=_("The organization has a new category manager."),
        write=lambda organization, data: assignments.assignment_reassign(
            actor=request.user, organization=organization, **data
        ),
    )


@require_POST
def goal_status(request, pk: int):
    goal = get_object_or_404(CoachingGoal.objects.for_user(request.user), pk=pk)
    organization = _organization(request, goal.organization_id)
    authorize(request.user, "coaching.plan", organization)
    try:
        coaching.goal_update(actor=request.user, goal=goal, status=request.POST.get("status"))
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("coaching:organization", pk=organization.pk)


def _session(request, pk) -> CoachingSession:
    session = get_object_or_404(
        CoachingSession.objects.for_user(request.user).select_related("organization", "manager"),
        pk=pk,
    )
    authorize(request.user, "coaching.view", session.organization)
    return session


def _session_page(request, session, form=None):
    may_record = (
        can(request.user, "coaching.plan", session.organization)
        and session.status != SessionStatus.CANCELLED
    )
    if form is None:
        form = RecordForm(initial={"notes": session.notes, "attendees": session.attendees})
    return render_page(
        request,
        "coaching/session.html",
        {
            "session": session,
            "form": form if may_record else None,
            "items": session.action_items.all(),
        },
    )


def session_page(request, pk: int):
    """A session's page; its form records the notes and action items (POST)."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    session = _session(request, pk)
    if request.method != "POST":
        return _session_page(request, session)
    authorize(request.user, "coaching.plan", session.organization)
    form = RecordForm(request.POST)
    if form.is_valid():
        try:
            coaching.session_record(
                actor=request.user,
                session=session,
                notes=form.cleaned_data["notes"],
                attendees=form.cleaned_data["attendees"],
                items=form.items(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Notes and action items saved."))
            return redirect("coaching:organization", pk=session.organization_id)
    return _session_page(request, session, form)


@require_POST
def session_cancel(request, pk: int):
    session = _session(request, pk)
    authorize(request.user, "coaching.plan", session.organization)
    try:
        coaching.session_cancel(
            actor=request.user, session=session, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("coaching:session", pk=session.pk)
    messages.success(request, _("Session cancelled."))
    return redirect("coaching:organization", pk=session.organization_id)


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
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Marked done."))
    return redirect("coaching:organization", pk=item.organization_id)


# --- operators: balance, a manager's book, moves ------------------------------------------------


def _balance_page(request, invite_form=None, *, status=200):
    if invite_form is None and can(request.user, "manager.manage"):
        invite_form = ManagerInviteForm(
            initial={"language": request.LANGUAGE_CODE}, prefix="invite"
        )
    context = {
        **selectors.balance_figures(timezone.localdate()),
        "unassigned": organization_selectors.unassigned_organizations()[:100],
        "proposal": organization_selectors.rebalance_proposal()
        if request.GET.get("propose")
        else None,
        "invite_form": invite_form,
    }
    return render_page(request, "coaching/balance.html", context, status=status)


@require_GET
@action_required("assignment.manage")
def balance(request):
    return _balance_page(request)


@require_POST
@action_required("assignment.manage")
def balance_invite(request):
    """An operator opens a new manager's account (they are emailed a link to set a password)."""
    authorize(request.user, "manager.manage")
    form = ManagerInviteForm(request.POST, prefix="invite")
    if form.is_valid():
        try:
            user = accounts.manager_invite(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s's account is open; they have been emailed a link to set a password.")
                % {"name": user.full_name},
            )
            return redirect("coaching:balance")
    return _balance_page(request, form, status=400)


@require_POST
@action_required("assignment.manage")
def balance_rebalance(request):
    """Apply the moves of the proposal the operator ticked ("assignment:manager" pairs)."""
    try:
        moves = [tuple(int(x) for x in value.split(":")) for value in request.POST.getlist("move")]
        applied = assignments.rebalance_apply(
            actor=request.user, moves=moves, reason=_("Rebalancing the managers' loads")
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("%(count)d organizations moved.") % {"count": applied})
    return redirect("coaching:balance")


@require_POST
@action_required("assignment.manage")
def balance_assign(request):
    """Give a waiting organization the least loaded manager of its category."""
    organization = get_object_or_404(Organization, pk=request.POST.get("organization"))
    try:
        found = assignments.manager_assign_automatically(
            actor=request.user, organization=organization
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("coaching:balance")
    if found:
        messages.success(
            request,
            _("%(organization)s now has a category manager.")
            % {"organization": organization.legal_name},
        )
    else:
        messages.warning(
            request,
            _("No manager of its category has room; raise a capacity or assign one by hand."),
        )
    return redirect("coaching:balance")


def _form_errors(form) -> str:
    return " ".join(" ".join(e) for e in form.errors.values())


@action_required("assignment.manage")
def manager_actions(request, pk: int):
    """Operators set a manager's categories, capacity and away dates."""
    if request.method != "POST":
        raise PermissionDenied
    manager = get_object_or_404(User, pk=pk, role=Role.MANAGER)
    form = ManagerSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        try:
            accounts.manager_profile_update(
                actor=request.user, profile=manager.manager_profile, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Manager settings saved."))
    return redirect(f"{reverse('coaching:book')}?manager={manager.pk}")


@require_POST
@action_required("assignment.manage")
def book_move(request, pk: int):
    """Operators move a manager's whole book to others (or let it wait for a manager)."""
    manager = get_object_or_404(User, pk=pk, role=Role.MANAGER)
    form = MoveBookForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        try:
            result = assignments.book_move(
                actor=request.user, from_manager=manager, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                _("%(moved)d organizations moved; %(waiting)d wait for a manager.")
                % {"moved": result["moved"], "waiting": len(result["waiting"])},
            )
    return redirect(f"{reverse('coaching:book')}?manager={manager.pk}")
