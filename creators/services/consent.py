"""The creator's consent to a binding: asked when the binding is made, answered through a signed
link (as transfers are confirmed), withdrawn scope by scope from the creator's self-service page.

The link's token is an HMAC of the consent's id and a random salt: nothing that opens the page is
stored, and sending a new link (a new salt) ends the old one. The organization is shown the link
once, when it is made, to pass on to the creator (the platform's app stands in for it later)."""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from creators.models import Binding, BindingConsent, ConsentState, Scope
from organizations.models import OrgRole
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core.notifications import notify
from portal.core.validators import normalize_mobile, validate_mainland_mobile

CONSENT_VALID_DAYS = 14
# A new link for the same consent at most once an hour; after the creator said no (declined or
# withdrew everything), the organization may ask again only after a month.
RESEND_INTERVAL = datetime.timedelta(hours=1)
ASK_AGAIN_AFTER = datetime.timedelta(days=30)


def consent_token(consent: BindingConsent) -> str:
    message = f"consent:{consent.pk}:{consent.salt}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:40]


def consent_path(consent: BindingConsent) -> str:
    return reverse("creators:consent", args=[consent.pk, consent_token(consent)])


def _creator_actor(consent: BindingConsent) -> str:
    return f"creator:{consent.binding.creator.platform_account_id}"


def _admins(organization):
    return [
        m.user
        for m in organization.memberships.select_related("user").filter(
            role__in=[OrgRole.OWNER, OrgRole.ADMIN]
        )
    ]


def consent_open(*, actor, binding: Binding) -> BindingConsent:
    """The pending consent of a binding just made (inside the binding's own service and
    transaction, which checked the actor's role)."""
    consent = BindingConsent.objects.create(
        binding=binding,
        salt=secrets.token_hex(16),
        expires_at=timezone.now() + datetime.timedelta(days=CONSENT_VALID_DAYS),
        sent_by=actor if getattr(actor, "pk", None) else None,
        sent_at=timezone.now(),
        links_sent=1,
    )
    audit_record(
        actor=actor,
        action="consent.request",
        obj=binding.creator,
        organization=binding.organization,
        after={"consent": consent.pk, "expires_at": consent.expires_at.isoformat()},
    )
    return consent


def consents_open_for_bindings(*, actor, bindings) -> int:
    """Pending consents for many new bindings at once (a roster import); the bindings that
    already have one are skipped. Returns how many were written. On PostgreSQL one INSERT ...
    SELECT whose salts come from the server's strong random source (`gen_random_uuid`, 122
    random bits: the salt only has to change with each link, the link's secret is the HMAC key);
    building and inserting 10,000 model instances cost 5-7 s of a 10,000-row roster's commit."""
    expires_at = timezone.now() + datetime.timedelta(days=CONSENT_VALID_DAYS)
    waiting = bindings.filter(consent__isnull=True).values("pk")
    if connection.vendor == "postgresql":
        select, params = waiting.query.sql_with_params()
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {BindingConsent._meta.db_table} (binding_id, state, earnings, "  # noqa: S608 - our query
                "metrics, contact, contact_mobile, contact_email, salt, expires_at, sent_by_id, "
                "links_sent, created_at) "
                "SELECT waiting.pk, %s, FALSE, FALSE, FALSE, '', '', "
                "replace(CAST(gen_random_uuid() AS text), '-', ''), %s, %s, 0, %s "
                f"FROM ({select}) AS waiting ON CONFLICT (binding_id) DO NOTHING",
                [ConsentState.PENDING, expires_at, actor.pk if actor else None, now, *params],
            )
            return cursor.rowcount
    ids = list(waiting.values_list("pk", flat=True))
    BindingConsent.objects.bulk_create(
        [
            BindingConsent(
                binding_id=pk,
                salt=secrets.token_hex(16),
                expires_at=expires_at,
                sent_by=actor,
                links_sent=0,
            )
            for pk in ids
        ],
        batch_size=2000,
    )
    return len(ids)


@transaction.atomic
def consent_link_send(*, actor, consent: BindingConsent) -> BindingConsent:
    """A new link for the creator to answer (the old one stops working), valid for 14 days. The
    owners and admins of the organization holding the creator, or operators, send it; at most
    once an hour per creator, and a month after the creator said no."""
    consent = (
        BindingConsent.objects.select_for_update()
        .select_related("binding__organization", "binding__creator")
        .get(pk=consent.pk)
    )
    binding = consent.binding
    authorize(actor, "consent.send", binding.organization)
    if binding.ended_on is not None:
        raise ValidationError(_("This binding has ended; there is nothing to consent to."))
    if consent.state == ConsentState.CONSENTED:
        raise ValidationError(_("The creator has already consented."))
    now = timezone.now()
    if consent.state in (ConsentState.DECLINED, ConsentState.WITHDRAWN):
        said_no = consent.withdrawn_at or consent.decided_at or now
        if said_no + ASK_AGAIN_AFTER > now:
            raise ValidationError(
                _("The creator said no on %(day)s; you may ask again from %(again)s.")
                % {
                    "day": timezone.localdate(said_no),
                    "again": timezone.localdate(said_no + ASK_AGAIN_AFTER),
                }
            )
    elif consent.sent_at and consent.sent_at + RESEND_INTERVAL > now:
        raise ValidationError(
            _("A link was sent less than an hour ago; give the creator time to answer.")
        )
    before = {"state": consent.state, "expires_at": consent.expires_at.isoformat()}
    consent.state = ConsentState.PENDING
    consent.salt = secrets.token_hex(16)
    consent.expires_at = now + datetime.timedelta(days=CONSENT_VALID_DAYS)
    consent.sent_by = actor
    consent.sent_at = now
    consent.links_sent += 1
    consent.save(update_fields=["state", "salt", "expires_at", "sent_by", "sent_at", "links_sent"])
    audit_record(
        actor=actor,
        action="consent.send",
        obj=binding.creator,
        organization=binding.organization,
        before=before,
        after={"state": consent.state, "expires_at": consent.expires_at.isoformat()},
    )
    return consent


def consent_check(consent: BindingConsent, token: str) -> None:
    """Refuse a token that does not match (code "invalid"), an answered request or an expired
    link, and a binding that has ended."""
    if not hmac.compare_digest(token, consent_token(consent)):
        raise ValidationError(_("This consent link is not valid."), code="invalid")
    if consent.state != ConsentState.PENDING:
        raise ValidationError(
            _("This request was already answered: %(state)s.")
            % {"state": consent.get_state_display()},
            code="closed",
        )
    if consent.is_expired:
        raise ValidationError(
            _("This consent link has expired. Ask the organization for a new one."),
            code="expired",
        )
    if consent.binding.ended_on is not None:
        raise ValidationError(_("This binding has ended."), code="closed")


def _clean_scopes(scopes) -> set[str]:
    chosen = set(scopes)
    unknown = chosen - set(Scope.values)
    if unknown:
        raise ValidationError({"scopes": _("Choose among earnings, metrics and contact details.")})
    return chosen


def _clean_contact(chosen: set[str], mobile: str, email: str) -> tuple[str, str]:
    if Scope.CONTACT not in chosen:
        return "", ""
    mobile, email = (mobile or "").strip(), (email or "").strip()
    if not mobile and not email:
        raise ValidationError(
            {"contact_mobile": _("To share contact details, enter a mobile number or an email.")}
        )
    errors = {}
    if mobile:
        try:
            validate_mainland_mobile(mobile)
        except ValidationError as error:
            errors["contact_mobile"] = error.messages
        mobile = normalize_mobile(mobile)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = [_("Enter a valid email address.")]
    if errors:
        raise ValidationError(errors)
    return mobile, email


def _answer(consent: BindingConsent, token: str, state: str, **fields) -> BindingConsent:
    """Close a pending consent once (a conditional update: two answers at once, one wins)."""
    consent_check(consent, token)
    now = timezone.now()
    answered = BindingConsent.objects.filter(
        pk=consent.pk, state=ConsentState.PENDING, salt=consent.salt, expires_at__gt=now
    ).update(state=state, decided_at=now, **fields)
    if not answered:
        raise ValidationError(_("This request was already answered."), code="closed")
    consent.refresh_from_db()
    binding = consent.binding
    audit_record(
        actor=_creator_actor(consent),
        action=f"consent.{state}",
        obj=binding.creator,
        organization=binding.organization,
        before={"state": ConsentState.PENDING},
        after={"state": state, "scopes": consent.scopes},
    )
    # No notification per answer: after an import hundreds answer within days; the roster and
    # the waiting list show each answer (a withdrawal, which takes data away, is notified).
    return consent


@transaction.atomic
def consent_give(
    *,
    consent: BindingConsent,
    token: str,
    scopes,
    contact_mobile: str = "",
    contact_email: str = "",
) -> BindingConsent:
    """The creator agrees to the binding and shares the scopes they chose (none is a choice)."""
    chosen = _clean_scopes(scopes)
    mobile, email = _clean_contact(chosen, contact_mobile, contact_email)
    return _answer(
        consent,
        token,
        ConsentState.CONSENTED,
        **{scope: scope in chosen for scope in Scope.values},
        contact_mobile=mobile,
        contact_email=email,
    )


@transaction.atomic
def consent_decline(*, consent: BindingConsent, token: str) -> BindingConsent:
    """The creator refuses: the organization keeps seeing only their name and account id."""
    return _answer(consent, token, ConsentState.DECLINED)


@transaction.atomic
def consent_withdraw(*, actor: str, consent: BindingConsent, scopes=None) -> BindingConsent:
    """The creator stops sharing `scopes` (None: withdraws the consent altogether). Called by the
    creator's self-service page once it has checked the creator's link (`actor` names the
    creator). Withdrawing contact details erases them."""
    consent = BindingConsent.objects.select_for_update().get(pk=consent.pk)
    if consent.state != ConsentState.CONSENTED:
        raise ValidationError(_("There is no consent to withdraw."))
    before = {"state": consent.state, "scopes": consent.scopes}
    dropped = set(Scope.values) if scopes is None else _clean_scopes(scopes)
    for scope in dropped:
        setattr(consent, scope, False)
    if Scope.CONTACT in dropped:
        consent.contact_mobile = consent.contact_email = ""
    if scopes is None:
        consent.state = ConsentState.WITHDRAWN
        consent.withdrawn_at = timezone.now()
    consent.save(
        update_fields=[*Scope.values, "contact_mobile", "contact_email", "state", "withdrawn_at"]
    )
    binding = consent.binding
    audit_record(
        actor=actor,
        action="consent.withdraw",
        obj=binding.creator,
        organization=binding.organization,
        before=before,
        after={"state": consent.state, "scopes": consent.scopes},
    )
    notify(
        recipients=_admins(binding.organization),
        event="consent.withdrawn",
        organization=binding.organization,
        reason=str(binding.creator),
    )
    return consent
