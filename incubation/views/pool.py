"""The reserve pool pages: the members with their stages, nominating a creator, an organization's
nominations and quota, the managers' review queue, a member's page, and the operators' settings
(the monthly nomination limit and the entry rules)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from creators.models import Creator
from incubation import selectors
from incubation.forms import (
    DeclineForm,
    EntryRuleForm,
    MoveForm,
    NominateForm,
    NominationLimitForm,
    PoolFilterForm,
)
from incubation.models import (
    EntryRule,
    Nomination,
    NominationLimit,
    NominationStatus,
    PoolMember,
    PoolStage,
)
from incubation.services import (
    entry_rules_apply,
    member_move,
    nomination_create,
    nomination_decide,
    nomination_limit_set,
    nomination_withdraw,
)
from incubation.services.entry_rules import entry_rule_save
from incubation.services.pool import MOVES
from portal.accounts.permissions import action_required, can
from portal.core.kit import add_service_errors
from portal.core.rendering import render_page

from .common import error_text, filter_query, tabs
from .ranking import score_section

PAGE_SIZE = 25


@action_required("incubation.view")
def pool(request):
    form = PoolFilterForm(request.GET or None)
    members = selectors.pool_members(request.user, form.cleaned_data if form.is_valid() else {})
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    day = selectors.attach_scores(page.object_list)
    may_nominate = can(request.user, "incubation.nominate")
    return render_page(
        request,
        "incubation/pool.html",
        {
            **tabs(request),
            "form": form,
            "page": page,
            "query": filter_query(request),
            "scores_day": day,
            "stage_rows": selectors.stage_rows(request.user),
            "nominate_form": NominateForm(user=request.user) if may_nominate else None,
            "quota": selectors.nomination_quota(request.user),
        },
        partial="results",
    )


# --- nominating ------------------------------------------------------------------------------


def _creator_to_nominate(request) -> Creator | None:
    """The creator the page was opened for (?creator=, or the form's hidden field), if any."""
    pk = request.POST.get("creator") or request.GET.get("creator")
    if not pk:
        return None
    if not str(pk).isdigit():
        raise PermissionDenied
    creator = get_object_or_404(
        Creator.objects.for_user(request.user).select_related("primary_category"), pk=pk
    )
    if not can(request.user, "incubation.nominate", creator):
        raise PermissionDenied
    return creator


@action_required("incubation.nominate")
def nominate(request):
    creator = _creator_to_nominate(request)
    form = NominateForm(request.POST or None, user=request.user, creator=creator)
    if request.method == "POST" and form.is_valid():
        try:
            nomination = nomination_create(
                actor=request.user, creator=form.creator, case=form.cleaned_data["case"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is nominated; a manager of the creative field reviews the case.")
                % {"name": nomination.creator.display_name},
            )
            return redirect("incubation:nominations")
    member = pending = None
    if creator is not None:
        member = PoolMember.objects.filter(creator=creator).exclude(stage=PoolStage.EXITED).first()
        pending = Nomination.objects.filter(
            creator=creator, status=NominationStatus.PENDING
        ).first()
    return render_page(
        request,
        "incubation/nominate.html",
        {
            **tabs(request),
            "form": form,
            "creator": creator,
            "member": member,
            "pending": pending,
            "quota": selectors.nomination_quota(request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


@action_required("incubation.nominations")
def nominations(request):
    rows = Nomination.objects.for_user(request.user).select_related(
        "creator__primary_category", "organization", "nominated_by", "decided_by"
    )
    status = request.GET.get("status", "")
    if status in NominationStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render_page(
        request,
        "incubation/nominations.html",
        {
            **tabs(request),
            "page": page,
            "status": status,
            "statuses": NominationStatus.choices,
            "query": filter_query(request),
            "quota": selectors.nomination_quota(request.user),
            "may_review": can(request.user, "incubation.review"),
            "may_nominate": can(request.user, "incubation.nominate"),
        },
        partial="results",
    )


@require_POST
@action_required("incubation.nominations")
def nomination_withdraw_view(request, pk: int):
    nomination = get_object_or_404(Nomination.objects.for_user(request.user), pk=pk)
    try:
        nomination_withdraw(actor=request.user, nomination=nomination)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Nomination withdrawn."))
    return redirect("incubation:nominations")


# --- the review queue ----------------------------------------------------------------------


@action_required("incubation.review")
def review(request):
    visible = Nomination.objects.for_user(request.user)
    pending = visible.filter(status=NominationStatus.PENDING).select_related(
        "creator__primary_category", "organization", "nominated_by"
    )
    page = Paginator(pending.order_by("created_at", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render_page(
        request,
        "incubation/review.html",
        {
            **tabs(request),
            "page": page,
            "query": filter_query(request),
            "decline_form": DeclineForm(),
            "decided": visible.exclude(status=NominationStatus.PENDING)
            .select_related("creator", "organization", "decided_by")
            .order_by("-decided_at", "-id")[:10],
        },
        partial="results",
    )


def _decide(request, pk: int, *, accept: bool):
    """Accept or decline one nomination of the review queue, then back to the queue."""
    nomination = get_object_or_404(
        Nomination.objects.for_user(request.user).select_related("creator"), pk=pk
    )
    try:
        nomination_decide(
            actor=request.user,
            nomination=nomination,
            accept=accept,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("incubation:review")
    name = nomination.creator.display_name
    if accept:
        messages.success(request, _("%(name)s entered the reserve pool.") % {"name": name})
    else:
        messages.success(
            request,
            _("The nomination of %(name)s is declined; the nominator has been told.")
            % {"name": name},
        )
    return redirect("incubation:review")


@require_POST
@action_required("incubation.review")
def nomination_accept(request, pk: int):
    return _decide(request, pk, accept=True)


@require_POST
@action_required("incubation.review")
def nomination_decline(request, pk: int):
    return _decide(request, pk, accept=False)


# --- one member ----------------------------------------------------------------------------


def _member(request, creator_id: int) -> PoolMember:
    return get_object_or_404(
        PoolMember.objects.for_user(request.user).select_related(
            "creator__primary_category", "nomination__organization", "entry_rule"
        ),
        creator_id=creator_id,
    )


def _member_page(request, member: PoolMember, form: MoveForm | None = None, status: int = 200):
    may_move = can(request.user, "incubation.review", member.creator)
    stages = MOVES.get(member.stage, set())
    return render_page(
        request,
        "incubation/member.html",
        {
            **tabs(request),
            "member": member,
            "creator": member.creator,
            "history": member.history.select_related("changed_by"),
            "form": (form or MoveForm(stages=stages)) if may_move and stages else None,
            "may_see_creator": Creator.objects.for_user(request.user)
            .filter(pk=member.creator_id)
            .exists(),
            **score_section(request.user, member.creator),
        },
        status=status,
    )


@require_GET
@action_required("incubation.view")
def member_detail(request, creator_id: int):
    return _member_page(request, _member(request, creator_id))


@require_POST
@action_required("incubation.view")
def member_move_view(request, creator_id: int):
    member = _member(request, creator_id)
    if not can(request.user, "incubation.review", member.creator):
        raise PermissionDenied
    form = MoveForm(request.POST, stages=MOVES.get(member.stage, set()))
    if form.is_valid():
        try:
            member_move(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Stage changed; the history keeps the reason."))
            return redirect("incubation:member", creator_id=creator_id)
    return _member_page(request, member, form, status=400)


# --- operators' settings -----------------------------------------------------------------------


def _settings_page(request, limit_form=None, rule_form=None, status: int = 200):
    today = timezone.localdate()
    return render_page(
        request,
        "incubation/settings.html",
        {
            **tabs(request),
            "limit": selectors.nomination_limit(today),
            "limits": NominationLimit.objects.select_related("created_by")[:12],
            "rules": EntryRule.objects.select_related("category").order_by("-is_active", "name"),
            "limit_form": limit_form or NominationLimitForm(prefix="limit"),
            "rule_form": rule_form or EntryRuleForm(prefix="rule"),
            "today": today,
        },
        status=status,
    )


@require_GET
@action_required("incubation.manage")
def settings_page(request):
    return _settings_page(request)


@require_POST
@action_required("incubation.manage")
def limit_set(request):
    form = NominationLimitForm(request.POST, prefix="limit")
    if form.is_valid():
        try:
            nomination_limit_set(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Nomination limit saved."))
            return redirect("incubation:settings")
    return _settings_page(request, limit_form=form, status=400)


@require_POST
@action_required("incubation.manage")
def rule_add(request):
    form = EntryRuleForm(request.POST, prefix="rule")
    if form.is_valid():
        try:
            entry_rule_save(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Entry rule added; it applies from tonight."))
            return redirect("incubation:settings")
    return _settings_page(request, rule_form=form, status=400)


def _rule_switch(request, pk: int, *, active: bool):
    rule = get_object_or_404(EntryRule, pk=pk)
    entry_rule_save(actor=request.user, rule=rule, is_active=active)
    messages.success(
        request, _("Entry rule switched on.") if active else _("Entry rule switched off.")
    )
    return redirect("incubation:settings")


@require_POST
@action_required("incubation.manage")
def rule_activate(request, pk: int):
    return _rule_switch(request, pk, active=True)


@require_POST
@action_required("incubation.manage")
def rule_deactivate(request, pk: int):
    return _rule_switch(request, pk, active=False)


@require_POST
@action_required("incubation.manage")
def rules_apply(request):
    try:
        admitted = entry_rules_apply(actor=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("Entry rules applied: %(count)d creators entered the pool.") % {"count": admitted},
        )
    return redirect("incubation:settings")
