"""Partner applications and their tokens: every change by an operator, in a transaction, audited.

The raw token leaves `token_issue` once, for the operator to hand over; it is never stored, logged
or written to the audit log (the prefix names the token there).
"""

import ipaddress
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Role, User
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record, snapshot
from portal.core.queue import enqueue

from . import tokens
from .models import (
    DeliveryStatus,
    PartnerApplication,
    PartnerToken,
    WebhookDelivery,
    WebhookEndpoint,
)
from .scopes import SCOPE_NAMES

ACCOUNT_DOMAIN = "partners.invalid"  # a reserved domain: no mail can ever reach it
SETTINGS = [
    "name",
    "contact_name",
    "contact_email",
    "scopes",
    "read_only",
    "allowed_networks",
    "rate_limit",
    "expires_at",
]


def normalize_networks(networks: Iterable[str]) -> list[str]:
    """CIDR ranges (or single addresses) in their canonical form; ValidationError for others."""
    result, bad = [], []
    for text in networks:
        text = text.strip()
        if not text:
            continue
        try:
            network = str(ipaddress.ip_network(text, strict=False))
        except ValueError:
            bad.append(text)
            continue
        if network not in result:
            result.append(network)
    if bad:
        raise ValidationError(
            {
                "allowed_networks": _("Not an IP range: %(ranges)s. Write e.g. 203.0.113.0/24.")
                % {"ranges": ", ".join(bad)}
            }
        )
    return result


def _check_scopes(scopes: Iterable[str]) -> list[str]:
    scopes = list(dict.fromkeys(scopes))
    unknown = [scope for scope in scopes if scope not in SCOPE_NAMES]
    if unknown:
        raise ValidationError({"scopes": _("Unknown scope: %(scopes)s.") % {"scopes": unknown}})
    if not scopes:
        raise ValidationError({"scopes": _("Grant at least one scope.")})
    return [scope for scope in SCOPE_NAMES if scope in scopes]


@transaction.atomic
def application_create(
    *,
    actor,
    name: str,
    contact_name: str,
    contact_email: str,
    scopes: Iterable[str],
    read_only: bool = False,
    allowed_networks: Iterable[str] = (),
    rate_limit: int | None = None,
    expires_at=None,
) -> PartnerApplication:
    """A new application with its service account (no usable password: it cannot sign in)."""
    authorize(actor, "partner.manage")
    name = name.strip()
    if PartnerApplication.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("An application with this name already exists.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The end of access must be in the future.")})
    application = PartnerApplication(
        name=name,
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip().lower(),
        scopes=_check_scopes(scopes),
        read_only=read_only,
        allowed_networks=normalize_networks(allowed_networks),
        expires_at=expires_at,
        created_by=actor,
    )
    if rate_limit is not None:
        application.rate_limit = rate_limit
    # The account's address is made unique first and named after the application once it has
    # its id (`partner-7@partners.invalid`), which is how the audit log names its changes.
    application.account = User.objects.create_user(
        f"partner-{secrets.token_hex(8)}@{ACCOUNT_DOMAIN}",
        password=None,
        full_name=name[:100],
        role=Role.PARTNER,
    )
    application.full_clean(exclude=["account", "created_by"])
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as error:
        raise ValidationError(
            {"name": _("An application with this name already exists.")}
        ) from error
    application.account.email = f"partner-{application.pk}@{ACCOUNT_DOMAIN}"
    application.account.save(update_fields=["email"])
    audit_record(
        actor=actor,
        action="partner.create",
        obj=application,
        after={**snapshot(application, SETTINGS), "account": application.account.email},
    )
    return application


@transaction.atomic
def token_issue(*, actor, application: PartnerApplication, expires_at=None):
    """A new token for `application`: (the row, the token to hand over once)."""
    authorize(actor, "partner.manage")
    application = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    now = timezone.now()
    if application.is_expired(now):
        raise ValidationError(_("The application's access has ended; no token can be issued."))
    if expires_at is not None and expires_at <= now:
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    if (
        expires_at is not None
        and application.expires_at is not None
        and expires_at > application.expires_at
    ):
        raise ValidationError({"expires_at": _("A token cannot outlive its application's access.")})
    while True:
        prefix = tokens.new_prefix()
        if not PartnerToken.objects.filter(prefix=prefix).exists():
            break
    raw = tokens.new_token(prefix)
    token = PartnerToken.objects.create(
        application=application,
        prefix=prefix,
        digest=tokens.digest(raw),
        created_by=actor,
        expires_at=expires_at,
    )
    audit_record(
        actor=actor,
        action="partner.token_issue",
        obj=application,
        after={"token": prefix, "expires_at": expires_at},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor, token: PartnerToken, reason: str = "") -> PartnerToken:
    """The token stops working at the next request (every request reads the token's row)."""
    authorize(actor, "partner.manage")
    token = PartnerToken.objects.select_for_update().select_related("application").get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError(_("This token is already revoked."))
    before = token.status()
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action="partner.token_revoke",
        obj=token.application,
        before={"token": token.prefix, "status": str(before)},
        after={"token": token.prefix, "status": "revoked"},
        reason=reason,
    )
    return token


# --- webhooks -----------------------------------------------------------------------------------


@transaction.atomic
def webhook_endpoint_create(
    *, actor, application: PartnerApplication, url: str, events: Iterable[str]
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of `application`: (the row, its signing secret to hand over once)."""
    from . import webhooks

    authorize(actor, "partner.manage")
    application = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    if application.is_expired():
        raise ValidationError(_("The application's access has ended; no endpoint can be added."))
    url = webhooks.check_url(url)
    events = webhooks.check_events(events)
    secret = webhooks.new_secret()
    endpoint = WebhookEndpoint(
        application=application, url=url, events=events, secret=secret, created_by=actor
    )
    endpoint.full_clean(exclude=["application", "created_by"])
    endpoint.save()
    # The secret is never written to the audit log.
    audit_record(
        actor=actor,
        action="partner.webhook_create",
        obj=application,
        after={"endpoint": endpoint.pk, "url": url, "events": events},
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_deactivate(*, actor, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Stop sending to `endpoint`: pending deliveries give up at their next attempt."""
    authorize(actor, "partner.manage")
    endpoint = (
        WebhookEndpoint.objects.select_for_update()
        .select_related("application")
        .get(pk=endpoint.pk)
    )
    if not endpoint.is_active:
        raise ValidationError(_("This endpoint is already inactive."))
    endpoint.is_active = False
    endpoint.deactivated_at = timezone.now()
    endpoint.save(update_fields=["is_active", "deactivated_at"])
    audit_record(
        actor=actor,
        action="partner.webhook_deactivate",
        obj=endpoint.application,
        before={"endpoint": endpoint.pk, "url": endpoint.url, "active": True},
        after={"endpoint": endpoint.pk, "url": endpoint.url, "active": False},
    )
    return endpoint


@transaction.atomic
def webhook_delivery_replay(*, actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event (same body, same event id) to the endpoint once more, now: one
    attempt, recorded with the operator's name, not retried automatically."""
    authorize(actor, "partner.manage")
    delivery = (
        WebhookDelivery.objects.select_for_update()
        .select_related("endpoint__application", "event")
        .get(pk=delivery.pk)
    )
    if not delivery.endpoint.is_active:
        raise ValidationError(_("This endpoint is inactive; nothing can be sent to it."))
    if delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED):
        raise ValidationError(_("This delivery is still being attempted; wait for its outcome."))
    before = delivery.status
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at", "updated_at"])
    enqueue("partners.tasks.deliver_webhook", delivery_id=delivery.pk, replayed_by_id=actor.pk)
    audit_record(
        actor=actor,
        action="partner.webhook_replay",
        obj=delivery.endpoint.application,
        before={"delivery": delivery.pk, "status": before},
        after={
            "delivery": delivery.pk,
            "event": str(delivery.event.uuid),
            "event_type": delivery.event.event_type,
            "url": delivery.endpoint.url,
        },
    )
    return delivery
