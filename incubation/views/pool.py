"""The reserve pool pages: the members with their stages, nominating a creator, an organization's
nominations and quota, the managers' review queue, a member's page, and the operators' settings
(the monthly nomination limit and the entry rules)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from creators.models import Creator
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
    ScoreSnapshot,
)
from incubation.services import (
    entry_rules_apply,
    member_move,
    nomination_create,
    nomination_decide,
    nomination_limit,
    nomination_limit_set,
    nomination_withdraw,
    nominations_used,
)
from incubation.services.entry_rules import entry_rule_save
from incubation.services.pool import MOVES
from incubation.services.shortlist import latest_scores_day
from portal.accounts.permissions import action_required, can
from portal.core.kit import add_service_errors
from portal.core.rendering import render_page

from .common import error_text, filter_query, own_organization, tabs
from .ranking import score_section

PAGE_SIZE = 25


def quota(user) -> dict | None:
    """An organization's nominations this month against the limit (None for staff)."""
    organization = own_organization(user)
    if organization is None:
        return None
    today = timezone.localdate()
    limit, used = nomination_limit(today), nominations_used(organization, today)
    return {
        "organization": organization,
        "limit": limit,
        "used": used,
        "left": None if limit is None else max(limit - used, 0),
        "share": 0 if not limit else round(100 * min(used, limit) / limit, 1),
        "month": today,
    }


# --- the pool ---------------------------------------------------------------------------------


STAGE_BARS = [PoolStage.RESERVE, PoolStage.INCUBATING, PoolStage.TOP_100, PoolStage.EXITED]


@action_required("incubation.view")
def pool(request):
    visible = PoolMember.objects.for_user(request.user)
    members = visible.select_related("creator__primary_category")
    form = PoolFilterForm(request.GET or None)
    stage = ""
    if form.is_valid():
        data = form.cleaned_data
        stage = data["stage"]
        if data["category"]:
            members = members.filter(creator__primary_category=data["category"])
        if data["source"]:
            members = members.filter(source=data["source"])
        if data["q"]:
            members = members.filter(
                Q(creator__display_name__icontains=data["q"])
                | Q(creator__platform_account_id=data["q"])
            )
    members = members.filter(stage=stage) if stage else members.in_pool()
    page = Paginator(members.order_by("-stage_changed_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    day = latest_scores_day()
    scores = {
        row.creator_id: row
        for row in ScoreSnapshot.objects.filter(
            day=day, creator_id__in=[m.creator_id for m in page.object_list]
        ).only("creator_id", "score", "rank", "held_out")
    }
    for member in page.object_list:
        member.score_row = scores.get(member.creator_id)
    counts = dict(visible.values_list("stage").annotate(n=Count("id")).order_by())
    top = max(counts.values(), default=0)
    labels = dict(PoolStage.choices)
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
            "stage_rows": [
                {
                    "label": labels[s],
                    "value": counts.get(s, 0),
                    "share": round(100 * counts.get(s, 0) / top, 1) if top else 0,
                    "key": f"stage-{s}",
                }
                for s in STAGE_BARS
            ],
            "nominate_form": NominateForm(user=request.user) if may_nominate else None,
            "quota": quota(request.user),
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
            "quota": quota(request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


@action_required("incubation.nominations")
def nominations(request):
    if request.method == "POST":
        if request.POST.get("action") != "withdraw":
            raise PermissionDenied
        nomination = get_object_or_404(
            Nomination.objects.for_user(request.user), pk=request.POST.get("nomination")
        )
        try:
            nomination_withdraw(actor=request.user, nomination=nomination)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Nomination withdrawn."))
        return redirect("incubation:nominations")
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
            "quota": quota(request.user),
            "may_review": can(request.user, "incubation.review"),
            "may_nominate": can(request.user, "incubation.nominate"),
        },
        partial="results",
    )


# --- the review queue ----------------------------------------------------------------------


@action_required("incubation.review")
def review(request):
    visible = Nomination.objects.for_user(request.user)
    if request.method == "POST":
        nomination = get_object_or_404(
            visible.select_related("creator"), pk=request.POST.get("nomination")
        )
        action = request.POST.get("action")
        if action not in ("accept", "decline"):
            raise PermissionDenied
        try:
            nomination_decide(
                actor=request.user,
                nomination=nomination,
                accept=action == "accept",
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            name = nomination.creator.display_name
            if action == "accept":
                messages.success(request, _("%(name)s entered the reserve pool.") % {"name": name})
            else:
                messages.success(
                    request,
                    _("The nomination of %(name)s is declined; the nominator has been told.")
                    % {"name": name},
                )
        return redirect("incubation:review")
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


# --- one member ----------------------------------------------------------------------------


@action_required("incubation.view")
def member_detail(request, creator_id: int):
    member = get_object_or_404(
        PoolMember.objects.for_user(request.user).select_related(
            "creator__primary_category", "nomination__organization", "entry_rule"
        ),
        creator_id=creator_id,
    )
    may_move = can(request.user, "incubation.review", member.creator)
    stages = MOVES.get(member.stage, set())
    form = MoveForm(stages=stages)
    status = 200
    if request.method == "POST":
        if not may_move or request.POST.get("action") != "move":
            raise PermissionDenied
        form = MoveForm(request.POST, stages=stages)
        if form.is_valid():
            try:
                member_move(actor=request.user, member=member, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Stage changed; the history keeps the reason."))
                return redirect("incubation:member", creator_id=creator_id)
        status = 400
    return render_page(
        request,
        "incubation/member.html",
        {
            **tabs(request),
            "member": member,
            "creator": member.creator,
            "history": member.history.select_related("changed_by"),
            "form": form if may_move and stages else None,
            "may_see_creator": Creator.objects.for_user(request.user)
            .filter(pk=member.creator_id)
            .exists(),
            **score_section(request.user, member.creator),
        },
        status=status,
    )


# --- operators' settings -----------------------------------------------------------------------


@action_required("incubation.manage")
def settings_page(request):
    limit_form = NominationLimitForm(prefix="limit")
    rule_form = EntryRuleForm(prefix="rule")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "limit":
            limit_form = NominationLimitForm(request.POST, prefix="limit")
            if limit_form.is_valid():
                try:
                    nomination_limit_set(actor=request.user, **limit_form.cleaned_data)
                except ValidationError as error:
                    add_service_errors(limit_form, error)
                else:
                    messages.success(request, _("Nomination limit saved."))
                    return redirect("incubation:settings")
        elif action == "rule":
            rule_form = EntryRuleForm(request.POST, prefix="rule")
            if rule_form.is_valid():
                try:
                    entry_rule_save(actor=request.user, **rule_form.cleaned_data)
                except ValidationError as error:
                    add_service_errors(rule_form, error)
                else:
                    messages.success(request, _("Entry rule added; it applies from tonight."))
                    return redirect("incubation:settings")
        elif action in ("deactivate", "activate"):
            rule = get_object_or_404(EntryRule, pk=request.POST.get("rule"))
            entry_rule_save(actor=request.user, rule=rule, is_active=action == "activate")
            messages.success(
                request,
                _("Entry rule switched on.")
                if action == "activate"
                else _("Entry rule switched off."),
            )
            return redirect("incubation:settings")
        elif action == "apply":
            try:
                admitted = entry_rules_apply(actor=request.user)
            except ValidationError as error:
                messages.error(request, error_text(error))
            else:
                messages.success(
                    request,
                    _("Entry rules applied: %(count)d creators entered the pool.")
                    % {"count": admitted},
                )
            return redirect("incubation:settings")
        else:
            raise PermissionDenied
        status = 400
    today = timezone.localdate()
    return render_page(
        request,
        "incubation/settings.html",
        {
            **tabs(request),
            "limit": nomination_limit(today),
            "limits": NominationLimit.objects.select_related("created_by")[:12],
            "rules": EntryRule.objects.select_related("category").order_by("-is_active", "name"),
            "limit_form": limit_form,
            "rule_form": rule_form,
            "today": today,
        },
        status=status,
    )
