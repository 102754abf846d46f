"""Display surfaces, their inventory, nominations, placements and traffic coupons.

A surface (the browsing channel's evaluation tab, a product page's outfit section …) is data that
operators edit: the content types it accepts, the minimum grade and whether the video must feature
the product. Its inventory is dated per creative field (`InventoryRule`, the newest row in force
on a day counts, like the incentive rules). Each booked (surface, field, day) has one
`InventoryDay` row whose `booked` counter the database keeps within `capacity`: a booking is an
`UPDATE … SET booked = booked + 1`, which takes the row's lock, so concurrent bookings queue and
the one past capacity is refused by the CHECK constraint, never oversold.

A placement carries impressions; each one grants a traffic coupon, a ledger entry of the traffic
pool (`incentives.LedgerEntry`, kind `coupon`), valued at the rule's rate per 1,000 impressions.
Delivered impressions are reported per coupon and day; what is undelivered at the cycle's end (or
when the video's originality is rejected) returns to the pool as a negative `coupon_return` entry.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.core.models import localized
from portal.core.money import MoneyField
from portal.core.scoping import ScopedQuerySet

GRADES = ("S", "A", "B", "C")
GRADE_RANK = {grade: rank for rank, grade in enumerate(reversed(GRADES), start=1)}  # C=1 … S=4
# The originalities a boost factor may name: a copy is never boosted (it has no place to show).
BOOST_ORIGINALITIES = ("unchecked", "clear", "suspected", "original", "transformative")


class Grade(models.TextChoices):
    S = "S", "S"
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


def grade_at_least(grade: str, minimum: str) -> bool:
    if not minimum:
        return True
    return GRADE_RANK.get(grade or "", 0) >= GRADE_RANK[minimum]


class SurfacePage(models.TextChoices):
    CHANNEL = "channel", _("Browsing channel tab")
    PRODUCT = "product", _("Product page section")


class ReferenceQuerySet(ScopedQuerySet):
    """Reference data every signed-in role reads."""

    def for_manager(self, user):
        return self.all()

    def for_organization_member(self, user):
        return self.all()


class Surface(models.Model):
    """A place where the platform shows selected videos: a tab of the browsing channel or a
    section of product pages. Operators edit what it accepts."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80)
    page = models.CharField(_("where"), max_length=10, choices=SurfacePage.choices)
    content_types = models.ManyToManyField(
        "content.ContentType", related_name="+", verbose_name=_("content types accepted")
    )
    min_grade = models.CharField(
        _("minimum grade"), max_length=1, choices=Grade.choices, blank=True
    )
    product_required = models.BooleanField(_("video must feature the product"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("display surface")
        verbose_name_plural = _("display surfaces")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)


class InventoryRuleQuerySet(ReferenceQuerySet):
    def in_force(self, surface, category, day):
        return (
            self.filter(surface=surface, category=category, effective_from__lte=day)
            .order_by("-effective_from", "-id")
            .first()
        )


class InventoryRule(models.Model):
    """A surface's daily inventory for one creative field from a day on: how many slots a day
    and how many impressions each slot carries. A newer row replaces it from its own day; rows
    are never edited, so every booked day can say which row gave its capacity."""

    surface = models.ForeignKey(Surface, on_delete=models.PROTECT, related_name="inventory")
    category = models.ForeignKey(
        "core.Category",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("creative field"),
    )
    effective_from = models.DateField(_("in force from"))
    slots_per_day = models.PositiveSmallIntegerField(_("slots per day"))
    impressions_per_slot = models.PositiveIntegerField(_("impressions per slot"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InventoryRuleQuerySet.as_manager()

    class Meta:
        ordering = ["surface", "category", "-effective_from"]
        verbose_name = _("inventory rule")
        verbose_name_plural = _("inventory rules")
        constraints = [
            models.UniqueConstraint(
                fields=["surface", "category", "effective_from"],
                name="inventory_rule_one_per_day",
                violation_error_message=_("This field already has inventory from that day."),
            ),
            models.CheckConstraint(
                condition=Q(slots_per_day__lte=1000),
                name="inventory_rule_slots_range",
                violation_error_message=_("A surface has at most 1,000 slots a day per field."),
            ),
            models.CheckConstraint(
                condition=Q(impressions_per_slot__gte=1) & Q(impressions_per_slot__lte=100_000_000),
                name="inventory_rule_impressions_range",
                violation_error_message=_("A slot carries from 1 to 100,000,000 impressions."),
            ),
        ]

    def __str__(self):
        return f"{self.surface} · {self.category} · {self.effective_from}"


class InventoryDay(models.Model):
    """One surface, field and day as booked: the database keeps `booked` within `capacity`."""

    surface = models.ForeignKey(Surface, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey("core.Category", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)
    impressions_per_slot = models.PositiveIntegerField(_("impressions per slot"))
    rule = models.ForeignKey(InventoryRule, on_delete=models.PROTECT, related_name="+")

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["day", "surface", "category"]
        verbose_name = _("inventory day")
        verbose_name_plural = _("inventory days")
        constraints = [
            models.UniqueConstraint(
                fields=["surface", "category", "day"], name="inventory_day_unique"
            ),
            models.CheckConstraint(
                condition=Q(booked__gte=0) & Q(booked__lte=F("capacity")),
                name="inventory_never_oversold",
                violation_error_message=_("This day is fully booked."),
            ),
        ]
        indexes = [models.Index(fields=["surface", "day"], name="inventory_day_surface_idx")]

    def __str__(self):
        return f"{self.surface_id}:{self.category_id}:{self.day} {self.booked}/{self.capacity}"


class PlacementRuleQuerySet(ReferenceQuerySet):
    def in_force(self, day):
        return self.filter(effective_from__lte=day).order_by("-effective_from", "-id").first()


class PlacementRule(models.Model):
    """The rules of placements and coupons from a day on: the program whose traffic pool pays
    for coupons, its rate per 1,000 impressions, each organization's monthly nomination quota,
    and (in its tables) the grade grants and the boost factors. Never edited once created; a
    new row replaces it from its own day."""

    effective_from = models.DateField(_("in force from"))
    program = models.ForeignKey(
        "incentives.Program",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("program paying the coupons"),
    )
    rate_per_thousand = MoneyField(
        _("value of 1,000 impressions"),
        help_text=_("CNY of the traffic pool that 1,000 granted impressions are worth."),
    )
    monthly_quota = models.PositiveSmallIntegerField(_("nominations per organization a month"))
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlacementRuleQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name = _("placement rule")
        verbose_name_plural = _("placement rules")
        constraints = [
            models.UniqueConstraint(
                fields=["effective_from"],
                name="placement_rule_one_per_day",
                violation_error_message=_("A rule already starts on that day."),
            ),
            models.CheckConstraint(
                # In CNY, like every MoneyField lookup: the field turns it into fen (10,000,000).
                condition=Q(rate_per_thousand__gt=0) & Q(rate_per_thousand__lte=100_000),
                name="placement_rule_rate_range",
                violation_error_message=_("1,000 impressions are worth from 0.01 to 100,000 CNY."),
            ),
        ]

    def __str__(self):
        return f"v{self.pk} · {self.effective_from}"


class GradeGrant(models.Model):
    """Every original video of this grade gets a coupon of `impressions`, once."""

    rule = models.ForeignKey(PlacementRule, on_delete=models.CASCADE, related_name="grade_grants")
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    impressions = models.PositiveIntegerField(_("impressions"))

    class Meta:
        ordering = ["rule", "grade"]
        verbose_name = _("grade grant")
        verbose_name_plural = _("grade grants")
        constraints = [
            models.UniqueConstraint(fields=["rule", "grade"], name="grade_grant_one_per_grade"),
            models.CheckConstraint(
                condition=Q(impressions__gte=1) & Q(impressions__lte=100_000_000),
                name="grade_grant_impressions_range",
            ),
        ]

    def __str__(self):
        return f"{self.grade}: {self.impressions}"


class BoostFactor(models.Model):
    """Weighted exposure: the recommendation system multiplies a video's ranking weight by
    `factor`, by its grade and reviewed originality. Missing combinations are 1.00."""

    rule = models.ForeignKey(PlacementRule, on_delete=models.CASCADE, related_name="boosts")
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    originality = models.CharField(_("originality"), max_length=16)
    factor = models.DecimalField(_("boost factor"), max_digits=4, decimal_places=2)

    class Meta:
        ordering = ["rule", "grade", "originality"]
        verbose_name = _("boost factor")
        verbose_name_plural = _("boost factors")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "grade", "originality"], name="boost_one_per_combination"
            ),
            models.CheckConstraint(
                condition=Q(factor__gte=0) & Q(factor__lte=10),
                name="boost_factor_range",
                violation_error_message=_("A boost factor is between 0 and 10."),
            ),
        ]

    def __str__(self):
        return f"{self.grade}/{self.originality}: {self.factor}"


class NominationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    ACCEPTED = "accepted", _("Scheduled")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_NOMINATION = (NominationStatus.PENDING, NominationStatus.ACCEPTED)


class NominationSource(models.TextChoices):
    ORGANIZATION = "organization", _("Organization")
    MANAGER = "manager", _("Category manager")
    AUTO_FILL = "auto_fill", _("Weekly fill proposal")


class DeclineReason(models.TextChoices):
    QUALITY = "quality", _("Not strong enough for this surface")
    FIT = "fit", _("Does not fit the surface's theme")
    PRODUCT = "product", _("The product is not shown well")
    FULL = "full", _("No room in the coming weeks")
    OTHER = "other", _("Other (see the note)")


class NominationQuerySet(ScopedQuerySet):
    category_path = "category"
    organization_path = "video__organization"


class Nomination(models.Model):
    """A video put forward for a surface, by its organization, a manager of its field or the
    weekly fill. At most one open nomination per video and surface."""

    video = models.ForeignKey("content.Video", on_delete=models.PROTECT, related_name="+")
    surface = models.ForeignKey(Surface, on_delete=models.PROTECT, related_name="nominations")
    category = models.ForeignKey(
        "core.Category",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("creative field"),
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The nominating organization; counts against its monthly quota."),
    )
    source = models.CharField(_("from"), max_length=12, choices=NominationSource.choices)
    product = models.ForeignKey(
        "content.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NominationStatus.choices,
        default=NominationStatus.PENDING,
    )
    note = models.CharField(_("why this video"), max_length=500, blank=True)
    proposed_day = models.DateField(_("proposed day"), null=True, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    nominated_at = models.DateTimeField(_("nominated"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decline_reason = models.CharField(
        _("reason"), max_length=10, choices=DeclineReason.choices, blank=True
    )
    decision_note = models.CharField(_("note"), max_length=500, blank=True)

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["-nominated_at", "-id"]
        verbose_name = _("placement nomination")
        verbose_name_plural = _("placement nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["video", "surface"],
                condition=Q(status__in=["pending", "accepted"]),
                name="nomination_open_once_per_surface",
                violation_error_message=_("This video is already nominated for this surface."),
            ),
        ]
        indexes = [
            models.Index(fields=["category", "status"], name="nomination_queue_idx"),
            models.Index(fields=["organization", "nominated_at"], name="nomination_quota_idx"),
        ]

    def __str__(self):
        return f"{self.video_id} → {self.surface_id}"


class PlacementStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PlacementQuerySet(ScopedQuerySet):
    category_path = "category"
    organization_path = "organization"


class Placement(models.Model):
    """A video shown on a surface on a day: one booked slot of the field's inventory. A
    withdrawn placement stays (the feed says it was withdrawn) and frees its slot."""

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="placements")
    inventory_day = models.ForeignKey(InventoryDay, on_delete=models.PROTECT, related_name="+")
    surface = models.ForeignKey(Surface, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey("core.Category", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    video = models.ForeignKey("content.Video", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    product = models.ForeignKey(
        "content.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    impressions = models.PositiveIntegerField(_("impressions"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PlacementStatus.choices,
        default=PlacementStatus.SCHEDULED,
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("why withdrawn"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["day", "surface", "id"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.UniqueConstraint(
                fields=["video", "surface", "day"],
                condition=Q(status="scheduled"),
                name="placement_video_once_a_day",
            ),
        ]
        indexes = [
            # The feed: one surface-day (optionally one field), and one SKU, both in id order.
            models.Index(fields=["surface", "day", "category", "id"], name="placement_feed_idx"),
            models.Index(fields=["surface", "day", "id"], name="placement_feed_day_idx"),
            models.Index(fields=["product", "id"], name="placement_sku_feed_idx"),
            models.Index(fields=["product", "day", "id"], name="placement_sku_idx"),
            models.Index(fields=["video", "day"], name="placement_video_idx"),
            models.Index(fields=["organization", "day"], name="placement_org_idx"),
        ]

    def __str__(self):
        return f"{self.video_id} · {self.surface_id} · {self.day}"


class CouponSource(models.TextChoices):
    PLACEMENT = "placement", _("Display placement")
    GRADE = "grade", _("Grade grant")


class CouponQuerySet(ScopedQuerySet):
    category_path = "video__category"
    organization_path = "organization"


class Coupon(models.Model):
    """A fixed number of impressions granted to a video, worth `value` CNY of the traffic pool
    (its ledger entry). `delivered` is the sum of the reported days; once closed, what was not
    delivered went back to the pool (`returned_entry`)."""

    video = models.ForeignKey("content.Video", on_delete=models.PROTECT, related_name="+")
    creator = models.ForeignKey("creators.Creator", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=10, choices=CouponSource.choices)
    placement = models.OneToOneField(
        Placement, on_delete=models.PROTECT, null=True, blank=True, related_name="coupon"
    )
    rule = models.ForeignKey(PlacementRule, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    impressions = models.PositiveIntegerField(_("impressions granted"))
    value = MoneyField(_("value"))
    delivered = models.PositiveBigIntegerField(_("impressions delivered"), default=0)
    entry = models.OneToOneField(
        "incentives.LedgerEntry", on_delete=models.PROTECT, related_name="coupon"
    )
    returned_entry = models.OneToOneField(
        "incentives.LedgerEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returned_coupon",
    )
    returned_value = MoneyField(_("returned to the pool"), default=0)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CouponQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("traffic coupon")
        verbose_name_plural = _("traffic coupons")
        constraints = [
            models.UniqueConstraint(
                fields=["video", "source"],
                condition=Q(source="grade"),
                name="coupon_grade_grant_once_per_video",
                violation_error_message=_("This video already had its grade grant."),
            ),
            models.CheckConstraint(
                condition=Q(source="grade") | Q(placement__isnull=False),
                name="coupon_placement_has_placement",
            ),
            models.CheckConstraint(
                condition=Q(delivered__lte=F("impressions")),
                name="coupon_delivered_within_granted",
                violation_error_message=_("More impressions delivered than granted."),
            ),
            models.CheckConstraint(
                condition=Q(value__gt=0)
                & Q(returned_value__gte=0)
                & Q(returned_value__lte=F("value")),
                name="coupon_value_range",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "created_at"], name="coupon_org_idx"),
            models.Index(fields=["video"], name="coupon_video_idx"),
            models.Index(
                fields=["closed_at"], condition=Q(closed_at__isnull=True), name="coupon_open_idx"
            ),
        ]

    def __str__(self):
        return f"{self.video_id}: {self.impressions}"

    @property
    def undelivered(self) -> int:
        return self.impressions - self.delivered


class DeliveryQuerySet(ScopedQuerySet):
    category_path = "coupon__video__category"
    organization_path = "coupon__organization"


class Delivery(models.Model):
    """Impressions of one coupon delivered on one day, as the content system reported them. A
    day reported again with the same figure changes nothing; a new figure replaces it."""

    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="deliveries")
    day = models.DateField(_("day"))
    impressions = models.PositiveIntegerField(_("impressions delivered"))
    received_at = models.DateTimeField(auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["coupon", "day"]
        verbose_name = _("coupon delivery")
        verbose_name_plural = _("coupon deliveries")
        constraints = [
            models.UniqueConstraint(fields=["coupon", "day"], name="delivery_one_per_coupon_day")
        ]

    def __str__(self):
        return f"{self.coupon_id} {self.day}: {self.impressions}"
