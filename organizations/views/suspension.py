"""A suspension and its one appeal: the organization's page (the suspension, its reason and
deadline, the appeal form or the appeal and its decision) and the operators' queue and decision
page. One URL per POST action; each refused POST redraws its page with the bound form."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations import forms, selectors, services
from organizations.models import AppealDocument
from portal.accounts.permissions import action_required
from portal.core.kit import add_service_errors
from portal.core.rendering import redirect_page, render_page
from portal.core.statements import suspension_sections
from portal.core.uploads import stored_file_response

PER_PAGE = 25


@action_required("organization.suspension")
def suspension(request):
    """The organization's suspension, its deadline and the appeal (form, or what was sent)."""
    context = selectors.suspension_page(request.user) | {"form": forms.AppealForm()}
    return render_page(request, "organizations/suspension.html", context)


@require_POST
@action_required("organization.appeal")
def appeal_send(request):
    context = selectors.suspension_page(request.user)
    form = forms.AppealForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.appeal_submit(
                actor=request.user,
                organization=context["organization"],
                statement=form.cleaned_data["statement"],
                documents=form.cleaned_data["documents"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your appeal was sent; the program team will decide."))
            return redirect_page(request, "organizations:suspension")
    return render_page(
        request, "organizations/suspension.html", context | {"form": form}, status=400
    )


@action_required("organization.suspension")
def my_appeal_document(request, pk: int):
    return _document(get_object_or_404(AppealDocument.objects.for_user(request.user), pk=pk))


@action_required("organization.appeals")
def appeals(request):
    """Operators: appeals waiting for a decision (oldest first) or decided; the window's rule."""
    state = "decided" if request.GET.get("state") == "decided" else "waiting"
    page = Paginator(selectors.appeals_for(request.user, state=state), PER_PAGE).get_page(
        request.GET.get("page")
    )
    window = forms.AppealWindowForm(initial={"days": services.appeal_window_days()})
    return _queue(request, page, state, window)


@require_POST
@action_required("organization.appeals")
def appeal_window(request):
    window = forms.AppealWindowForm(request.POST)
    if window.is_valid():
        try:
            services.appeal_window_set(actor=request.user, days=window.cleaned_data["days"])
        except ValidationError as error:
            add_service_errors(window, error)
        else:
            messages.success(request, _("The window to appeal is saved."))
            return redirect_page(request, "organizations:appeals")
    page = Paginator(selectors.appeals_for(request.user), PER_PAGE).get_page(1)
    return _queue(request, page, "waiting", window, status=400)


def _queue(request, page, state, window, status=200):
    context = {"page": page, "state": state, "window": window}
    return render_page(request, "organizations/appeals.html", context, status=status)


@action_required("organization.appeals")
def appeal(request, pk: int):
    found = selectors.appeal_for(request.user, pk)
    if found is None:
        raise Http404
    return _decision_page(request, found, forms.AppealDecisionForm())


@require_POST
@action_required("organization.appeals")
def appeal_decide(request, pk: int):
    found = selectors.appeal_for(request.user, pk)
    if found is None:
        raise Http404
    form = forms.AppealDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_decide(
                actor=request.user,
                appeal=found,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Decision recorded; the organization has been notified."))
            return redirect_page(request, "organizations:appeal", found.pk)
    return _decision_page(request, found, form, status=400)


def _decision_page(request, found, form, status=200):
    suspension = found.suspension
    context = {
        "appeal": found,
        "suspension": suspension,
        "form": form,
        "sections": suspension_sections(request.user, suspension.organization, suspension),
    }
    return render_page(request, "organizations/appeal.html", context, status=status)


@action_required("organization.appeals")
def appeal_document(request, pk: int):
    return _document(get_object_or_404(AppealDocument.objects.for_user(request.user), pk=pk))


def _document(document):
    """PDFs are always a download; images are shown. Never rendered in the portal's origin."""
    return stored_file_response(
        document.file,
        content_type=document.content_type,
        filename=f"appeal-{document.appeal_id}-{document.pk}",
    )
