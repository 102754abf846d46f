"""Incentive programs and their rules: the data an operator edits, versioned.

A program has a cash pool and a traffic pool and is cut into cycles (closed-open date ranges in
Asia/Shanghai). Its rules are versioned: a cycle is settled with the newest published version in
force on the cycle's first day. Amounts are exact (`MoneyField`: integer fen in the database).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.core.models import Category
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
    def computing(self) -> bool:
        """A computation was requested and has not finished yet."""
        return self.compute_requested_at is not None


class RuleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class RuleVersion(models.Model):
    """One version of a program's rules. A draft is edited and simulated; once published it never
    changes, and settled lines name the version that produced them."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rule_versions")
    number = models.PositiveSmallIntegerField(_("version"))
    effective_from = models.DateField(
        _("in force from"), help_text=_("Cycles starting on or after this day use this version.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RuleStatus.choices, default=RuleStatus.DRAFT
    )
    note = models.TextField(_("what changed"), blank=True)
    creator_cap = MoneyField(
        _("cap per creator and cycle"),
        default=30_000,
        help_text=_("Across all of a creator's subsidy lines (creative-field and playback)."),
    )
    playback_rate = MoneyField(_("playback subsidy per 1,000 valid plays"), default=0)
    commission_bp = models.PositiveIntegerField(
        _("sales commission (basis points of GMV)"),
        default=0,
        help_text=_("100 basis points are one percent of GMV."),
    )
    basic_per_introduced = MoneyField(_("basic incentive per introduced creator"), default=0)
    minimum_payout = MoneyField(
        _("minimum payout"),
        default=0,
        help_text=_(
            "A beneficiary whose releasable cash is below this carries it over to the next export."
        ),
    )
    traffic_min_original = models.PositiveIntegerField(
        _("original videos needed for traffic rewards"), default=1
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["program", "-number"]
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="rule_version_unique"),
            models.CheckConstraint(
                condition=Q(creator_cap__gt=0), name="rule_version_cap_positive"
            ),
            models.CheckConstraint(
                condition=Q(playback_rate__gte=0)
                & Q(basic_per_introduced__gte=0)
                & Q(minimum_payout__gte=0),
                name="rule_version_amounts_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.program} v{self.number}"


class SubsidyRule(models.Model):
    """A creator subsidy tier of one creative field: the thresholds a creator's cycle must meet
    and the amount it pays. A creator gets the highest level they meet."""

    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="subsidy_rules")
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("creative field")
    )
    level = models.PositiveSmallIntegerField(_("level"))
    min_original_videos = models.PositiveIntegerField(_("original videos at least"))
    min_valid_plays = models.PositiveBigIntegerField(_("valid plays at least"))
    min_followers = models.PositiveBigIntegerField(_("followers at least"))
    amount = MoneyField(_("amount"))

    class Meta:
        ordering = ["version", "category", "level"]
        verbose_name = _("creator subsidy rule")
        verbose_name_plural = _("creator subsidy rules")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "category", "level"], name="subsidy_rule_level_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="subsidy_rule_amount_positive"),
        ]

    def __str__(self):
        return f"{self.category} L{self.level}"


class OrgTier(models.Model):
    """A tier of the special incentive list: organizations that introduced at least
    `min_introduced` creators in the month get `amount`, once."""

    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="org_tiers")
    level = models.PositiveSmallIntegerField(_("tier"))
    min_introduced = models.PositiveIntegerField(_("introduced creators at least"))
    amount = MoneyField(_("amount"))

    class Meta:
        ordering = ["version", "level"]
        verbose_name = _("organization tier")
        verbose_name_plural = _("organization tiers")
        constraints = [
            models.UniqueConstraint(fields=["version", "level"], name="org_tier_level_unique"),
            models.UniqueConstraint(
                fields=["version", "min_introduced"], name="org_tier_threshold_unique"
            ),
            models.CheckConstraint(
                condition=Q(min_introduced__gte=1),
                name="org_tier_threshold_positive",
                violation_error_message=_("A tier needs at least one introduced creator."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=TOP_TIER_LIMIT_FEN // 100),
                name="org_tier_amount_range",
                violation_error_message=_("A tier pays more than zero and at most 5,000,000 CNY."),
            ),
        ]

    def __str__(self):
        return f"T{self.level}"


class TrafficBand(models.Model):
    """Traffic coupons for the top original creators of a cycle: ranks `rank_from`..`rank_to`
    (by valid plays, among creators with enough original videos) get a coupon of `coupon` CNY of
    exposure each, drawn from the traffic pool."""

    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="traffic_bands")
    rank_from = models.PositiveIntegerField(_("from rank"))
    rank_to = models.PositiveIntegerField(_("to rank"))
    coupon = MoneyField(_("coupon value"))

    class Meta:
        ordering = ["version", "rank_from"]
        verbose_name = _("traffic reward band")
        verbose_name_plural = _("traffic reward bands")
        constraints = [
            models.UniqueConstraint(fields=["version", "rank_from"], name="traffic_band_unique"),
            models.CheckConstraint(
                condition=Q(rank_from__gte=1) & Q(rank_from__lte=F("rank_to")),
                name="traffic_band_ranks_in_order",
            ),
            models.CheckConstraint(condition=Q(coupon__gt=0), name="traffic_band_coupon_positive"),
        ]

    def __str__(self):
        return f"{self.rank_from}-{self.rank_to}"


class ListStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    EXPORTED = "exported", _("Exported for payment")
    PAID = "paid", _("Paid")


PUBLISHED_STATUSES = ("published", "exported", "paid")


class RewardListQuerySet(ScopedQuerySet):
    """Operators see every list; everyone else only published ones (then exported and paid)."""

    def published(self):
        return self.filter(status__in=PUBLISHED_STATUSES)

    def for_manager(self, user):
        return self.published()

    def for_organization_member(self, user):
        return self.published()


class RewardList(models.Model):
    """A cycle's reward list. Computing replaces a draft's lines; from approval on the list and
    its lines never change (a correction is a new adjusting line)."""

    cycle = models.OneToOneField(Cycle, on_delete=models.PROTECT, related_name="reward_list")
    status = models.CharField(
        _("status"), max_length=10, choices=ListStatus.choices, default=ListStatus.DRAFT
    )
    rule_version = models.ForeignKey(
        RuleVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule version")
    )
    revision = models.PositiveIntegerField(_("computation"), default=0)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    cash_total = MoneyField(_("cash total"), default=0)
    traffic_total = MoneyField(_("traffic total"), default=0)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = RewardListQuerySet.as_manager()

    class Meta:
        ordering = ["-cycle__starts_on"]
        verbose_name = _("reward list")
        verbose_name_plural = _("reward lists")
        constraints = [
            models.CheckConstraint(
                condition=Q(first_approved_by__isnull=True)
                | Q(approved_by__isnull=True)
                | ~Q(first_approved_by=F("approved_by")),
                name="reward_list_two_different_approvers",
                violation_error_message=_("The second approval must come from another operator."),
            )
        ]

    def __str__(self):
        return str(self.cycle)

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_STATUSES


class LineKind(models.TextChoices):
    CREATOR_SUBSIDY = "creator_subsidy", _("Creator subsidy")
    PLAYBACK = "playback", _("Playback subsidy")
    COMMISSION = "commission", _("Sales commission")
    TRAFFIC = "traffic", _("Traffic reward")
    ORG_BASIC = "org_basic", _("Basic incentive")
    ORG_TIER = "org_tier", _("Special incentive")
    INCUBATION = "incubation", _("Incubation reward")
    ADJUSTMENT = "adjustment", _("Adjustment")
    COUPON = "coupon", _("Traffic coupon")
    COUPON_RETURN = "coupon_return", _("Undelivered traffic returned")


# Traffic coupons are granted per video (placements, grade grants) and are delivered as
# impressions, not paid: `placements.Coupon` keeps each one unique, and payment files skip them.
COUPON_KINDS = ("coupon", "coupon_return")


class Beneficiary(models.Model):
    """Who an amount is for: a creator (then `organization` is the one they were with at the end
    of the cycle, for its statement) or an organization alone."""

    creator = models.ForeignKey(
        "creators.Creator", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


def beneficiary_constraints(scope: str, prefix: str) -> list:
    """One amount per (scope, kind, beneficiary), adjustments and coupons apart (a coupon is
    unique per placement or grade grant), and always a beneficiary."""
    once = "one_per" if prefix == "reward_line" else "once_per"
    repeatable = ["adjustment", *COUPON_KINDS]
    return [
        models.UniqueConstraint(
            fields=[scope, "kind", "creator"],
            condition=Q(creator__isnull=False) & ~Q(kind__in=repeatable),
            name=f"{prefix}_{once}_creator_kind",
        ),
        models.UniqueConstraint(
            fields=[scope, "kind", "organization"],
            condition=Q(creator__isnull=True) & ~Q(kind__in=repeatable),
            name=f"{prefix}_{once}_organization_kind",
        ),
        models.CheckConstraint(
            condition=Q(creator__isnull=False) | Q(organization__isnull=False),
            name=f"{prefix}_has_beneficiary",
        ),
    ]


class RewardLineQuerySet(ScopedQuerySet):
    """Lines of published lists only, outside operators: managers see those of the organizations
    they may see, members those of their organization (its own lines and its creators')."""

    def for_manager(self, user):
        from organizations.models import Organization

        return self.filter(
            reward_list__status__in=PUBLISHED_STATUSES,
            organization__in=Organization.objects.for_manager(user).values("pk"),
        )

    def for_organization_member(self, user):
        return self.filter(
            reward_list__status__in=PUBLISHED_STATUSES, organization__memberships__user=user
        )


class RewardLine(Beneficiary):
    """One amount of a reward list with the figures and the rule that produced it, so it can be
    explained. Creator lines name the creator (the beneficiary) and the organization they were
    with at the end of the cycle; organization lines name only the organization."""

    # No index of its own: line_org_idx and the unique constraints start with it.
    # No database key checks on the list, the creator or the organization: a settlement writes a
    # million lines from a join to existing creators and organizations in one statement, for a
    # list it has locked, then checks every line of the list in one set-based query
    # (`computation.check_line_references`), instead of three key checks per line (about 40% of
    # the settlement's time). The other writers (adjustments, incubation rewards) write a ledger
    # entry, whose keys are checked, for every line. Deleting is guarded by the ORM (PROTECT and
    # CASCADE are Django's); the portal deletes neither creators nor organizations.
    reward_list = models.ForeignKey(
        RewardList,
        on_delete=models.CASCADE,
        related_name="lines",
        db_index=False,
        db_constraint=False,
    )
    creator = models.ForeignKey(
        "creators.Creator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=LineKind.choices)
    pool = models.CharField(_("pool"), max_length=10, choices=PoolKind.choices)
    amount = MoneyField(_("amount"))
    amount_before_cap = MoneyField(_("before the cap"), null=True, blank=True)
    # Always the list's version, written by the same statement; the list's own foreign key
    # guards it, so a million lines do not each pay for a key check and an index entry.
    rule_version = models.ForeignKey(
        RuleVersion,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    rule_id = models.PositiveIntegerField(null=True, blank=True)
    original_videos = models.PositiveIntegerField(null=True, blank=True)
    valid_plays = models.PositiveBigIntegerField(null=True, blank=True)
    followers = models.PositiveBigIntegerField(null=True, blank=True)
    gmv = MoneyField(_("GMV"), null=True, blank=True)
    introduced = models.PositiveIntegerField(null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = RewardLineQuerySet.as_manager()

    class Meta:
        ordering = ["reward_list", "kind", "id"]
        verbose_name = _("reward line")
        verbose_name_plural = _("reward lines")
        constraints = beneficiary_constraints("reward_list", "reward_line")
        indexes = [models.Index(fields=["reward_list", "organization"], name="line_org_idx")]

    def __str__(self):
        return f"{self.kind} {self.amount}"


class PaymentStatus(models.TextChoices):
    """An entry's way to payment: held (a hold says why and what releases it) -> releasable
    ("pending": the next export takes it) -> exported -> paid or failed (failed ones are exported
    again); a held entry may instead be forfeited (its amount returns to the pool)."""

    HELD = "held", _("Held")
    PENDING = "pending", _("Releasable")
    EXPORTED = "exported", _("Exported")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Payment failed")
    FORFEITED = "forfeited", _("Forfeited")


class CarryReason(models.TextChoices):
    NONE = "", _("Not carried over")
    MINIMUM = "minimum", _("Below the minimum payout")
    NOT_POSITIVE = "not_positive", _("Corrections leave nothing to pay")


class LedgerEntryQuerySet(ScopedQuerySet):
    """Entries of published lists only, outside operators: an organization's own and its
    creators' entries (the organization named on the entry), managers those of the organizations
    they may see."""

    def for_manager(self, user):
        from organizations.models import Organization

        return self.filter(
            cycle__reward_list__status__in=PUBLISHED_STATUSES,
            organization__in=Organization.objects.for_manager(user).values("pk"),
        )

    def for_organization_member(self, user):
        return self.filter(
            cycle__reward_list__status__in=PUBLISHED_STATUSES,
            organization__memberships__user=user,
        )


class LedgerEntry(Beneficiary):
    """Money committed from a pool to a beneficiary for a cycle. Written once, at approval; the
    database refuses a second entry for the same cycle, beneficiary and kind. Only its payment
    status changes afterwards."""

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="entries")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(_("kind"), max_length=16, choices=LineKind.choices)
    amount = MoneyField(_("amount"))
    rule_version = models.ForeignKey(
        RuleVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason_code = models.CharField(_("reason"), max_length=40)
    line = models.OneToOneField(
        RewardLine, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entry"
    )
    payment_status = models.CharField(
        _("payment"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    payment_failure = models.CharField(
        _("why the payment failed"),
        max_length=200,
        blank=True,
        db_default="",  # ledger entries are posted by INSERT ... SELECT
        help_text=_("As the payment system's result file gave it; empty once paid."),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects entry"),
        help_text=_("The entry this adjusting entry takes money back from (or restores)."),
    )
    note = models.TextField(_("explanation"), blank=True, db_default="")
    exported_in = models.ForeignKey(
        "incentives.PaymentExport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last exported in"),
    )
    carry_reason = models.CharField(
        _("carried over"),
        max_length=16,
        choices=CarryReason.choices,
        blank=True,
        db_default="",
        help_text=_("Why the last export left this releasable entry for the next one."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = beneficiary_constraints("cycle", "ledger")

    def __str__(self):
        return f"{self.cycle} {self.kind} {self.amount}"


from incentives.payouts import (  # noqa: E402, F401 - the payout models, registered with the app
    Hold,
    HoldingPeriod,
    HoldReason,
    PaymentExport,
    PaymentExportItem,
    Refund,
)
