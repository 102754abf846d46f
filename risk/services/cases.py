"""Deciding a case: an operator releases or forfeits what it holds, with a reason; an undecided
case takes its rule's default once it expires; the organization sends a statement and documents.

The entries' holds are the holds service's: a release ends this case's risk hold on each entry
(unless another open case still holds the entry), a forfeit forfeits each held entry.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives.models import Hold, HoldReason, LedgerEntry, PaymentStatus
from incentives.services.holds import entry_forfeit, hold_release
from portal.accounts.permissions import SYSTEM, authorize
from portal.audit.services import audit_record
from portal.core.uploads import clean_document

from ..models import CaseEntry, CaseStatement, CaseStatus, Decision, RiskCase

MAX_NOTE = 2000
MAX_STATEMENT = 5000


def _lock_open(case: RiskCase) -> RiskCase:
    case = RiskCase.objects.select_for_update().select_related("rule").get(pk=case.pk)
    if case.status != CaseStatus.OPEN:
        raise ValidationError(_("This case was already decided."))
    return case


def _decide(case: RiskCase, *, actor, decision: str, note: str, expired: bool) -> dict:
    held = list(
        LedgerEntry.objects.filter(
            pk__in=CaseEntry.objects.filter(case=case).values("entry_id"),
            payment_status=PaymentStatus.HELD,
        ).order_by("pk")
    )
    done = 0
    if decision == Decision.FORFEIT:
        for entry in held:
            entry_forfeit(actor=actor, entry=entry, note=note)
            done += 1
    else:
        still_held = set(
            CaseEntry.objects.filter(entry__in=held, case__status=CaseStatus.OPEN)
            .exclude(case=case)
            .values_list("entry_id", flat=True)
        )
        for hold in Hold.objects.filter(
            entry__in=[e.pk for e in held if e.pk not in still_held],
            reason=HoldReason.RISK,
            released_at__isnull=True,
        ).order_by("entry_id"):
            hold_release(actor=actor, hold=hold, note=note)
            done += 1
    status = CaseStatus.FORFEITED if decision == Decision.FORFEIT else CaseStatus.RELEASED
    RiskCase.objects.filter(pk=case.pk).update(
        status=status,
        decided_at=timezone.now(),
        decided_by=None if actor is SYSTEM else actor,
        decision_note=note,
        expired=expired,
    )
    audit_record(
        actor=actor,
        action="risk.expire" if expired else "risk.decide",
        obj=case,
        organization=case.organization,
        before={"status": CaseStatus.OPEN},
        after={"status": status, "signal": case.signal, "entries": done},
        reason=note,
    )
    return {"status": status, "entries": done}


@transaction.atomic
def case_decide(*, actor, case: RiskCase, decision: str, note: str) -> RiskCase:
    """An operator's decision: release or forfeit what the case holds, with a reason the
    organization reads."""
    authorize(actor, "risk.decide")
    note = (note or "").strip()
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose release or forfeit.")})
    if not note:
        raise ValidationError({"note": _("Say why; the organization reads it.")})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("Keep the reason under 2,000 characters.")})
    case = _lock_open(case)
    _decide(case, actor=actor, decision=decision, note=note, expired=False)
    case.refresh_from_db()
    return case


def cases_expire(*, actor=SYSTEM, today: datetime.date | None = None) -> int:
    """Every open case past its day takes its rule's default decision (nightly; a case decided
    meanwhile is skipped, so running twice changes nothing). One transaction per case."""
    authorize(actor, "risk.decide")
    today = today or timezone.localdate()
    due = list(
        RiskCase.objects.filter(status=CaseStatus.OPEN, expires_on__lte=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    decided = 0
    for pk in due:
        with transaction.atomic():
            case = RiskCase.objects.select_for_update().select_related("rule").get(pk=pk)
            if case.status != CaseStatus.OPEN or case.expires_on > today:
                continue
            note = _(
                "Not decided within %(days)s days: the rule's default applies (%(decision)s)."
            ) % {
                "days": case.rule.expiry_days,
                "decision": Decision(case.rule.default_decision).label,
            }
            _decide(case, actor=actor, decision=case.rule.default_decision, note=note, expired=True)
            decided += 1
    return decided


@transaction.atomic
def case_statement_send(*, actor, case: RiskCase, text: str, document=None) -> CaseStatement:
    """The organization's statement for an open case of its own, with an optional document
    (PDF or image, cleaned: images re-encoded, active PDFs refused)."""
    authorize(actor, "risk.respond", case)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your statement.")})
    if len(text) > MAX_STATEMENT:
        raise ValidationError({"text": _("Keep the statement under 5,000 characters.")})
    case = _lock_open(case)
    statement = CaseStatement(case=case, text=text, submitted_by=actor)
    if document:
        try:
            clean = clean_document(document)
        except ValidationError as error:
            raise ValidationError({"document": error.messages}) from error
        statement.document.save(
            f"case-{case.pk}.{clean.extension}", ContentFile(clean.content), save=False
        )
        statement.document_type = clean.content_type
    statement.save()
    audit_record(
        actor=actor,
        action="risk.statement",
        obj=case,
        organization=case.organization,
        after={"statement": statement.pk, "document": bool(document)},
    )
    return statement
