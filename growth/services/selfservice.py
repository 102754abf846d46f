"""Creators' self-service links: the organization holding a creator, or the program team, sends
a signed link that expires; the creator reads their own page through it without an account; the
sender may revoke it. The token is an HMAC of the link's id and a random salt: nothing that opens
the page is stored, and a link of one creator can never open another's page."""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from creators.models import Binding, BindingConsent, Creator, Scope
from creators.services import consent_withdraw
from growth.models import SelfServiceLink
from portal.accounts.models import Role
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record

LINK_VALID_DAYS = 30


def link_token(link: SelfServiceLink) -> str:
    message = f"selfservice:{link.pk}:{link.salt}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:40]


def link_path(link: SelfServiceLink) -> str:
    return reverse("growth:creator_page", args=[link.pk, link_token(link)])


def link_check(link: SelfServiceLink, token: str) -> None:
    """Refuse a token that does not match (code "invalid"), a revoked link or an expired one."""
    if not hmac.compare_digest(token, link_token(link)):
        raise ValidationError(_("This link is not valid."), code="invalid")
    if link.revoked_at is not None:
        raise ValidationError(
            _("This link was withdrawn. Ask your organization or the program team for a new one."),
            code="revoked",
        )
    if link.is_expired:
        raise ValidationError(
            _("This link has expired. Ask your organization or the program team for a new one."),
            code="expired",
        )
    # The sender saw the address: once the creator has left that organization, its link would
    # show the next organization's lines to it. A link the program team sent has no such end.
    if (
        link.organization_id is not None
        and not Binding.objects.filter(
            creator_id=link.creator_id, organization_id=link.organization_id, ended_on__isnull=True
        ).exists()
    ):
        raise ValidationError(
            _(
                "This link came from an organization that no longer holds you. Ask the program "
                "team or your organization for a new one."
            ),
            code="left",
        )


@transaction.atomic
def selfservice_link_send(*, actor, creator: Creator, days: int = LINK_VALID_DAYS):
    """A new link to `creator`'s own page, valid for `days` days. An organization's owner or
    admin sends it for a creator their organization holds now; an operator for any creator."""
    organization = None
    if actor.role == Role.ORGANIZATION:
        membership = getattr(actor, "membership", None)
        organization = membership.organization if membership else None
        if organization is None:
            authorize(actor, "selfservice.send", None)
        holds = Binding.objects.filter(
            creator=creator, organization=organization, ended_on__isnull=True
        ).exists()
        if not holds:
            raise ValidationError({"platform_account_id": _("This creator is not on your roster.")})
    authorize(actor, "selfservice.send", organization)
    if not 1 <= days <= 90:
        raise ValidationError({"days": _("A link is valid for 1 to 90 days.")})
    link = SelfServiceLink.objects.create(
        creator=creator,
        organization=organization,
        salt=secrets.token_hex(16),
        sent_by=actor,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    audit_record(
        actor=actor,
        action="selfservice.send",
        obj=creator,
        organization=organization,
        after={"link": link.pk, "expires_at": link.expires_at.isoformat()},
    )
    return link


@transaction.atomic
def selfservice_link_revoke(*, actor, link: SelfServiceLink) -> SelfServiceLink:
    """End a link now. The organization that sent it, or an operator, may."""
    authorize(actor, "selfservice.revoke", link)
    revoked = SelfServiceLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    if not revoked:
        raise ValidationError(_("This link was already revoked."))
    audit_record(
        actor=actor,
        action="selfservice.revoke",
        obj=link.creator,
        organization=link.organization,
        after={"link": link.pk},
    )
    link.refresh_from_db()
    return link


@transaction.atomic
def selfservice_consent_withdraw(
    *, link: SelfServiceLink, token: str, scope: str | None = None
) -> BindingConsent:
    """The creator, on their own page, stops sharing `scope` with the organization holding them
    now (None: withdraws their consent altogether). The link is the creator's key: it is checked
    here, and only the consent of the creator it names can change."""
    link_check(link, token)
    if scope is not None and scope not in Scope.values:
        raise ValidationError(_("Choose among earnings, metrics and contact details."))
    consent = BindingConsent.objects.filter(
        binding__creator_id=link.creator_id, binding__ended_on__isnull=True
    ).first()
    if consent is None:
        raise ValidationError(_("There is no consent to withdraw."))
    return consent_withdraw(
        actor=f"creator:{link.creator.platform_account_id}",
        consent=consent,
        scopes=None if scope is None else [scope],
    )
