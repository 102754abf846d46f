"""Operators' pages for partner applications: the list with a form for a new one, one application
with its tokens, issuing a token (shown once) and revoking one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.permissions import action_required
from portal.core.kit import add_service_errors, error_text
from portal.core.rendering import render_page

from . import services, webhooks
from .forms import ApplicationForm, TokenForm, WebhookEndpointForm
from .models import EVENT_SCOPES, DeliveryStatus, PartnerApplication, WebhookDelivery
from .scopes import SCOPES


def _application(request, pk: int) -> PartnerApplication:
    return get_object_or_404(
        PartnerApplication.objects.for_user(request.user).select_related("account", "created_by"),
        pk=pk,
    )


@action_required("partner.manage")
def application_list(request):
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                actor=request.user, **form.service_arguments()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Application created. Issue its first token below."))
            return redirect("partners:detail", application.pk)
    now = timezone.now()
    live = (
        Q(tokens__revoked_at__isnull=True)
        & (Q(tokens__expires_at__isnull=True) | Q(tokens__expires_at__gt=now))
        & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    )
    applications = PartnerApplication.objects.for_user(request.user).annotate(
        live_tokens=Count("tokens", filter=live)
    )
    return render_page(
        request,
        "partners/applications.html",
        {"applications": applications, "form": form, "scope_labels": dict(SCOPES), "now": now},
    )


RECENT_DELIVERIES = 50


def _detail_page(request, application, token_form, status=200, webhook_form=None):
    scope_labels = dict(SCOPES)
    missing_scopes = sorted(
        {scope for scope in EVENT_SCOPES.values() if not application.has_scope(scope)}
    )
    return render_page(
        request,
        "partners/application.html",
        {
            "application": application,
            "scopes": [(scope, scope_labels.get(scope, scope)) for scope in application.scopes],
            "tokens": application.tokens.select_related("created_by", "revoked_by"),
            "token_form": token_form,
            "now": timezone.now(),
            "endpoints": application.webhook_endpoints.select_related("created_by"),
            "webhook_form": webhook_form or WebhookEndpointForm(),
            "missing_scopes": missing_scopes,
            "deliveries": WebhookDelivery.objects.for_user(request.user)
            .filter(endpoint__application=application)
            .select_related("endpoint", "event")[:RECENT_DELIVERIES],
        },
        status=status,
    )


@action_required("partner.manage")
def application_detail(request, pk: int):
    return _detail_page(request, _application(request, pk), TokenForm())


@action_required("partner.manage")
@require_POST
def token_issue(request, pk: int):
    application = _application(request, pk)
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.token_issue(
                actor=request.user, application=application, **form.service_arguments()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # The token is on this page and nowhere else: never kept by any cache.
            response = render_page(
                request,
                "partners/token_issued.html",
                {"application": application, "token": token, "raw": raw},
            )
            add_never_cache_headers(response)
            return response
    return _detail_page(request, application, form)


@action_required("partner.manage")
@require_POST
def token_revoke(request, pk: int, token_id: int):
    application = _application(request, pk)
    token = get_object_or_404(application.tokens, pk=token_id)
    try:
        services.token_revoke(actor=request.user, token=token)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("Token %(token)s revoked: it stopped working at once.") % {"token": str(token)},
        )
    return redirect("partners:detail", application.pk)


@action_required("partner.manage")
@require_POST
def webhook_create(request, pk: int):
    application = _application(request, pk)
    form = WebhookEndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint, secret = services.webhook_endpoint_create(
                actor=request.user, application=application, **form.service_arguments()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # The secret is on this page and nowhere else: never kept by any cache.
            response = render_page(
                request,
                "partners/webhook_created.html",
                {"application": application, "endpoint": endpoint, "secret": secret},
            )
            add_never_cache_headers(response)
            return response
    return _detail_page(request, application, TokenForm(), webhook_form=form)


@action_required("partner.manage")
@require_POST
def webhook_deactivate(request, pk: int, endpoint_id: int):
    application = _application(request, pk)
    endpoint = get_object_or_404(
        application.webhook_endpoints.for_user(request.user), pk=endpoint_id
    )
    try:
        services.webhook_endpoint_deactivate(actor=request.user, endpoint=endpoint)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("Endpoint %(url)s deactivated: nothing more is sent to it.") % {"url": endpoint.url},
        )
    return redirect("partners:detail", application.pk)


def _delivery(request, application, delivery_id: int) -> WebhookDelivery:
    return get_object_or_404(
        WebhookDelivery.objects.for_user(request.user).select_related("endpoint", "event"),
        pk=delivery_id,
        endpoint__application=application,
    )


@action_required("partner.manage")
def delivery_detail(request, pk: int, delivery_id: int):
    application = _application(request, pk)
    delivery = _delivery(request, application, delivery_id)
    return render_page(
        request,
        "partners/delivery.html",
        {
            "application": application,
            "delivery": delivery,
            "attempts": delivery.attempts.select_related("replayed_by"),
            "body": webhooks.body_of(delivery.event).decode(),
            "can_replay": delivery.endpoint.is_active
            and delivery.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.GAVE_UP),
        },
    )


@action_required("partner.manage")
@require_POST
def delivery_replay(request, pk: int, delivery_id: int):
    application = _application(request, pk)
    delivery = _delivery(request, application, delivery_id)
    try:
        services.webhook_delivery_replay(actor=request.user, delivery=delivery)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, _("The event is being sent again; reload to see the new attempt.")
        )
    return redirect("partners:delivery", application.pk, delivery.pk)
