"""The creator's consent: the page a creator opens through the signed link (no account) to
choose what they share and consent or decline, and the organization's list of creators who have
not consented, where a new link is sent."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from creators import selectors, services
from creators.models import SCOPE_HELP, BindingConsent, Scope
from portal.accounts.permissions import action_required
from portal.core.forms import PortalFormMixin
from portal.core.kit import add_service_errors, error_text
from portal.core.rendering import render_page


class ConsentForm(PortalFormMixin, forms.Form):
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("What I share with the organization"),
        choices=[(scope.value, scope.label) for scope in Scope],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("Share nothing, some or all of it; you can withdraw it later."),
    )
    contact_mobile = forms.CharField(
        label=gettext_lazy("Mobile number"), max_length=20, required=False
    )
    contact_email = forms.EmailField(label=gettext_lazy("Email"), required=False)


def _public(response):
    """The token is in the address: never cached, never indexed, never sent to another site as a
    referrer. Same-origin, not no-referrer: under no-referrer the browser sends `Origin: null`
    with the page's own forms (the creator's answers), which the CSRF check refuses."""
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _checked(consent_id: int, token: str):
    """The consent and the reason its link cannot be used (None when it can); 404 for a token
    that does not match."""
    consent = get_object_or_404(
        BindingConsent.objects.select_related("binding__creator", "binding__organization"),
        pk=consent_id,
    )
    try:
        services.consent_check(consent, token)
    except ValidationError as error:
        if error.code == "invalid":
            raise Http404 from error
        return consent, error_text(error)
    return consent, None


def _page(request, consent, token, *, form=None, problem=None, done=None, status=200):
    context = {
        "consent": consent,
        "token": token,
        "form": form or ConsentForm(),
        "scopes": [(scope.label, SCOPE_HELP[scope]) for scope in Scope],
        "problem": problem,
        "done": done,
    }
    status = 410 if problem and status == 200 else status
    return _public(render(request, "creators/consent.html", context, status=status))


@never_cache
@require_GET
def consent_page(request, consent_id: int, token: str):
    """Which organization asks, what each scope means; consent with the chosen scopes, or decline."""
    consent, problem = _checked(consent_id, token)
    return _page(request, consent, token, problem=problem)


@never_cache
@require_POST
def consent_give(request, consent_id: int, token: str):
    consent, problem = _checked(consent_id, token)
    form = ConsentForm(request.POST)
    if problem is None and form.is_valid():
        try:
            services.consent_give(consent=consent, token=token, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = _("Thank you. %(organization)s sees only what you chose to share.") % {
                "organization": consent.binding.organization.legal_name
            }
            return _page(request, consent, token, done=done)
    return _page(request, consent, token, form=form, problem=problem, status=400)


@never_cache
@require_POST
def consent_decline(request, consent_id: int, token: str):
    consent, problem = _checked(consent_id, token)
    if problem is None:
        try:
            services.consent_decline(consent=consent, token=token)
        except ValidationError as error:
            problem = error_text(error)
        else:
            done = _("You declined. The organization sees only your name and account id.")
            return _page(request, consent, token, done=done)
    return _page(request, consent, token, problem=problem)


@action_required("roster.view")
def consents(request):
    """The creators on the roster who have not consented (yet), with a new link for each."""
    rows = selectors.waiting_consents(request.user)
    return render_page(
        request,
        "creators/consents.html",
        {"page": Paginator(rows, 50).get_page(request.GET.get("page"))},
        partial="list",
    )


@require_POST
@action_required("roster.view")
def consent_send(request, pk: int):
    consent = get_object_or_404(selectors.waiting_consents(request.user), pk=pk)
    try:
        consent = services.consent_link_send(actor=request.user, consent=consent)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("New link made (the earlier one no longer works). Send it to %(name)s: %(link)s")
            % {
                "name": consent.binding.creator.display_name,
                "link": request.build_absolute_uri(services.consent_path(consent)),
            },
        )
    return redirect("creators:consents")
