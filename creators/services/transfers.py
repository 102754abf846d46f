"""Creators changing organizations: transfers the creator confirms, and disputes an operator
decides. Each move ends one binding and starts the next in one transaction, recorded for both
organizations."""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from creators.models import (
    Binding,
    BindingSource,
    Creator,
    Dispute,
    DisputeStatus,
    TransferRequest,
    TransferStatus,
)
from creators.services.bindings import binding_data, check_period_free
from creators.services.consent import consent_open
from organizations.models import OrgRole
from portal.accounts.models import Role, User
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core import events
from portal.core.notifications import notify

TRANSFER_VALID_DAYS = 7


def _admins(organization):
    return [
        m.user
        for m in organization.memberships.select_related("user").filter(
            role__in=[OrgRole.OWNER, OrgRole.ADMIN]
        )
    ]


def _active_binding(creator: Creator) -> Binding | None:
    return (
        Binding.objects.select_for_update()
        .filter(creator=creator, ended_on__isnull=True)
        .select_related("organization")
        .first()
    )


def _move(*, actor, creator, old: Binding, new_organization, source, reason, action) -> Binding:
    """End `old` today and bind the creator to `new_organization` from today, audited twice. The
    day `old` ends is the first day of the new binding: no day belongs to both."""
    today = timezone.localdate()
    Binding.objects.filter(pk=old.pk, ended_on__isnull=True).update(
        ended_on=today, end_reason=reason
    )
    check_period_free(creator=creator, started_on=today)
    new = Binding.objects.create(
        creator=creator,
        organization=new_organization,
        source=source,
        started_on=today,
        created_by=actor if isinstance(actor, User) else old.created_by,
    )
    # The new organization sees what the creator shares with it, asked afresh.
    consent_open(actor=actor, binding=new)
    details = {"from": old.organization_id, "to": new_organization.pk, "source": source}
    for organization in (old.organization, new_organization):
        audit_record(
            actor=actor,
            action=action,
            obj=creator,
            organization=organization,
            before={"organization": old.organization_id},
            after=details,
            reason=reason,
        )
    old.refresh_from_db()
    events.publish(
        "binding.changed",
        binding_data("transferred", new, previous=old),
        organization=new_organization,
        obj=new,
    )
    return new


# --- transfers ----------------------------------------------------------------------------------


def transfer_token(transfer: TransferRequest) -> str:
    message = f"transfer:{transfer.pk}:{transfer.salt}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:40]


def transfer_path(transfer: TransferRequest) -> str:
    return reverse("creators:transfer_confirm", args=[transfer.pk, transfer_token(transfer)])


@transaction.atomic
def transfer_request(*, actor, creator: Creator, to_organization) -> TransferRequest:
    """Ask to take over a creator bound to another organization; the creator must confirm."""
    authorize(actor, "transfer.request", to_organization)
    binding = _active_binding(creator)
    if binding is None:
        raise ValidationError(
            _("This creator is not bound to an organization: bind them directly.")
        )
    if binding.organization_id == to_organization.pk:
        raise ValidationError(_("This creator is already on your roster."))
    transfer = TransferRequest(
        creator=creator,
        from_organization=binding.organization,
        to_organization=to_organization,
        salt=secrets.token_hex(16),
        requested_by=actor,
        expires_at=timezone.now() + datetime.timedelta(days=TRANSFER_VALID_DAYS),
    )
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError as exc:
        raise ValidationError(_("A transfer of this creator is already waiting.")) from exc
    for organization in (binding.organization, to_organization):
        audit_record(
            actor=actor,
            action="transfer.request",
            obj=creator,
            organization=organization,
            after={
                "transfer": transfer.pk,
                "from": binding.organization_id,
                "to": to_organization.pk,
            },
        )
    notify(
        recipients=_admins(binding.organization),
        event="transfer.requested",
        organization=binding.organization,
        reason=str(creator),
    )
    return transfer


def transfer_check(transfer: TransferRequest, token: str) -> None:
    if not hmac.compare_digest(token, transfer_token(transfer)):
        raise ValidationError(_("This confirmation link is not valid."), code="invalid")
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError(
            _("This transfer is already closed: %(status)s.")
            % {"status": transfer.get_status_display()},
            code="closed",
        )
    if transfer.is_expired:
        raise ValidationError(_("This confirmation link has expired."), code="expired")


def _close(transfer: TransferRequest, status: str) -> None:
    closed = TransferRequest.objects.filter(
        pk=transfer.pk, status=TransferStatus.PENDING, expires_at__gt=timezone.now()
    ).update(status=status, decided_at=timezone.now())
    if not closed:
        raise ValidationError(_("This transfer is already closed."), code="closed")


@transaction.atomic
def transfer_confirm(*, transfer: TransferRequest, token: str) -> Binding:
    """The creator agrees: the move happens now. Works once."""
    transfer_check(transfer, token)
    _close(transfer, TransferStatus.CONFIRMED)
    binding = _active_binding(transfer.creator)
    if binding is None or binding.organization_id != transfer.from_organization_id:
        raise ValidationError(_("The creator's binding changed since the request; ask again."))
    actor = f"creator:{transfer.creator.platform_account_id}"
    new = _move(
        actor=actor,
        creator=transfer.creator,
        old=binding,
        new_organization=transfer.to_organization,
        source=BindingSource.TRANSFERRED,
        reason=_("Transferred to %(organization)s with the creator's confirmation.")
        % {"organization": transfer.to_organization.legal_name},
        action="binding.transfer",
    )
    for organization in (transfer.from_organization, transfer.to_organization):
        notify(
            recipients=_admins(organization),
            event="transfer.confirmed",
            organization=organization,
            reason=str(transfer.creator),
        )
    return new


@transaction.atomic
def transfer_decline(*, transfer: TransferRequest, token: str) -> TransferRequest:
    transfer_check(transfer, token)
    _close(transfer, TransferStatus.DECLINED)
    audit_record(
        actor=f"creator:{transfer.creator.platform_account_id}",
        action="transfer.decline",
        obj=transfer.creator,
        organization=transfer.to_organization,
        after={"transfer": transfer.pk},
    )
    notify(
        recipients=_admins(transfer.to_organization),
        event="transfer.declined",
        organization=transfer.to_organization,
        reason=str(transfer.creator),
    )
    transfer.refresh_from_db()
    return transfer


@transaction.atomic
def transfer_cancel(*, actor, transfer: TransferRequest) -> TransferRequest:
    authorize(actor, "transfer.request", transfer.to_organization)
    _close(transfer, TransferStatus.CANCELLED)
    audit_record(
        actor=actor,
        action="transfer.cancel",
        obj=transfer.creator,
        organization=transfer.to_organization,
        after={"transfer": transfer.pk},
    )
    transfer.refresh_from_db()
    return transfer


# --- disputes -----------------------------------------------------------------------------------


@transaction.atomic
def dispute_open(
    *,
    actor,
    creator: Creator,
    claimant,
    statement: str,
    claimed_source: str = BindingSource.RECRUITED,
) -> Dispute:
    """Claim a creator another organization holds; an operator will decide."""
    authorize(actor, "dispute.open", claimant)
    statement = statement.strip()
    if len(statement) < 10:
        raise ValidationError(
            {"statement": _("Explain in a few sentences why the creator belongs to you.")}
        )
    if claimed_source not in BindingSource.values:
        raise ValidationError({"claimed_source": _("Choose recruited or transferred.")})
    binding = _active_binding(creator)
    if binding is None or binding.organization_id == claimant.pk:
        raise ValidationError(_("Only a creator bound to another organization can be disputed."))
    dispute = Dispute(
        creator=creator,
        holder=binding.organization,
        claimant=claimant,
        claimed_source=claimed_source,
        statement=statement,
        opened_by=actor,
    )
    try:
        with transaction.atomic():
            dispute.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("Your organization already has an open dispute for this creator.")
        ) from exc
    for organization in (binding.organization, claimant):
        audit_record(
            actor=actor,
            action="dispute.open",
            obj=creator,
            organization=organization,
            after={
                "dispute": dispute.pk,
                "holder": binding.organization_id,
                "claimant": claimant.pk,
            },
            reason=statement,
        )
    operators = User.objects.filter(role=Role.OPERATOR, is_active=True)
    notify(
        recipients=[*_admins(binding.organization), *operators],
        event="dispute.opened",
        organization=binding.organization,
        reason=str(creator),
    )
    return dispute


@transaction.atomic
def dispute_resolve(*, actor, dispute: Dispute, award_to_claimant: bool, reason: str) -> Dispute:
    """Decide a dispute: the creator stays, or moves to the claimant from today."""
    authorize(actor, "dispute.resolve", dispute)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason for the decision; both sides read it.")}
        )
    status = DisputeStatus.AWARDED if award_to_claimant else DisputeStatus.KEPT
    decided = Dispute.objects.filter(pk=dispute.pk, status=DisputeStatus.OPEN).update(
        status=status, resolution=reason, resolved_by=actor, resolved_at=timezone.now()
    )
    if not decided:
        raise ValidationError(_("This dispute has already been decided."))
    if award_to_claimant:
        binding = _active_binding(dispute.creator)
        if binding is None or binding.organization_id != dispute.holder_id:
            raise ValidationError(_("The creator's binding changed since the dispute was opened."))
        _move(
            actor=actor,
            creator=dispute.creator,
            old=binding,
            new_organization=dispute.claimant,
            source=dispute.claimed_source,
            reason=reason,
            action="dispute.resolve",
        )
    else:
        for organization in (dispute.holder, dispute.claimant):
            audit_record(
                actor=actor,
                action="dispute.resolve",
                obj=dispute.creator,
                organization=organization,
                after={"dispute": dispute.pk, "status": status},
                reason=reason,
            )
    for organization in (dispute.holder, dispute.claimant):
        notify(
            recipients=_admins(organization),
            event="dispute.resolved",
            organization=organization,
            reason=reason,
        )
    dispute.refresh_from_db()
    return dispute
