"""Reward lists and their lines: what a settlement computed, per beneficiary, before it is posted."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.core.money import MoneyField
from portal.core.scoping import ScopedQuerySet

from .programs import Cycle, PoolKind
from .rules import RuleVersion


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
    # Distinct creators among the lines, kept with the totals above by every service that writes
    # lines (settlement_compute, and _post_lines for adjustments and awards): counting them on
    # each view of the list read every line (about 190,000 for 100,000 creators, 100-160 ms).
    creator_count = models.PositiveIntegerField(_("creators"), default=0)
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
        """Its creators' lines only where the creator shares their earnings with it."""
        from creators.consent import creator_rows_shared

        return self.filter(
            creator_rows_shared("earnings"),
            reward_list__status__in=PUBLISHED_STATUSES,
            organization__memberships__user=user,
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
        # A list's lines in id order (the API's pages of up to 500, newest first) from the list's
        # own part of the index, whatever other lists the table holds; and in the lines pages'
        # order (kind, largest amount first), so that a page of a list of any length is read
        # from an index, not sorted from every line of the list.
        indexes = [
            models.Index(fields=["reward_list", "organization"], name="line_org_idx"),
            models.Index(fields=["reward_list", "id"], name="line_list_id_idx"),
            models.Index(
                fields=["reward_list", "kind", "-amount", "id"], name="line_list_kind_amount_idx"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.amount}"
