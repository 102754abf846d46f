"""An organization's one appeal of its suspension, and the operator's decision on it.

The organization appeals once (the database keeps one appeal per suspension), before the deadline
its suspension got, with a statement and documents (PDF or images through the upload cleaner, as
invoices are). An operator decides:

- reinstate: the lifecycle's reinstatement, which ends the suspension and (through the events
  hub) releases the payouts the suspension held, and only those holds;
- keep suspended: nothing else changes, the payouts stay held;
- forfeit: the organization stays suspended and the payouts the suspension holds are forfeited by
  the ledger's service (incentives listens to "organization.suspension_forfeited"), each with the
  decision's reason as its explanation.

Every step is audited and told to the organization's owners and admins and to the operators.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from organizations.models import (
    MAX_APPEAL_DOCUMENTS,
    AppealDecision,
    AppealDocument,
    Organization,
    OrganizationStatus,
    OrgRole,
    Suspension,
    SuspensionAppeal,
)
from portal.accounts.models import Role
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core import events
from portal.core.notifications import notify
from portal.core.uploads import clean_document

from .lifecycle import organization_transition

MAX_STATEMENT = 5000
MAX_NOTE = 2000


def _people(organization: Organization):
    return [
        m.user
        for m in organization.memberships.select_related("user").filter(
            role__in=[OrgRole.OWNER, OrgRole.ADMIN]
        )
    ]


def _operators():
    return get_user_model().objects.filter(role=Role.OPERATOR, is_active=True)


def _clean_documents(documents) -> list:
    documents = [d for d in documents or () if d]
    if len(documents) > MAX_APPEAL_DOCUMENTS:
        raise ValidationError(
            {"documents": _("Send at most %(n)s documents.") % {"n": MAX_APPEAL_DOCUMENTS}}
        )
    cleaned = []
    for document in documents:
        try:
            cleaned.append(clean_document(document))
        except ValidationError as error:
            name = getattr(document, "name", "") or _("a document")
            raise ValidationError(
                {"documents": [f"{name}: {message}" for message in error.messages]}
            ) from error
    return cleaned


@transaction.atomic
def appeal_submit(
    *, actor, organization: Organization, statement: str, documents=()
) -> SuspensionAppeal:
    """The organization's one appeal of its current suspension, before its deadline."""
    authorize(actor, "organization.appeal", organization)
    statement = (statement or "").strip()
    if not statement:
        raise ValidationError({"statement": _("Say why the suspension should be lifted.")})
    if len(statement) > MAX_STATEMENT:
        raise ValidationError({"statement": _("Keep the statement under 5,000 characters.")})
    suspension = (
        Suspension.objects.select_for_update()
        .filter(organization=organization, ended_at__isnull=True)
        .first()
    )
    if suspension is None:
        raise ValidationError(_("This organization is not suspended."), code="not_suspended")
    if SuspensionAppeal.objects.filter(suspension=suspension).exists():
        raise ValidationError(
            _("This suspension has already been appealed; an appeal is sent once."),
            code="already_appealed",
        )
    if timezone.localdate() > suspension.appeal_until:
        raise ValidationError(
            _("The window to appeal closed on %(day)s.")
            % {"day": date_format(suspension.appeal_until, "Y-m-d")},
            code="appeal_late",
        )
    cleaned = _clean_documents(documents)
    try:
        with transaction.atomic():
            appeal = SuspensionAppeal.objects.create(
                suspension=suspension,
                statement=statement,
                submitted_at=timezone.now(),
                submitted_by=actor,
            )
    except IntegrityError as error:  # a second appeal sent at the same moment
        raise ValidationError(
            _("This suspension has already been appealed; an appeal is sent once."),
            code="already_appealed",
        ) from error
    for number, clean in enumerate(cleaned, start=1):
        document = AppealDocument(appeal=appeal, content_type=clean.content_type)
        document.file.save(
            f"appeal-{appeal.pk}-{number}.{clean.extension}", ContentFile(clean.content), save=False
        )
        document.save()
    audit_record(
        actor=actor,
        action="organization.appeal",
        obj=appeal,
        organization=organization,
        after={"suspension": suspension.pk, "documents": len(cleaned)},
        reason=statement[:500],
    )
    notify(
        recipients=_people(organization),
        event="appeal.sent",
        organization=organization,
        link=reverse("organizations:suspension"),
    )
    notify(
        recipients=_operators(),
        event="appeal.waiting",
        organization=organization,
        link=reverse("organizations:appeal", args=[appeal.pk]),
    )
    return appeal


@transaction.atomic
def appeal_decide(*, actor, appeal: SuspensionAppeal, decision: str, note: str) -> SuspensionAppeal:
    """An operator's decision on an appeal, with a reason the organization reads."""
    authorize(actor, "organization.appeals")
    note = (note or "").strip()
    if decision not in AppealDecision.values:
        raise ValidationError({"decision": _("Choose reinstate, keep suspended or forfeit.")})
    if not note:
        raise ValidationError({"note": _("Give a reason; the organization will read it.")})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("Keep the reason under 2,000 characters.")})
    appeal = (
        SuspensionAppeal.objects.select_for_update()
        .select_related("suspension__organization")
        .get(pk=appeal.pk)
    )
    suspension = appeal.suspension
    organization = suspension.organization
    if appeal.decision:
        raise ValidationError(_("This appeal was already decided."), code="decided")
    if suspension.ended_at is not None or organization.status != OrganizationStatus.SUSPENDED:
        raise ValidationError(_("This suspension has already ended."), code="ended")
    now = timezone.now()
    SuspensionAppeal.objects.filter(pk=appeal.pk, decision="").update(
        decision=decision, decision_note=note, decided_at=now, decided_by=actor
    )
    audit_record(
        actor=actor,
        action="organization.appeal_decide",
        obj=appeal,
        organization=organization,
        before={"decision": ""},
        after={"decision": decision},
        reason=note,
    )
    if decision == AppealDecision.REINSTATE:
        # The lifecycle ends the suspension and publishes the reinstatement: the holds go.
        organization_transition(
            actor=actor, organization=organization, transition="reinstate", reason=note
        )
    elif decision == AppealDecision.FORFEIT:
        events.publish(
            "organization.suspension_forfeited",
            {"organization": {"id": organization.pk}, "note": note},
            organization=organization,
            obj=appeal,
            actor=actor,
        )
    notify(
        recipients=_people(organization),
        event="appeal.decided",
        organization=organization,
        reason=note,
        link=reverse("organizations:suspension"),
    )
    notify(
        recipients=_operators(),
        event="appeal.decided",
        organization=organization,
        reason=note,
        link=reverse("organizations:appeal", args=[appeal.pk]),
    )
    appeal.refresh_from_db()
    return appeal
