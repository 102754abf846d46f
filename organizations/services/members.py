"""The people of an organization: members, their roles, and invitations to join."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from organizations.models import Invitation, Membership, Organization, OrgRole
from portal.accounts.models import Role
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core.notifications import absolute_url, notify
from portal.core.queue import enqueue


def invitation_token(invitation: Invitation) -> str:
    """The secret part of an invitation link (an HMAC under SECRET_KEY, never stored)."""
    message = f"invitation:{invitation.pk}:{invitation.salt}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:40]


def invitation_path(invitation: Invitation) -> str:
    return reverse("invitation_accept", args=[invitation.pk, invitation_token(invitation)])


def _owners_left(organization: Organization) -> int:
    # Lock the owners' rows so two owners demoting each other cannot both succeed.
    return len(
        Membership.objects.select_for_update()
        .filter(organization=organization, role=OrgRole.OWNER)
        .values_list("pk", flat=True)
    )


def _create_membership(*, actor, organization, user, role) -> Membership:
    if user.role != Role.ORGANIZATION:
        raise ValidationError({"email": _("Platform staff cannot join an organization.")})
    if Membership.objects.filter(user=user).exists():
        raise ValidationError({"email": _("This person already belongs to an organization.")})
    membership = Membership(user=user, organization=organization, role=role)
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        action="membership.add",
        obj=membership,
        organization=organization,
        after={"user": user.pk, "role": role},
    )
    return membership


@transaction.atomic
def membership_add(*, actor, organization: Organization, user, role: str) -> Membership:
    """Attach an existing organization account (operators; the invitation flow is the usual way)."""
    authorize(actor, "membership.manage", organization)
    if role == OrgRole.OWNER:
        authorize(actor, "membership.ownership", organization)
    return _create_membership(actor=actor, organization=organization, user=user, role=role)


@transaction.atomic
def membership_change_role(*, actor, membership: Membership, role: str) -> Membership:
    organization = membership.organization
    authorize(actor, "membership.manage", organization)
    if role not in OrgRole.values:
        raise ValidationError({"role": _("Choose owner, admin or member.")})
    membership.refresh_from_db()
    if membership.role == role:
        return membership
    if OrgRole.OWNER in (role, membership.role):
        authorize(actor, "membership.ownership", organization)
    if membership.role == OrgRole.OWNER and _owners_left(organization) <= 1:
        raise ValidationError(
            _("An organization needs at least one owner. Make someone else owner first.")
        )
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        actor=actor,
        action="membership.role",
        obj=membership,
        organization=organization,
        before={"role": before},
        after={"role": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    organization = membership.organization
    authorize(actor, "membership.manage", organization)
    if membership.role == OrgRole.OWNER:
        authorize(actor, "membership.ownership", organization)
    if membership.role == OrgRole.OWNER and _owners_left(organization) <= 1:
        raise ValidationError(_("The last owner cannot be removed."))
    audit_record(
        actor=actor,
        action="membership.remove",
        obj=membership,
        organization=organization,
        before={"user": membership.user_id, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def invitation_create(*, actor, organization: Organization, email: str, role: str) -> Invitation:
    """Invite an address to join; an earlier open invitation to it is replaced."""
    authorize(actor, "membership.manage", organization)
    email = email.strip().lower()
    if role not in OrgRole.values:
        raise ValidationError({"role": _("Choose owner, admin or member.")})
    if role == OrgRole.OWNER:
        authorize(actor, "membership.ownership", organization)
    if Membership.objects.filter(organization=organization, user__email=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    now = timezone.now()
    Invitation.objects.pending().filter(organization=organization, email=email).update(
        revoked_at=now
    )
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        salt=secrets.token_hex(16),
        created_by=actor,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError as exc:
        raise ValidationError({"email": _("This address already has an open invitation.")}) from exc
    audit_record(
        actor=actor,
        action="invitation.create",
        obj=invitation,
        organization=organization,
        after={"email": email, "role": role, "expires_at": invitation.expires_at},
    )
    enqueue("organizations.tasks.send_invitation_email", invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    authorize(actor, "membership.manage", invitation.organization)
    if invitation.role == OrgRole.OWNER:
        authorize(actor, "membership.ownership", invitation.organization)
    updated = (
        Invitation.objects.pending().filter(pk=invitation.pk).update(revoked_at=timezone.now())
    )
    if not updated:
        raise ValidationError(_("This invitation was already used or withdrawn."))
    audit_record(
        actor=actor,
        action="invitation.revoke",
        obj=invitation,
        organization=invitation.organization,
        before={"email": invitation.email},
    )
    invitation.refresh_from_db()
    return invitation


def invitation_check(invitation: Invitation, token: str) -> None:
    """Refuse a wrong, used, withdrawn or expired link, saying which."""
    if not hmac.compare_digest(token, invitation_token(invitation)):
        raise ValidationError(_("This invitation link is not valid."), code="invalid")
    if invitation.accepted_at:
        raise ValidationError(_("This invitation has already been used."), code="used")
    if invitation.revoked_at:
        raise ValidationError(_("This invitation was withdrawn."), code="revoked")
    if invitation.is_expired:
        raise ValidationError(_("This invitation has expired. Ask for a new one."), code="expired")
    if not invitation.organization.is_active:
        raise ValidationError(
            _("The organization cannot take new members at the moment."), code="inactive"
        )


@transaction.atomic
def invitation_accept(*, user, invitation: Invitation, token: str) -> Membership:
    """Join the organization with the invitation's role. The link proves the address, so the
    account's email counts as verified. Works once, also when clicked twice at the same moment."""
    invitation_check(invitation, token)
    if user.email.lower() != invitation.email:
        raise ValidationError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email},
            code="wrong_account",
        )
    now = timezone.now()
    claimed = (
        Invitation.objects.pending()
        .filter(pk=invitation.pk, expires_at__gt=now)
        .update(accepted_at=now, accepted_by=user)
    )
    if not claimed:
        raise ValidationError(_("This invitation has already been used."), code="used")
    if user.email_verified_at is None:
        type(user).objects.filter(pk=user.pk).update(email_verified_at=now)
        user.email_verified_at = now
    membership = _create_membership(
        actor=user, organization=invitation.organization, user=user, role=invitation.role
    )
    audit_record(
        actor=user,
        action="invitation.accept",
        obj=invitation,
        organization=invitation.organization,
        after={"role": invitation.role},
    )
    admins = [
        m.user
        for m in invitation.organization.memberships.select_related("user").filter(
            role__in=[OrgRole.OWNER, OrgRole.ADMIN]
        )
        if m.user_id != user.pk
    ]
    notify(
        recipients=admins,
        event="invitation.accepted",
        organization=invitation.organization,
        link=reverse("organizations:members", args=[invitation.organization_id]),
    )
    return membership


@transaction.atomic
def invitation_accept_with_sign_up(
    *, invitation: Invitation, token: str, full_name: str, password: str, phone: str, language: str
):
    """Someone without an account accepts: the account is made and joins in one step."""
    from portal.accounts.services import account_sign_up

    invitation_check(invitation, token)
    user = account_sign_up(
        email=invitation.email,
        full_name=full_name,
        password=password,
        phone=phone,
        language=language,
    )
    invitation_accept(user=user, invitation=invitation, token=token)
    return user


def invitation_email_send(*, invitation: Invitation) -> None:
    """Email an invitation link in the inviter's language (the invitee has no account yet)."""
    with translation.override(invitation.created_by.language):
        context = {"invitation": invitation, "url": absolute_url(invitation_path(invitation))}
        subject = render_to_string("organizations/invitation_subject.txt", context).strip()
        body = render_to_string("organizations/invitation_email.txt", context)
    send_mail(subject, body, None, [invitation.email])
