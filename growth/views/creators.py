"""A creator's self-service page, read through a signed link without an account, and the page
where an organization (or the program team) sends and revokes those links."""

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

from creators.models import Creator
from growth import selfservice_selectors as selectors
from growth.models import SelfServiceLink
from growth.services.selfservice import (
    LINK_VALID_DAYS,
    link_check,
    link_path,
    selfservice_consent_withdraw,
    selfservice_link_revoke,
    selfservice_link_send,
)
from portal.accounts.permissions import action_required, can
from portal.core.forms import PortalFormMixin
from portal.core.kit import add_service_errors, error_text, own_organization
from portal.core.rendering import render_page


class SendForm(PortalFormMixin, forms.Form):
    platform_account_id = forms.CharField(
        label=gettext_lazy("Creator's platform account id"), max_length=64
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"), min_value=1, max_value=90, initial=LINK_VALID_DAYS
    )


def _public(response):
    """The token is in the address: never cached, never indexed, never sent to another site as a
    referrer. Same-origin, not no-referrer: under no-referrer the browser sends `Origin: null`
    with the page's own forms (the creator's answers), which the CSRF check refuses."""
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_GET
def creator_page(request, pk: int, token: str):
    """The creator's own page (no account): 404 for a token that does not match, 410 once the
    link is revoked or expired."""
    link = get_object_or_404(SelfServiceLink.objects.select_related("creator"), pk=pk)
    try:
        link_check(link, token)
    except ValidationError as error:
        if error.code == "invalid":
            raise Http404 from error
        response = render(
            request, "growth/creator_page.html", {"problem": error_text(error)}, status=410
        )
        return _public(response)
    return _public(render(request, "growth/creator_page.html", _page_context(link, token)))


def _page_context(link, token: str) -> dict:
    creator = link.creator
    bindings = selectors.creator_bindings(creator)
    holder = next((b for b in bindings if b.ended_on is None), None)
    return {
        "link": link,
        "token": token,
        "creator": creator,
        "holder": holder,
        "consent": selectors.creator_consent(holder),
        "bindings": bindings,
        "lines": selectors.creator_lines(creator),
        "videos": selectors.creator_videos(creator),
    }


def _withdraw(request, pk: int, token: str, scope: str | None):
    link = get_object_or_404(SelfServiceLink.objects.select_related("creator"), pk=pk)
    try:
        selfservice_consent_withdraw(link=link, token=token, scope=scope)
    except ValidationError as error:
        if error.code == "invalid":
            raise Http404 from error
        return _public(
            render(request, "growth/creator_page.html", {"problem": error_text(error)}, status=400)
        )
    return redirect("growth:creator_page", pk=pk, token=token)


@never_cache
@require_POST
def consent_withdraw_scope(request, pk: int, token: str, scope: str):
    """The creator stops sharing one scope with the organization holding them."""
    return _withdraw(request, pk, token, scope)


@never_cache
@require_POST
def consent_withdraw(request, pk: int, token: str):
    """The creator withdraws their consent altogether."""
    return _withdraw(request, pk, token, None)


def _links_context(request, form=None):
    links = SelfServiceLink.objects.for_user(request.user).select_related(
        "creator", "organization", "sent_by"
    )
    return {
        "page": Paginator(links, 50).get_page(request.GET.get("page")),
        "form": form or SendForm(),
        "may_send": can(request.user, "selfservice.send", own_organization(request.user)),
    }


@action_required("selfservice.view")
def links(request):
    """The self-service links an organization sent (operators: every link), and the form that
    sends a new one."""
    return render_page(request, "growth/links.html", _links_context(request), partial="list")


@require_POST
@action_required("selfservice.view")
def link_send(request):
    form = SendForm(request.POST)
    if form.is_valid():
        creator = Creator.objects.filter(
            platform_account_id=form.cleaned_data["platform_account_id"].strip()
        ).first()
        if creator is None:
            form.add_error("platform_account_id", _("No creator has this account id."))
        else:
            try:
                link = selfservice_link_send(
                    actor=request.user, creator=creator, days=form.cleaned_data["days"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Link created. Send it to %(name)s: %(link)s")
                    % {
                        "name": creator.display_name,
                        "link": request.build_absolute_uri(link_path(link)),
                    },
                )
                return redirect("growth:links")
    return render_page(request, "growth/links.html", _links_context(request, form), status=400)


@require_POST
@action_required("selfservice.view")
def link_revoke(request, pk: int):
    link = get_object_or_404(SelfServiceLink.objects.for_user(request.user), pk=pk)
    try:
        selfservice_link_revoke(actor=request.user, link=link)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The link no longer opens the creator's page."))
    return redirect("growth:links")
