"""Reads of the risk center: cases a user may see, counts by signal, why a case is open (in the
reader's language) and its evidence as the reader may see it.

An organization sees its own cases and, of their evidence, only the items about the subject itself
or belonging to it: an item naming another organization (or another organization's creator) is
left out, and only their number is said."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incentives.models import LedgerEntry

from .models import CaseEntry, CaseStatus, RiskCase, RiskRun, Signal
from .services.compute import rules_in_force


def cases_for(user, *, signal: str = "", status: str = ""):
    cases = RiskCase.objects.for_user(user).select_related("creator", "organization", "rule")
    if signal in Signal.values:
        cases = cases.filter(signal=signal)
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    return cases.order_by("-opened_at", "-id")


def counts_by_signal(user, *, status: str = CaseStatus.OPEN) -> list[dict]:
    """Cases per signal (open by default), every signal listed, for the chart."""
    cases = RiskCase.objects.for_user(user)
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    counts = dict(cases.values_list("signal").annotate(n=Count("id")).values_list("signal", "n"))
    top = max(counts.values(), default=0)
    return [
        {
            "key": value,
            "label": label,
            "value": counts.get(value, 0),
            "share": round(100 * counts.get(value, 0) / top, 1) if top else 0,
        }
        for value, label in Signal.choices
    ]


def latest_run() -> RiskRun | None:
    return RiskRun.objects.select_related("started_by").first()


def why(case: RiskCase) -> str:
    """Why the case is open, from its signal and figures, in the reader's language."""
    rule = case.rule
    figures = {"n": case.figure, "days": rule.window_days, "threshold": rule.threshold}
    texts = {
        Signal.SHARED_IDENTITY: _(
            "The same real-name identity, phone or payout account is behind %(n)s creator "
            "accounts (a case opens from %(threshold)s)."
        ),
        Signal.MULTI_CLAIM: _(
            "%(n)s organizations bound or claimed this creator within %(days)s days (a case "
            "opens from %(threshold)s)."
        ),
        Signal.TRANSFER_CHURN: _(
            "This creator was transferred %(n)s times within %(days)s days (a case opens from "
            "%(threshold)s)."
        ),
        Signal.SELF_DEALING: _(
            "%(n)s orders within %(days)s days were placed by accounts linked to the creator (a "
            "case opens from %(threshold)s)."
        ),
        Signal.PLAY_ANOMALY: _(
            "%(n)s days of abnormal plays were flagged within %(days)s days (a case opens from "
            "%(threshold)s)."
        ),
        Signal.FAILED_INTRODUCTIONS: _(
            "%(n)s creators introduced within %(days)s days did not qualify in their window (a "
            "case opens from %(threshold)s)."
        ),
    }
    return texts[case.signal] % figures


def what_to_send(case: RiskCase) -> str:
    texts = {
        Signal.SHARED_IDENTITY: _(
            "Show that the accounts belong to different people: their real-name verification "
            "or a signed statement from each creator."
        ),
        Signal.MULTI_CLAIM: _(
            "Send the creator's signed agreement with your organization and its start date."
        ),
        Signal.TRANSFER_CHURN: _(
            "Explain the transfers and send the creator's confirmation of each."
        ),
        Signal.SELF_DEALING: _(
            "Explain who placed the orders and send proof that they were genuine purchases."
        ),
        Signal.PLAY_ANOMALY: _(
            "Explain the traffic on the flagged days (a campaign, a trending video) with evidence."
        ),
        Signal.FAILED_INTRODUCTIONS: _(
            "Explain how these creators were recruited and send their signed agreements."
        ),
    }
    return texts[case.signal]


def evidence_for(user, case: RiskCase) -> tuple[list[dict], int]:
    """The evidence items the user may see, and how many were left out."""
    items = case.evidence or []
    if user.is_operator:
        return items, 0
    shown = [
        item
        for item in items
        if item.get("subject") or item.get("organization") == case.organization_id
    ]
    return shown, len(items) - len(shown)


def hidden_text(count: int) -> str:
    return ngettext(
        "%(n)s item about another party is not shown.",
        "%(n)s items about other parties are not shown.",
        count,
    ) % {"n": count}


def case_entries(case: RiskCase):
    return (
        LedgerEntry.objects.filter(pk__in=CaseEntry.objects.filter(case=case).values("entry_id"))
        .select_related("cycle__program", "creator")
        .order_by("cycle__starts_on", "pk")
    )


def open_cases_by_organization(organization_ids) -> dict[int, int]:
    """Open cases per organization (for other apps' figures, through the core's registry)."""
    return dict(
        RiskCase.objects.filter(organization_id__in=organization_ids, status=CaseStatus.OPEN)
        .values_list("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )


def forfeited_cases_by_organization(start, end):
    """Cases decided "forfeit" in the month [start, end) (Asia/Shanghai days), per organization,
    as `{"organization_id", "n"}` rows: risk's confirmed violations for growth's scorecard."""
    import datetime

    from django.utils import timezone

    def midnight(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    return (
        RiskCase.objects.filter(
            status=CaseStatus.FORFEITED,
            decided_at__gte=midnight(start),
            decided_at__lt=midnight(end),
        )
        .values("organization_id")
        .annotate(n=Count("pk"))
    )


def rules_table():
    return rules_in_force()


def organization_names(ids) -> dict[int, str]:
    from organizations.models import Organization

    return dict(Organization.objects.filter(pk__in=ids).values_list("pk", "legal_name"))


__all__ = ["Q", "cases_for", "counts_by_signal", "evidence_for", "what_to_send", "why"]
