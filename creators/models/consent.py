"""A creator's consent to a binding, and the data the creator shares with the organization."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import ScopedQuerySet

from .creators import Binding


class ConsentState(models.TextChoices):
    PENDING = "pending", _("Waiting for consent")
    CONSENTED = "consented", _("Consented")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Link expired")


class Scope(models.TextChoices):
    """What a creator may share with the organization holding them. The field of each scope on
    `BindingConsent` has the scope's name."""

    EARNINGS = "earnings", _("Earnings")
    METRICS = "metrics", _("Metrics")
    CONTACT = "contact", _("Contact details")


SCOPE_HELP = {
    Scope.EARNINGS: _(
        "Your reward lines, amounts and payment states in the program (the organization's own "
        "rewards for bringing you in are not affected)."
    ),
    Scope.METRICS: _(
        "Your daily figures: plays, valid plays, followers, videos, GMV, orders and commission, "
        "and the 30-day totals on the roster."
    ),
    Scope.CONTACT: _("The mobile number and email address you enter below."),
}


class BindingConsentQuerySet(ScopedQuerySet):
    """Staff see the consents of the creators they may see; an organization's people those of
    their organization's bindings."""

    category_path = "binding__creator__primary_category"
    organization_path = "binding__organization"

    def waiting(self):
        """Not consented (yet): pending, expired, declined or withdrawn."""
        return self.exclude(state=ConsentState.CONSENTED)


class BindingConsent(models.Model):
    """Whether the creator agreed to their binding to an organization, and which scopes of their
    data they share with it. One per binding, created pending when the binding is made; the
    creator answers through a signed, expiring link (the token is an HMAC of the id and the salt,
    never stored; a new link changes the salt) and may later withdraw a scope or everything from
    their self-service page. Platform staff are not limited by it (`creators/consent.py`)."""

    binding = models.OneToOneField(
        Binding, on_delete=models.CASCADE, related_name="consent", verbose_name=_("binding")
    )
    state = models.CharField(
        _("consent"), max_length=10, choices=ConsentState.choices, default=ConsentState.PENDING
    )
    earnings = models.BooleanField(_("shares earnings"), default=False)
    metrics = models.BooleanField(_("shares metrics"), default=False)
    contact = models.BooleanField(_("shares contact details"), default=False)
    # Entered by the creator when sharing contact details; emptied when they withdraw it.
    contact_mobile = models.CharField(_("mobile number"), max_length=20, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    salt = models.CharField(max_length=32)
    expires_at = models.DateTimeField(_("link expires"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("link sent"), null=True, blank=True)
    links_sent = models.PositiveIntegerField(_("links sent"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = BindingConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("binding consent")
        verbose_name_plural = _("binding consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(state="consented")
                | (Q(earnings=False) & Q(metrics=False) & Q(contact=False)),
                name="consent_scopes_only_when_consented",
                violation_error_message=_("Only a given consent shares data."),
            )
        ]

    def __str__(self):
        return f"{self.binding_id}: {self.state}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def shown_state(self) -> str:
        """The state as people read it: a pending consent whose link has lapsed is expired."""
        if self.state == ConsentState.PENDING and self.is_expired:
            return ConsentState.EXPIRED
        return self.state

    def get_shown_state_display(self) -> str:
        return ConsentState(self.shown_state).label

    @property
    def scopes(self) -> list[str]:
        return [scope for scope in Scope.values if getattr(self, scope)]
