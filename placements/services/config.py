"""What operators edit: surfaces, their dated inventory per field, and the dated placement rule
with its grade grants and boost factors."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from placements.models import (
    BoostFactor,
    GradeGrant,
    InventoryDay,
    InventoryRule,
    PlacementRule,
    Surface,
    SurfacePage,
)
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record


@transaction.atomic
def surface_save(*, actor, surface: Surface, content_types) -> Surface:
    """Add a surface or save an edited one with the content types it accepts. A product page's
    section shows the videos of its product, so its videos must feature the product."""
    authorize(actor, "placements.configure")
    content_types = list(content_types)
    before = None
    if surface.pk:
        before = Surface.objects.filter(pk=surface.pk).values(*AUDITED).first()
        before["content_types"] = sorted(
            Surface.content_types.through.objects.filter(surface_id=surface.pk).values_list(
                "contenttype__code", flat=True
            )
        )
    problems = {}
    if not content_types:
        problems["content_types"] = _("Choose at least one content type.")
    if surface.page == SurfacePage.PRODUCT and not surface.product_required:
        problems["product_required"] = _(
            "A product page section shows videos featuring its product: this must be on."
        )
    try:
        surface.full_clean()
    except ValidationError as error:
        problems = {**error.message_dict, **problems}
    if problems:
        raise ValidationError(problems)
    surface.save()
    surface.content_types.set(content_types)
    after = {name: getattr(surface, name) for name in AUDITED}
    after["content_types"] = sorted(ct.code for ct in content_types)
    audit_record(actor=actor, action="placements.surface", obj=surface, before=before, after=after)
    return surface


AUDITED = (
    "code",
    "name_zh",
    "name_en",
    "page",
    "min_grade",
    "product_required",
    "is_active",
    "sort_order",
)


@transaction.atomic
def inventory_set(
    *,
    actor,
    surface: Surface,
    category,
    effective_from: datetime.date,
    slots_per_day: int,
    impressions_per_slot: int,
) -> InventoryRule:
    """A field's inventory from a day on. Days already booked from that day follow the new
    capacity, unless more is booked than it allows: then nothing changes and the day is named."""
    authorize(actor, "placements.configure")
    today = timezone.localdate()
    if (
        effective_from < today
        and InventoryDay.objects.filter(
            surface=surface, category=category, day__gte=effective_from, day__lt=today
        ).exists()
    ):
        raise ValidationError(
            {"effective_from": _("Days before today are already booked; change from today on.")}
        )
    rule = InventoryRule(
        surface=surface,
        category=category,
        effective_from=effective_from,
        slots_per_day=slots_per_day,
        impressions_per_slot=impressions_per_slot,
        created_by=actor,
    )
    rule.full_clean()
    rule.save()
    later = (
        InventoryRule.objects.filter(
            surface=surface, category=category, effective_from__gt=effective_from
        )
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )
    days = InventoryDay.objects.filter(surface=surface, category=category, day__gte=effective_from)
    if later is not None:
        days = days.filter(day__lt=later)
    over = days.filter(booked__gt=slots_per_day).order_by("day").first()
    if over is not None:
        raise ValidationError(
            {
                "slots_per_day": _("%(day)s already has %(n)s booked; withdraw or move them first.")
                % {"day": over.day, "n": over.booked}
            }
        )
    days.update(capacity=slots_per_day, rule=rule)
    audit_record(
        actor=actor,
        action="placements.inventory",
        obj=surface,
        after={
            "field": category.code,
            "from": effective_from,
            "slots_per_day": slots_per_day,
            "impressions_per_slot": impressions_per_slot,
        },
    )
    return rule


@transaction.atomic
def placement_rule_add(
    *,
    actor,
    program,
    effective_from: datetime.date,
    rate_per_thousand: Decimal,
    monthly_quota: int,
    grade_grants: dict[str, int],
    boosts: dict[tuple[str, str], Decimal],
    note: str = "",
) -> PlacementRule:
    """A new rule from a day on, with its tables; the rule before it stays for its own days."""
    authorize(actor, "placements.configure")
    rule = PlacementRule(
        program=program,
        effective_from=effective_from,
        rate_per_thousand=rate_per_thousand,
        monthly_quota=monthly_quota,
        note=note.strip(),
        created_by=actor,
    )
    if PlacementRule.objects.filter(effective_from=effective_from).exists():
        raise ValidationError({"effective_from": _("A rule already starts on that day.")})
    rule.full_clean()
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as error:
        raise ValidationError(
            {"effective_from": _("A rule already starts on that day.")}
        ) from error
    grants = [GradeGrant(rule=rule, grade=g, impressions=n) for g, n in grade_grants.items() if n]
    for grant in grants:
        grant.full_clean(exclude=["rule"])
    GradeGrant.objects.bulk_create(grants)
    factors = [
        BoostFactor(rule=rule, grade=g, originality=o, factor=f) for (g, o), f in boosts.items()
    ]
    for factor in factors:
        factor.full_clean(exclude=["rule"])
    BoostFactor.objects.bulk_create(factors)
    audit_record(
        actor=actor,
        action="placements.rule",
        obj=rule,
        after={
            "from": effective_from,
            "rate_per_thousand": rate_per_thousand,
            "monthly_quota": monthly_quota,
            "grade_grants": grade_grants,
            "boosts": {f"{g}/{o}": f for (g, o), f in boosts.items()},
        },
    )
    return rule
