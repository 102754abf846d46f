"""The risk center: signals that something about a payout is not what it seems, and the cases they
open.

The signals are rule data (`RiskRuleSet`, versioned: an operator edits by publishing a new
version; the latest is in force), computed set-based over whole tables every night and on demand
(`risk.services.signals`). Each signal found opens one case per subject (a creator with an
organization, or an organization alone) and keeps it up to date while it is open; the case holds
the subject's unpaid ledger entries through the holds service (reason "risk review") until an
operator releases or forfeits them, or the rule's default decides once the case expires.

What partners send for the signals is stored here: a keyed hash of each creator's real-name
identity, phone and payout account (re-keyed with the portal's own key: never a clear value), and
the orders placed by accounts linked to the creator (self-dealing), per creator and day.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.core.money import MoneyField
from portal.core.scoping import ScopedQuerySet

MAX_WINDOW_DAYS = 365
MAX_EXPIRY_DAYS = 180
MAX_THRESHOLD = 1_000_000


class Signal(models.TextChoices):
    SHARED_IDENTITY = "shared_identity", _("One identity behind several accounts")
    MULTI_CLAIM = "multi_claim", _("Claimed by several organizations")
    TRANSFER_CHURN = "transfer_churn", _("Rapid transfers back and forth")
    SELF_DEALING = "self_dealing", _("Orders from linked accounts")
    PLAY_ANOMALY = "play_anomaly", _("Abnormal plays")
    FAILED_INTRODUCTIONS = "failed_introductions", _("Surge of introduced creators that fail")


class Decision(models.TextChoices):
    RELEASE = "release", _("Release the held entries")
    FORFEIT = "forfeit", _("Forfeit the held entries")


class RiskRuleSet(models.Model):
    """One version of the signal rules. The newest is in force; older ones stay, so every case
    names the rule it was opened under."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("published"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("risk rule version")
        verbose_name_plural = _("risk rule versions")

    def __str__(self):
        return f"v{self.number}"


class RiskRule(models.Model):
    """One signal of a version: whether it is on, its window and threshold, and what an undecided
    case comes to after `expiry_days`."""

    rule_set = models.ForeignKey(RiskRuleSet, on_delete=models.CASCADE, related_name="rules")
    signal = models.CharField(_("signal"), max_length=24, choices=Signal.choices)
    enabled = models.BooleanField(_("on"), default=True)
    window_days = models.PositiveSmallIntegerField(
        _("window in days"), help_text=_("How far back the signal looks.")
    )
    threshold = models.PositiveIntegerField(
        _("threshold"), help_text=_("The count from which the signal opens a case.")
    )
    expiry_days = models.PositiveSmallIntegerField(
        _("decide within days"), help_text=_("An undecided case then takes the default decision.")
    )
    default_decision = models.CharField(
        _("default decision"), max_length=8, choices=Decision.choices
    )

    class Meta:
        ordering = ["rule_set", "signal"]
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "signal"],
                name="risk_rule_one_per_signal",
                violation_error_message=_("This version already has a rule for this signal."),
            ),
            models.CheckConstraint(
                condition=Q(window_days__gte=1, window_days__lte=MAX_WINDOW_DAYS),
                name="risk_rule_window_range",
                violation_error_message=_("A window is 1 to 365 days."),
            ),
            models.CheckConstraint(
                condition=Q(threshold__gte=1, threshold__lte=MAX_THRESHOLD),
                name="risk_rule_threshold_range",
                violation_error_message=_("A threshold is 1 to 1,000,000."),
            ),
            models.CheckConstraint(
                condition=Q(expiry_days__gte=1, expiry_days__lte=MAX_EXPIRY_DAYS),
                name="risk_rule_expiry_range",
                violation_error_message=_("A case is decided within 1 to 180 days."),
            ),
        ]

    def __str__(self):
        return f"{self.rule_set} {self.signal}"


class IdentityHash(models.Model):
    """The partner's keyed hashes of a creator's real-name identity, phone and payout account,
    re-keyed with the portal's key (HMAC-SHA256): equal values stay equal, nothing is in clear,
    and a leaked table cannot be matched against the partner's hashes."""

    creator = models.OneToOneField(
        "creators.Creator", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    identity = models.CharField(_("real-name identity (hash)"), max_length=64, blank=True)
    phone = models.CharField(_("phone (hash)"), max_length=64, blank=True)
    account = models.CharField(_("payout account (hash)"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received"))

    class Meta:
        verbose_name = _("identity hash")
        verbose_name_plural = _("identity hashes")
        indexes = [
            models.Index(fields=["identity"], condition=~Q(identity=""), name="risk_identity_idx"),
            models.Index(fields=["phone"], condition=~Q(phone=""), name="risk_phone_idx"),
            models.Index(fields=["account"], condition=~Q(account=""), name="risk_account_idx"),
        ]

    def __str__(self):
        return str(self.creator_id)


class LinkedOrders(models.Model):
    """Orders of one day on a creator's products placed by accounts the partner links to the
    creator (the same identity, device or payment), as running totals."""

    creator = models.ForeignKey("creators.Creator", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    orders = models.PositiveIntegerField(_("linked orders"))
    gmv = MoneyField(_("linked GMV"))
    received_at = models.DateTimeField(_("received"))

    class Meta:
        ordering = ["creator", "day"]
        verbose_name = _("linked orders")
        verbose_name_plural = _("linked orders")
        constraints = [
            models.UniqueConstraint(fields=["creator", "day"], name="risk_linked_orders_once"),
        ]
        indexes = [models.Index(fields=["day"], name="risk_linked_orders_day_idx")]

    def __str__(self):
        return f"{self.creator_id} {self.day}"


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RELEASED = "released", _("Released")
    FORFEITED = "forfeited", _("Forfeited")


class RiskCaseQuerySet(ScopedQuerySet):
    """Operators see every case; an organization its own (never another party's evidence: the
    selectors filter it); managers and partners none."""

    def for_organization_member(self, user):
        return self.filter(organization__memberships__user=user)


class RiskCase(models.Model):
    """A signal about one subject, the entries it holds and the decision that ends it. The
    signal's nightly runs update an open case (its evidence, new entries) and never open a second
    one for the same subject."""

    signal = models.CharField(_("signal"), max_length=24, choices=Signal.choices)
    rule = models.ForeignKey(RiskRule, on_delete=models.PROTECT, related_name="cases")
    creator = models.ForeignKey(
        "creators.Creator", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    figure = models.BigIntegerField(_("count found"))
    evidence = models.JSONField(_("evidence"), default=list)
    opened_at = models.DateTimeField(_("opened"))
    updated_at = models.DateTimeField(_("last found"))
    expires_on = models.DateField(_("decided by default on"))
    entries = models.ManyToManyField(
        "incentives.LedgerEntry", through="CaseEntry", related_name="+", blank=True
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(_("decision"), blank=True)
    expired = models.BooleanField(_("decided by default"), default=False)

    objects = RiskCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("risk case")
        verbose_name_plural = _("risk cases")
        constraints = [
            models.UniqueConstraint(
                fields=["signal", "creator", "organization"],
                condition=Q(status="open"),
                nulls_distinct=False,
                name="risk_case_one_open_per_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["expires_on"], condition=Q(status="open"), name="risk_case_due"),
            models.Index(fields=["organization", "status"], name="risk_case_org_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.signal}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("risk:case", args=[self.pk])


class CaseEntry(models.Model):
    """A ledger entry a case holds (placed once; the hold itself lives in incentives)."""

    case = models.ForeignKey(RiskCase, on_delete=models.CASCADE, related_name="case_entries")
    entry = models.ForeignKey("incentives.LedgerEntry", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "entry"], name="risk_case_entry_once"),
        ]
        indexes = [models.Index(fields=["entry"], name="risk_case_entry_idx")]

    def __str__(self):
        return f"{self.case_id}:{self.entry_id}"


class CaseStatementQuerySet(ScopedQuerySet):
    def for_organization_member(self, user):
        return self.filter(case__organization__memberships__user=user)


class CaseStatement(models.Model):
    """What the organization sends for a case: a statement and, if it likes, a document (PDF or
    image, through the upload cleaner)."""

    case = models.ForeignKey(RiskCase, on_delete=models.CASCADE, related_name="statements")
    text = models.TextField(_("statement"))
    document = models.FileField(_("document"), upload_to="risk/%Y/%m/", blank=True)
    document_type = models.CharField(max_length=40, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("sent"), auto_now_add=True)

    objects = CaseStatementQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("case statement")
        verbose_name_plural = _("case statements")

    def __str__(self):
        return f"{self.case_id} {self.submitted_at:%Y-%m-%d}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RiskRun(models.Model):
    """One computation of the signals (nightly or an operator's button), with its progress."""

    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    signals_done = models.PositiveSmallIntegerField(_("signals done"), default=0)
    signals_total = models.PositiveSmallIntegerField(_("signals"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    failure = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("risk run")
        verbose_name_plural = _("risk runs")

    def __str__(self):
        return f"{self.pk} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        return 100 * self.signals_done // max(self.signals_total, 1)
