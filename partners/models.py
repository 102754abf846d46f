"""Partner applications and their API tokens.

An application is a system outside the portal (a partner's data feed, a reporting tool) that calls
the API. It acts as its own service account (a `User` with `Role.PARTNER` and no usable password),
so the audit log names it. Operators grant it scopes, may make it read-only, limit it to IP
ranges, bound its access in time and its rate, and issue and revoke its tokens.
"""

import ipaddress

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import ScopedQuerySet


def default_rate_limit() -> int:
    return settings.PARTNER_RATE_LIMIT_PER_MINUTE


class PartnerApplicationQuerySet(ScopedQuerySet):
    """Operators see every application; nobody else sees any."""


class PartnerApplication(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_email = models.EmailField(_("contact email"))
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="partner_application",
        verbose_name=_("service account"),
    )
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    read_only = models.BooleanField(
        _("read-only"), default=False, help_text=_("Refuse every request that changes data.")
    )
    allowed_networks = models.JSONField(_("allowed IP ranges"), default=list, blank=True)
    rate_limit = models.PositiveIntegerField(_("requests per minute"), default=default_rate_limit)
    expires_at = models.DateTimeField(_("access ends"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = PartnerApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("partner application")
        verbose_name_plural = _("partner applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_limit__gte=1), name="partner_application_rate_limit_positive"
            )
        ]

    def __str__(self):
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def allows_address(self, address: str | None) -> bool:
        """Any address when no range is set; otherwise only addresses inside one of them."""
        if not self.allowed_networks:
            return True
        if not address:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(network) for network in self.allowed_networks)

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and (now or timezone.now()) >= self.expires_at


class TokenStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class PartnerTokenQuerySet(ScopedQuerySet):
    """Operators see every token; nobody else sees any."""


class PartnerToken(models.Model):
    """One token of an application. Only its prefix and a keyed digest are stored (see
    `partners.tokens`): the token itself is shown once, when it is issued."""

    application = models.ForeignKey(
        PartnerApplication,
        on_delete=models.PROTECT,
        related_name="tokens",
        verbose_name=_("partner application"),
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = PartnerTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("partner token")
        verbose_name_plural = _("partner tokens")

    def __str__(self):
        return f"ppk_{self.prefix}_…"

    def ends_at(self):
        """When the token stops working: its own expiry or its application's, the earlier."""
        ends = [t for t in (self.expires_at, self.application.expires_at) if t is not None]
        return min(ends) if ends else None

    def status(self, now=None) -> str:
        if self.revoked_at is not None:
            return TokenStatus.REVOKED
        ends = self.ends_at()
        if ends is not None and (now or timezone.now()) >= ends:
            return TokenStatus.EXPIRED
        return TokenStatus.ACTIVE

    def get_status_display(self) -> str:
        return TokenStatus(self.status()).label


# --- webhooks -----------------------------------------------------------------------------------


class WebhookEventType(models.TextChoices):
    ORGANIZATION_APPROVED = "organization.approved", _("Organization approved")
    ORGANIZATION_SUSPENDED = "organization.suspended", _("Organization suspended")
    BINDING_CHANGED = "binding.changed", _("Binding changed (started, ended or transferred)")
    REWARD_LIST_PUBLISHED = "reward_list.published", _("Reward list published")
    SHORTLIST_PUBLISHED = "shortlist.published", _("Shortlist published")
    VIDEO_ORIGINALITY_DECIDED = "video.originality_decided", _("Video originality decided")
    VIDEO_GRADED = "video.graded", _("Video graded")
    PLACEMENT_SCHEDULED = "placement.scheduled", _("Video scheduled on a display surface")
    PLACEMENT_WITHDRAWN = "placement.withdrawn", _("Video withdrawn from a display surface")


# The read scope an application needs to receive each event: what it could read through the API.
EVENT_SCOPES = {
    WebhookEventType.ORGANIZATION_APPROVED: "organizations:read",
    WebhookEventType.ORGANIZATION_SUSPENDED: "organizations:read",
    WebhookEventType.BINDING_CHANGED: "bindings:read",
    WebhookEventType.REWARD_LIST_PUBLISHED: "reward-lists:read",
    WebhookEventType.SHORTLIST_PUBLISHED: "shortlist:read",
    WebhookEventType.VIDEO_ORIGINALITY_DECIDED: "content:read",
    WebhookEventType.VIDEO_GRADED: "content:read",
    WebhookEventType.PLACEMENT_SCHEDULED: "placements:read",
    WebhookEventType.PLACEMENT_WITHDRAWN: "placements:read",
}


class WebhookQuerySet(ScopedQuerySet):
    """Operators see every endpoint, event and delivery; nobody else sees any."""


class WebhookEndpoint(models.Model):
    """A URL of a partner's system that receives the events it subscribed to, signed with
    `secret`.

    The secret is stored as is: signing with HMAC needs the secret itself (a digest, as for
    tokens, cannot sign), and encrypting it with a key kept next to it in the same settings would
    add little. It is shown once, when the endpoint is created, and never written to the audit
    log or shown on a page again; a leaked secret is replaced by a new endpoint.
    """

    application = models.ForeignKey(
        PartnerApplication,
        on_delete=models.PROTECT,
        related_name="webhook_endpoints",
        verbose_name=_("partner application"),
    )
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=128)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)

    objects = WebhookQuerySet.as_manager()

    class Meta:
        ordering = ["-is_active", "-created_at", "-id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.url

    def event_labels(self) -> list[str]:
        return [str(WebhookEventType(code).label) for code in self.events]

    def receives(self, event_type: str) -> bool:
        """Subscribed to `event_type`, active, and its application may read what it is about."""
        application = self.application
        return (
            self.is_active
            and event_type in self.events
            and application.has_scope(EVENT_SCOPES[event_type])
            and not application.is_expired()
        )


class WebhookEvent(models.Model):
    """One domain event as sent to partners: `payload` is the exact JSON body of every delivery."""

    uuid = models.UUIDField(unique=True, editable=False)
    event_type = models.CharField(_("event"), max_length=40, choices=WebhookEventType.choices)
    payload = models.JSONField()
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("occurred"), auto_now_add=True)

    objects = WebhookQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self):
        return f"{self.event_type} {self.uuid}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed, will retry")
    GAVE_UP = "gave_up", _("Gave up")


class WebhookDelivery(models.Model):
    """One event to one endpoint: attempted until the endpoint answers 2xx, with backoff, up to
    `settings.WEBHOOK_MAX_ATTEMPTS` times; an operator may replay it."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.PROTECT, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempt_count = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = WebhookQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event.event_type} → {self.endpoint.url}"


class WebhookAttempt(models.Model):
    """One POST of a delivery and what the endpoint answered (the body cut at 2 KB)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("sent"))
    status_code = models.PositiveSmallIntegerField(_("response"), null=True, blank=True)
    response_body = models.TextField(_("response body"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    error = models.TextField(_("error"), blank=True)
    succeeded = models.BooleanField(default=False)
    replayed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replayed by"),
    )

    objects = WebhookQuerySet.as_manager()

    class Meta:
        ordering = ["-number", "-id"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")

    def __str__(self):
        return f"#{self.number} {self.status_code or self.error[:40]}"
