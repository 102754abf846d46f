"""The risk center's pages: operators' list (filters, counts by signal, the run button and its
progress), a case with its evidence and decision, the rules table; an organization's cases and
its statement. One URL per POST action."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.permissions import action_required
from portal.core.kit import add_service_errors, error_text
from portal.core.money import from_fen
from portal.core.rendering import redirect_page, render_page
from portal.core.uploads import stored_file_response

from . import selectors
from .forms import DecisionForm, RuleRowForm, RulesNoteForm, StatementForm
from .models import CaseStatement, CaseStatus, RiskCase, RunStatus, Signal
from .services.cases import case_decide, case_statement_send
from .services.compute import UNAVAILABLE, risk_run_start, signals_available
from .services.rule_sets import rule_set_publish

PER_PAGE = 50


@action_required("risk.view")
def center(request):
    """Operators: cases with filters, open cases by signal, the last run."""
    signal = request.GET.get("signal", "")
    status = request.GET.get("status", CaseStatus.OPEN)
    cases = selectors.cases_for(request.user, signal=signal, status=status)
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
    run = selectors.latest_run()
    context = {
        "page": page,
        "signal": signal,
        "status": status,
        "signals": Signal.choices,
        "statuses": CaseStatus.choices,
        "by_signal": selectors.counts_by_signal(request.user),
        "run": run,
        "running": run is not None and run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
        "filter_query": f"signal={signal}&status={status}",
        "signals_unavailable": None if signals_available() else UNAVAILABLE,
    }
    return render_page(request, "risk/center.html", context, partial="run")


@require_POST
@action_required("risk.compute")
def run_start(request):
    try:
        risk_run_start(actor=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The signals are being computed; the progress shows below."))
    return redirect_page(request, "risk:center")


def _case(request, pk):
    return get_object_or_404(
        RiskCase.objects.for_user(request.user).select_related(
            "creator", "organization", "rule__rule_set", "decided_by"
        ),
        pk=pk,
    )


def _case_context(request, case, **extra):
    evidence, hidden = selectors.evidence_for(request.user, case)
    names = selectors.organization_names(
        {item["organization"] for item in evidence if item.get("organization")}
    )
    for item in evidence:
        item["organization_name"] = names.get(item.get("organization"), "")
        if "gmv" in item:
            item["gmv_cny"] = from_fen(item["gmv"])
    return {
        "case": case,
        "why": selectors.why(case),
        "what_to_send": selectors.what_to_send(case),
        "evidence": evidence,
        "hidden": selectors.hidden_text(hidden) if hidden else "",
        "entries": selectors.case_entries(case),
        "statements": CaseStatement.objects.filter(case=case).select_related("submitted_by"),
        **extra,
    }


@action_required("risk.view")
def case_page(request, pk: int):
    case = _case(request, pk)
    return render_page(request, "risk/case.html", _case_context(request, case, form=DecisionForm()))


@require_POST
@action_required("risk.decide")
def case_decide_view(request, pk: int):
    case = _case(request, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            case_decide(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The case is decided."))
            return redirect_page(request, "risk:case", case.pk)
    return render_page(
        request, "risk/case.html", _case_context(request, case, form=form), status=400
    )


@action_required("risk.rules")
def rules_page(request):
    rules = selectors.rules_table()
    forms_ = [
        (rule, RuleRowForm(prefix=rule.signal, initial=_rule_initial(rule))) for rule in rules
    ]
    return render_page(request, "risk/rules.html", {"rows": forms_, "note_form": RulesNoteForm()})


def _rule_initial(rule):
    return {
        "enabled": rule.enabled,
        "window_days": rule.window_days,
        "threshold": rule.threshold,
        "expiry_days": rule.expiry_days,
        "default_decision": rule.default_decision,
    }


@require_POST
@action_required("risk.rules")
def rules_publish(request):
    rules = selectors.rules_table()
    rows = [(rule, RuleRowForm(request.POST, prefix=rule.signal)) for rule in rules]
    note_form = RulesNoteForm(request.POST)
    if all(form.is_valid() for _rule, form in rows) and note_form.is_valid():
        try:
            rule_set = rule_set_publish(
                actor=request.user,
                rows={rule.signal: form.cleaned_data for rule, form in rows},
                note=note_form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request, _("Version %(n)s of the rules is in force.") % {"n": rule_set.number}
            )
            return redirect_page(request, "risk:rules")
    return render_page(
        request, "risk/rules.html", {"rows": rows, "note_form": note_form}, status=400
    )


@action_required("risk.cases")
def my_cases(request):
    """An organization's cases: that each exists, why, and what it may send."""
    cases = selectors.cases_for(request.user)
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
    for case in page.object_list:
        case.why = selectors.why(case)
    return render_page(request, "risk/my_cases.html", {"page": page})


@action_required("risk.cases")
def my_case(request, pk: int):
    case = _case(request, pk)
    return render_page(
        request, "risk/my_case.html", _case_context(request, case, form=StatementForm())
    )


@require_POST
@action_required("risk.cases")
def statement_send(request, pk: int):
    case = _case(request, pk)
    form = StatementForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            case_statement_send(
                actor=request.user,
                case=case,
                text=form.cleaned_data["text"],
                document=form.cleaned_data["document"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your statement was sent; an operator will read it."))
            return redirect_page(request, "risk:my_case", case.pk)
    return render_page(
        request, "risk/my_case.html", _case_context(request, case, form=form), status=400
    )


@action_required("risk.view")
def statement_document(request, pk: int):
    """A statement's document, for the operators and the organization that sent it. PDFs are
    always a download; images are shown."""
    statement = get_object_or_404(CaseStatement.objects.for_user(request.user), pk=pk)
    return _document(statement)


@action_required("risk.cases")
def my_statement_document(request, pk: int):
    statement = get_object_or_404(CaseStatement.objects.for_user(request.user), pk=pk)
    return _document(statement)


def _document(statement):
    if not statement.document:
        raise Http404
    return stored_file_response(
        statement.document,
        content_type=statement.document_type,
        filename=f"case-{statement.case_id}-{statement.pk}",
    )
