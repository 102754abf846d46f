"""Computing the signals: each enabled rule's statement over whole tables, the cases it opens or
updates (never a second open case for a subject: the database's unique index decides), the entries
each case holds, and the holds placed through the holds service. One transaction per signal, so
the run's progress is visible while it works and a failure leaves the signals before it done."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from creators.models import QualificationRule
from incentives.models import HoldReason
from incentives.services.holds import hold_place
from organizations.models import Membership, OrgRole
from portal.accounts.models import Role, User
from portal.accounts.permissions import SYSTEM, authorize
from portal.audit.services import audit_record
from portal.core.notifications import notify, notify_many
from portal.core.queue import enqueue

from ..models import RiskRule, RiskRuleSet, RiskRun, RunStatus, Signal
from ..signals import LINK_CREATOR_ENTRIES, LINK_ORGANIZATION_ENTRIES, QUERIES, UPSERT_CASES

logger = logging.getLogger(__name__)


def signals_available() -> bool:
    """The signals' statements are PostgreSQL's (lateral joins, JSON aggregates, upserts with a
    partial unique index): the embedded SQLite of `make run` records partner data and shows cases
    but cannot compute them."""
    return connection.vendor == "postgresql"


UNAVAILABLE = gettext_lazy(
    "The risk signals are computed on PostgreSQL; this portal runs on its embedded database "
    "(set DATABASE_URL to a PostgreSQL database to compute them)."
)


def rules_in_force() -> list[RiskRule]:
    rule_set = RiskRuleSet.objects.order_by("-number").first()
    if rule_set is None:
        return []
    return list(rule_set.rules.order_by("signal"))


def signal_parameters(rule: RiskRule, today: datetime.date) -> dict | None:
    """The statement's parameters; None when the signal cannot run (no qualification rule)."""
    params = {
        "today": today,
        "since": today - datetime.timedelta(days=rule.window_days - 1),
        "threshold": rule.threshold,
    }
    if rule.signal == Signal.FAILED_INTRODUCTIONS:
        qualification = QualificationRule.objects.in_force(today)
        if qualification is None:
            return None
        params |= {
            "rule_days": qualification.window_days,
            "last_start": today - datetime.timedelta(days=qualification.window_days),
            "min_plays": qualification.min_valid_plays,
            "min_videos": qualification.min_original_videos,
        }
    return params


def flagged_rows(rule: RiskRule, today: datetime.date) -> list[tuple]:
    """What the signal finds today, without opening anything (the reference test reads it)."""
    params = signal_parameters(rule, today)
    if params is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(QUERIES[rule.signal], params)
        return cursor.fetchall()


@transaction.atomic
def signal_apply(*, actor, rule: RiskRule, today: datetime.date) -> dict:
    """Open or update the cases of one signal and hold their entries. Returns the counts."""
    authorize(actor, "risk.compute")
    params = signal_parameters(rule, today)
    if params is None:
        return {"opened": 0, "updated": 0, "held": 0}
    now = timezone.now()
    params |= {
        "signal": rule.signal,
        "rule": rule.pk,
        "now": now,
        "expires_on": today + datetime.timedelta(days=rule.expiry_days),
    }
    with connection.cursor() as cursor:
        cursor.execute(UPSERT_CASES.format(query=QUERIES[rule.signal]), params)
        upserted = cursor.fetchall()
        flags = [opened for opened, _organization in upserted]
        linked = []
        for statement in (LINK_CREATOR_ENTRIES, LINK_ORGANIZATION_ENTRIES):
            cursor.execute(statement, {"signal": rule.signal})
            linked.extend(row[0] for row in cursor.fetchall())
    held = []
    if linked:
        held = hold_place(
            actor=SYSTEM,
            entries=sorted(set(linked)),
            reason=HoldReason.RISK,
            note=_("A risk review is open; the case page says why and what may be sent."),
        )
    counts = {"opened": sum(flags), "updated": len(flags) - sum(flags), "held": len(held)}
    opened_for = {organization for opened, organization in upserted if opened}
    if opened_for:
        _notify_opened(rule.signal, opened_for)
    if flags:
        audit_record(
            actor=actor,
            action="risk.signal",
            obj=None,
            after={"signal": rule.signal, "version": rule.rule_set.number, **counts},
        )
    return counts


def _notify_opened(signal: str, organizations: set[int]) -> None:
    """Tell each organization with a new case that a review is open and what it may send (the
    message names no evidence: the case page shows the organization its own part only), and each
    operator once per signal that new cases wait in the risk center. Set-based: one INSERT
    whatever the number of cases."""
    people = Membership.objects.filter(
        organization_id__in=organizations, role__in=[OrgRole.OWNER, OrgRole.ADMIN]
    ).values_list("user_id", "organization_id")
    notify_many(pairs=people, event="risk.case_opened", link=reverse("risk:my_cases"))
    operators = User.objects.filter(role=Role.OPERATOR, is_active=True)
    notify(
        recipients=operators,
        event="risk.cases_opened",
        link=reverse("risk:center") + f"?signal={signal}",
    )


def risk_run_start(*, actor) -> RiskRun:
    """An operator's button: one run at a time (a run queued or running is returned)."""
    authorize(actor, "risk.compute")
    if not signals_available():
        raise ValidationError(UNAVAILABLE)
    with transaction.atomic():
        busy = (
            RiskRun.objects.select_for_update()
            .filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
            .first()
        )
        if busy is not None:
            return busy
        run = RiskRun.objects.create(
            started_by=None if actor is SYSTEM else actor, signals_total=len(Signal.values)
        )
        audit_record(actor=actor, action="risk.run", obj=None, after={"run": run.pk})
        enqueue("risk.tasks.compute_signals", run_id=run.pk)
    return run


def risk_signals_compute(*, actor=SYSTEM, run: RiskRun | None = None, today=None) -> dict:
    """Every enabled signal in turn (nightly, or the run an operator started). Safe to run again:
    open cases are updated, entries already held stay held once."""
    authorize(actor, "risk.compute")
    if not signals_available():
        logger.warning("Risk signals not computed: %s", UNAVAILABLE)
        return {}
    today = today or timezone.localdate()
    rules = [rule for rule in rules_in_force() if rule.enabled]
    if run is None:
        run = RiskRun.objects.create(started_by=None if actor is SYSTEM else actor)
    RiskRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, signals_total=len(rules), signals_done=0
    )
    summary = {}
    try:
        for done, rule in enumerate(rules, start=1):
            summary[rule.signal] = signal_apply(actor=actor, rule=rule, today=today)
            RiskRun.objects.filter(pk=run.pk).update(signals_done=done, summary=summary)
    except Exception as error:
        RiskRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, failure=str(error)[:500], finished_at=timezone.now()
        )
        raise
    RiskRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, summary=summary, finished_at=timezone.now()
    )
    return summary


__all__ = [
    "flagged_rows",
    "risk_run_start",
    "risk_signals_compute",
    "signal_apply",
    "signals_available",
]
