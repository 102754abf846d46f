"""Programs, their pools and cycles (closed-open date ranges in Asia/Shanghai)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.core.money import MoneyField
from portal.core.scoping import ScopedQuerySet

TOP_TIER_LIMIT_FEN = 5_000_000 * 100  # the special incentive's top tier is at most 5,000,000 CNY


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class ProgramQuerySet(ScopedQuerySet):
    """Operators see every program; managers and organizations the ones that run or ran."""

    def for_manager(self, user):
        return self.exclude(status=ProgramStatus.DRAFT)

    def for_organization_member(self, user):
        return self.exclude(status=ProgramStatus.DRAFT)


class Program(models.Model):
    """An incentive program: dates, pools, cycle length and the approval threshold."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("ends before"), help_text=_("The first day after the program."))
    cycle_months = models.PositiveSmallIntegerField(_("cycle length (months)"), default=1)
    second_approval_above = MoneyField(
        _("second approval above"),
        default=1_000_000,
        help_text=_("A reward list above this total needs a second operator's approval."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lt=F("ends_on")),
                name="program_dates_in_order",
                violation_error_message=_("The program must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(cycle_months__gte=1, cycle_months__lte=12),
                name="program_cycle_months_range",
                violation_error_message=_("A cycle lasts from 1 to 12 months."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def last_day(self):
        """The last day it covers (`ends_on` is the first day after): what a date range shows."""
        return self.ends_on - datetime.timedelta(days=1)


class PoolKind(models.TextChoices):
    CASH = "cash", _("Cash pool")
    TRAFFIC = "traffic", _("Traffic pool")


class Pool(models.Model):
    """A program's budget of one kind. `committed` is the sum of its ledger entries, kept under a
    row lock; the database refuses a commitment beyond the budget."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pools")
    kind = models.CharField(_("pool"), max_length=10, choices=PoolKind.choices)
    budget = MoneyField(_("budget"))
    committed = MoneyField(_("committed"), default=0)

    class Meta:
        ordering = ["program", "kind"]
        verbose_name = _("pool")
        verbose_name_plural = _("pools")
        constraints = [
            models.UniqueConstraint(fields=["program", "kind"], name="pool_one_per_kind"),
            models.CheckConstraint(
                condition=Q(committed__gte=0) & Q(committed__lte=F("budget")),
                name="pool_never_overspent",
                violation_error_message=_("The pool would be overspent."),
            ),
        ]

    # The audit log stores the kind's code and shows its label in the reader's language.
    audit_repr = "{program} · {kind}"

    def __str__(self):
        return f"{self.program} · {self.get_kind_display()}"


class CycleQuerySet(ScopedQuerySet):
    def for_manager(self, user):
        return self.exclude(program__status=ProgramStatus.DRAFT)

    def for_organization_member(self, user):
        return self.exclude(program__status=ProgramStatus.DRAFT)


class Cycle(models.Model):
    """A settlement period of a program: [starts_on, ends_on)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="cycles")
    number = models.PositiveSmallIntegerField(_("number"))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("ends before"))
    compute_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    compute_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["program", "number"]
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="cycle_number_unique"),
            models.CheckConstraint(
                condition=Q(starts_on__lt=F("ends_on")), name="cycle_dates_in_order"
            ),
        ]

    def __str__(self):
        return f"{self.program} #{self.number}"

    @property
    def last_day(self):
        """The last day it covers (`ends_on` is the first day after): what a date range shows."""
        return self.ends_on - datetime.timedelta(days=1)

    @property
    def computing(self) -> bool:
        """A computation was requested and has not finished yet."""
        return self.compute_requested_at is not None
