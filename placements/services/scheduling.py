"""Nominations, their review, the inventory they book and the weekly fill.

Booking a slot is one `UPDATE placements_inventoryday SET booked = booked + 1` on the day's row:
the row lock queues concurrent bookings of the same day and field, and the CHECK constraint
`inventory_never_oversold` refuses the one past capacity, inside a savepoint, so "next free"
simply tries the following day. The day's row is created from the inventory rule in force the
first time it is booked.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from content.models import Video, VideoProduct
from organizations.models import Organization
from placements.models import (
    GRADE_RANK,
    OPEN_NOMINATION,
    DeclineReason,
    InventoryDay,
    InventoryRule,
    Nomination,
    NominationSource,
    NominationStatus,
    Placement,
    PlacementStatus,
    Surface,
    grade_at_least,
)
from portal.accounts.models import Role
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core import events
from portal.core.rights import right_for

from .coupons import NOT_STANDING, close_coupons, grant_for_placement, rule_in_force

NEXT_FREE_HORIZON_DAYS = 60
MAX_DAYS_PER_ACCEPT = 31


# --- eligibility ---------------------------------------------------------------------------------


def eligibility_problems(video: Video, surface: Surface, product=None) -> dict[str, str]:
    """Why `video` may not go on `surface`, one message per rule it fails (empty: eligible)."""
    problems = {}
    if not surface.is_active:
        problems["surface"] = _("This surface is not taking videos.")
    if not video.declared_original or video.originality == "copy":
        problems["originality"] = _("The video's originality does not stand (rejected as a copy).")
    elif video.originality in NOT_STANDING:
        problems["originality"] = _("The video's originality is still in review.")
    if not grade_at_least(video.grade, surface.min_grade):
        problems["grade"] = _(
            "This surface needs grade %(min)s or better; the video has %(grade)s."
        ) % {
            "min": surface.min_grade,
            "grade": video.grade or _("no grade yet"),
        }
    if not surface.content_types.filter(pk=video.content_type_id).exists():
        problems["content_type"] = _("This surface does not take videos of type %(type)s.") % {
            "type": video.content_type.name
        }
    if surface.product_required:
        if product is None:
            problems["product"] = _("Choose the product the video features.")
        elif not VideoProduct.objects.filter(video=video, product=product).exists():
            problems["product"] = _("The video does not feature this product.")
    if not InventoryRule.objects.filter(surface=surface, category_id=video.category_id).exists():
        problems["surface"] = _("This surface has no inventory for the video's creative field.")
    if Nomination.objects.filter(video=video, surface=surface, status__in=OPEN_NOMINATION).exists():
        problems["video"] = _("This video is already nominated for or scheduled on this surface.")
    return problems


def month_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day.replace(day=1), datetime.time.min))


def monthly_quota(organization, rule, day: datetime.date) -> int:
    """Nominations `organization` may make in `day`'s month: the placement rule's quota, raised
    to the placement quota its growth level grants (`growth.selectors.right_for`, through the
    core's rights hook). A level's quota never lowers the rule's."""
    granted = right_for(organization, "placement_quota", day)
    return max(rule.monthly_quota, granted) if granted is not None else rule.monthly_quota


def quota_used(organization, day: datetime.date | None = None) -> int:
    day = day or timezone.localdate()
    return Nomination.objects.filter(
        organization=organization,
        source=NominationSource.ORGANIZATION,
        nominated_at__gte=month_start(day),
    ).count()


# --- nominating ----------------------------------------------------------------------------------


@transaction.atomic
def placement_nominate(
    *, actor, video: Video, surface: Surface, product=None, note: str = ""
) -> Nomination:
    """Put a video forward for a surface. Organizations count against their monthly quota (the
    organization's row is locked, so two nominations at once cannot both take the last one)."""
    authorize(actor, "placements.nominate", video)
    organization = None
    source = NominationSource.MANAGER
    if actor.role == Role.ORGANIZATION:
        organization = Organization.objects.select_for_update().get(pk=video.organization_id)
        source = NominationSource.ORGANIZATION
    problems = eligibility_problems(video, surface, product)
    if organization is not None and "quota" not in problems:
        today = timezone.localdate()
        quota = monthly_quota(organization, rule_in_force(today), today)
        if quota_used(organization, today) >= quota:
            problems["quota"] = _(
                "Your organization has used its %(n)s nominations this month."
            ) % {"n": quota}
    if len(note) > 500:
        problems["note"] = _("At most 500 characters.")
    if problems:
        raise ValidationError(problems)
    nomination = Nomination.objects.create(
        video=video,
        surface=surface,
        category_id=video.category_id,
        organization=organization,
        source=source,
        product=product,
        note=note.strip(),
        nominated_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="placements.nominate",
        obj=nomination,
        organization=video.organization,
        after={"video": video.video_id, "surface": surface.code, "source": source},
        reason=note.strip(),
    )
    return nomination


# --- booking -------------------------------------------------------------------------------------


def _inventory_day(surface: Surface, category_id: int, day: datetime.date) -> InventoryDay | None:
    existing = InventoryDay.objects.filter(
        surface=surface, category_id=category_id, day=day
    ).first()
    if existing is not None:
        return existing
    rule = InventoryRule.objects.in_force(surface, category_id, day)
    if rule is None or rule.slots_per_day == 0:
        return None
    inventory, _created = InventoryDay.objects.get_or_create(
        surface=surface,
        category_id=category_id,
        day=day,
        defaults={
            "capacity": rule.slots_per_day,
            "impressions_per_slot": rule.impressions_per_slot,
            "rule": rule,
        },
    )
    return inventory


def _book(surface: Surface, category_id: int, day: datetime.date) -> InventoryDay | None:
    """Take one slot of the day, or None when it is full (or has no inventory)."""
    inventory = _inventory_day(surface, category_id, day)
    if inventory is None:
        return None
    try:
        with transaction.atomic():
            InventoryDay.objects.filter(pk=inventory.pk).update(booked=F("booked") + 1)
    except IntegrityError:
        return None
    return inventory


def _release(inventory_day_id: int) -> None:
    InventoryDay.objects.filter(pk=inventory_day_id).update(booked=F("booked") - 1)


def placement_data(placement: Placement) -> dict:
    return {
        "placement": {
            "id": placement.pk,
            "surface": placement.surface.code,
            "day": placement.day,
            "field": placement.category.code,
            "video_id": placement.video.video_id,
            "sku": placement.product.sku_id if placement.product_id else None,
            "impressions": placement.impressions,
            "status": placement.status,
            "withdrawn_reason": placement.withdrawn_reason,
        }
    }


def _schedule(nomination: Nomination, inventory: InventoryDay) -> Placement:
    video = nomination.video
    product = nomination.product
    if product is None and nomination.surface.product_required:
        product = video.products.order_by("pk").first()
    try:
        with transaction.atomic():
            placement = Placement.objects.create(
                nomination=nomination,
                inventory_day=inventory,
                surface=nomination.surface,
                category_id=nomination.category_id,
                day=inventory.day,
                video=video,
                organization_id=video.organization_id,
                product=product,
                impressions=inventory.impressions_per_slot,
            )
    except IntegrityError as error:
        raise ValidationError(
            _("The video is already on this surface on %(day)s.") % {"day": inventory.day}
        ) from error
    grant_for_placement(placement)
    events.publish(
        "placement.scheduled",
        placement_data(placement),
        organization=video.organization,
        obj=placement,
    )
    return placement


def _lock_open(nomination: Nomination) -> Nomination:
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("video__organization", "video__content_type", "surface")
        .get(pk=nomination.pk)
    )
    if nomination.status != NominationStatus.PENDING:
        raise ValidationError(_("This nomination has already been decided."))
    return nomination


@transaction.atomic
def placement_accept(
    *,
    actor,
    nomination: Nomination,
    days: list[datetime.date] | None = None,
    as_of: datetime.date | None = None,
) -> list[Placement]:
    """Accept a nomination: one placement on each chosen day, or on the next free day from
    tomorrow when no day is given. Eligibility is checked again (the video may have changed
    since it was nominated). A full day is refused with its date; nothing is booked then.
    `as_of` (trusted code only: the demo, a schedule carried over) decides as on that day."""
    authorize(actor, "placements.schedule", nomination.category_id)
    nomination = _lock_open(nomination)
    video = nomination.video
    problems = eligibility_problems(video, nomination.surface, nomination.product)
    problems.pop("video", None)  # its own open nomination
    if problems:
        raise ValidationError(problems)
    today = as_of or timezone.localdate()
    placements = []
    if days:
        days = sorted(set(days))
        if len(days) > MAX_DAYS_PER_ACCEPT:
            raise ValidationError({"days": _("Choose at most 31 days.")})
        if days[0] < today:
            raise ValidationError({"days": _("Days in the past cannot be booked.")})
        for day in days:
            inventory = _book(nomination.surface, nomination.category_id, day)
            if inventory is None:
                raise ValidationError(
                    {"days": _("%(day)s is fully booked for this field.") % {"day": day}}
                )
            placements.append(_schedule(nomination, inventory))
    else:
        start = max(nomination.proposed_day or today, today + datetime.timedelta(days=1))
        for offset in range(NEXT_FREE_HORIZON_DAYS):
            day = start + datetime.timedelta(days=offset)
            inventory = _book(nomination.surface, nomination.category_id, day)
            if inventory is not None:
                placements.append(_schedule(nomination, inventory))
                break
        else:
            raise ValidationError(
                {"days": _("No free slot in the next %(n)s days.") % {"n": NEXT_FREE_HORIZON_DAYS}}
            )
    Nomination.objects.filter(pk=nomination.pk).update(
        status=NominationStatus.ACCEPTED, decided_by=actor, decided_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="placements.accept",
        obj=nomination,
        organization=video.organization,
        before={"status": NominationStatus.PENDING},
        after={"status": NominationStatus.ACCEPTED, "days": [p.day for p in placements]},
    )
    return placements


@transaction.atomic
def placement_decline(*, actor, nomination: Nomination, reason: str, note: str = "") -> Nomination:
    authorize(actor, "placements.schedule", nomination.category_id)
    if reason not in DeclineReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    if reason == DeclineReason.OTHER and not note.strip():
        raise ValidationError({"note": _("Explain the decision; the organization reads it.")})
    nomination = _lock_open(nomination)
    Nomination.objects.filter(pk=nomination.pk).update(
        status=NominationStatus.DECLINED,
        decided_by=actor,
        decided_at=timezone.now(),
        decline_reason=reason,
        decision_note=note.strip()[:500],
    )
    nomination.refresh_from_db()
    audit_record(
        actor=actor,
        action="placements.decline",
        obj=nomination,
        organization=nomination.video.organization,
        before={"status": NominationStatus.PENDING},
        after={"status": NominationStatus.DECLINED, "reason": reason},
        reason=note.strip(),
    )
    return nomination


# --- weekly fill ---------------------------------------------------------------------------------


def week_days(week_start: datetime.date) -> list[datetime.date]:
    return [week_start + datetime.timedelta(days=i) for i in range(7)]


def free_slots(surface: Surface, category_id: int, days: list[datetime.date]) -> dict:
    """Free slots per day: booked rows as they stand, other days from the rule in force."""
    booked = {
        row.day: row.capacity - row.booked
        for row in InventoryDay.objects.filter(
            surface=surface, category_id=category_id, day__in=days
        )
    }
    free = {}
    for day in days:
        if day in booked:
            free[day] = booked[day]
        else:
            rule = InventoryRule.objects.in_force(surface, category_id, day)
            free[day] = rule.slots_per_day if rule else 0
    return free


def fill_candidates(surface: Surface, category_id: int):
    """Eligible videos of the field not yet nominated for the surface, best graded first."""
    allowed = [g for g in GRADE_RANK if grade_at_least(g, surface.min_grade)]
    open_nomination = Nomination.objects.filter(
        video=OuterRef("pk"), surface=surface, status__in=OPEN_NOMINATION
    )
    videos = (
        Video.objects.filter(
            category_id=category_id,
            declared_original=True,
            grade__in=allowed,
            content_type__in=surface.content_types.values("pk"),
        )
        .exclude(originality__in=NOT_STANDING)
        .filter(~Exists(open_nomination))
    )
    if surface.product_required:
        videos = videos.filter(Exists(VideoProduct.objects.filter(video=OuterRef("pk"))))
    rank = Case(
        *(When(grade=g, then=Value(r)) for g, r in GRADE_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    return videos.annotate(grade_rank=rank).order_by(
        "-grade_rank", F("grade_score").desc(nulls_last=True), "-published_at", "-id"
    )


@transaction.atomic
def fill_propose(
    *,
    actor,
    surface: Surface,
    category_id: int,
    week_start: datetime.date,
    as_of: datetime.date | None = None,
) -> int:
    """Propose the best-graded eligible videos for the week's free slots (not yet proposed):
    pending nominations from the weekly fill, each with a proposed day, for a manager to
    confirm. The surface's row is locked, so two proposals at once (the schedule and a manager)
    queue and the second sees the first's proposals. Returns the number proposed."""
    authorize(actor, "placements.schedule", category_id)
    Surface.objects.select_for_update().filter(pk=surface.pk).first()
    today = as_of or timezone.localdate()
    days = [d for d in week_days(week_start) if d > today]
    if not days:
        raise ValidationError({"week": _("Choose a week that has days after today.")})
    free = free_slots(surface, category_id, days)
    proposed = dict.fromkeys(days, 0)
    for row in Nomination.objects.filter(
        surface=surface,
        category_id=category_id,
        source=NominationSource.AUTO_FILL,
        status=NominationStatus.PENDING,
        proposed_day__in=days,
    ).values("proposed_day"):
        proposed[row["proposed_day"]] += 1
    wanted = {d: free[d] - proposed[d] for d in days if free[d] > proposed[d]}
    if not wanted:
        return 0
    made = _insert_proposals(actor, surface, category_id, wanted)
    if not made:
        return 0
    audit_record(
        actor=actor,
        action="placements.fill_propose",
        obj=surface,
        after={"field": category_id, "week": week_start, "proposed": made},
    )
    return made


def _insert_proposals(actor, surface: Surface, category_id: int, wanted: dict) -> int:
    """One INSERT … SELECT: the best `sum(wanted)` candidates (fill_candidates' query, order
    and LIMIT, then numbered by ROW_NUMBER in that order) become pending fill nominations, the first
    `wanted[day 1]` of them on the first day, the next ones on the next day, and so on. No
    video passes through Python: the cost is the candidates' sort and the rows written. Plain
    SQL that PostgreSQL and SQLite both run."""
    total = sum(wanted.values())
    columns = ("id", "grade", "grade_rank", "grade_score", "published_at")
    best = fill_candidates(surface, category_id).values(*columns)[:total]
    inner, inner_params = best.query.sql_with_params()
    as_date = Nomination._meta.get_field("proposed_day").get_db_prep_value
    as_time = Nomination._meta.get_field("nominated_at").get_db_prep_value
    bounds, day_params, upto = [], [], 0
    for day, count in wanted.items():
        upto += count
        bounds.append("WHEN c.n <= %s THEN %s")
        day_params += [upto, as_date(day, connection)]
    table = Nomination._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (video_id, surface_id, category_id, organization_id, source,
                  product_id, status, note, proposed_day, nominated_by_id, nominated_at,
                  decided_by_id, decided_at, decline_reason, decision_note)
                SELECT c.id, %s, %s, NULL, %s, NULL, %s, REPLACE(%s, %s, c.grade),
                       CASE {" ".join(bounds)} END, %s, %s, NULL, NULL, '', ''
                FROM (SELECT b.id, b.grade, ROW_NUMBER() OVER (ORDER BY b.grade_rank DESC,
                        b.grade_score DESC NULLS LAST, b.published_at DESC, b.id DESC) AS n
                      FROM ({inner}) b) c""",  # noqa: S608 - the ORM's SQL; values are parameters
            [
                surface.pk,
                category_id,
                NominationSource.AUTO_FILL,
                NominationStatus.PENDING,
                _("Weekly fill: grade %(grade)s"),
                "%(grade)s",
                *day_params,
                actor.pk if getattr(actor, "pk", None) else None,
                as_time(timezone.now(), connection),
                *inner_params,
            ],
        )
        return cursor.rowcount


@transaction.atomic
def fill_confirm(*, actor, surface: Surface, category_id: int, week_start: datetime.date) -> int:
    """Schedule the week's pending fill proposals on their proposed days (the next free day
    when that one filled up meanwhile). Returns the number scheduled."""
    authorize(actor, "placements.schedule", category_id)
    pending = list(
        Nomination.objects.filter(
            surface=surface,
            category_id=category_id,
            source=NominationSource.AUTO_FILL,
            status=NominationStatus.PENDING,
            proposed_day__in=week_days(week_start),
        ).order_by("proposed_day", "pk")
    )
    scheduled = 0
    for nomination in pending:
        day = nomination.proposed_day
        days = [day] if day > timezone.localdate() else None
        try:
            with transaction.atomic():
                placement_accept(actor=actor, nomination=nomination, days=days)
        except ValidationError:
            with transaction.atomic():
                try:
                    placement_accept(actor=actor, nomination=nomination, days=None)
                except ValidationError:
                    continue
        scheduled += 1
    audit_record(
        actor=actor,
        action="placements.fill_confirm",
        obj=surface,
        after={"field": category_id, "week": week_start, "scheduled": scheduled},
    )
    return scheduled


# --- withdrawal ----------------------------------------------------------------------------------


@transaction.atomic
def placements_withdraw_video(*, actor, video: Video, reason: str) -> int:
    """A video rejected as a copy leaves every slot from today on (the slot is freed, the feed
    shows it withdrawn, a `placement.withdrawn` webhook goes out), its open nominations are
    withdrawn, and its open coupons give their undelivered impressions back to the pool.
    Returns the number of placements withdrawn."""
    from placements.models import Coupon

    today = timezone.localdate()
    placements = list(
        Placement.objects.select_for_update(of=("self",))
        .filter(video=video, status=PlacementStatus.SCHEDULED, day__gte=today)
        .select_related("surface", "category", "video", "product")
        .order_by("pk")
    )
    now = timezone.now()
    for placement in placements:
        Placement.objects.filter(pk=placement.pk).update(
            status=PlacementStatus.WITHDRAWN, withdrawn_at=now, withdrawn_reason=reason[:200]
        )
        _release(placement.inventory_day_id)
        placement.status = PlacementStatus.WITHDRAWN
        placement.withdrawn_reason = reason[:200]
        events.publish(
            "placement.withdrawn",
            placement_data(placement),
            organization=video.organization,
            obj=placement,
        )
    nominations = Nomination.objects.filter(video=video, status__in=OPEN_NOMINATION).update(
        status=NominationStatus.WITHDRAWN, decision_note=reason[:500], decided_at=now
    )
    coupons = list(
        Coupon.objects.select_for_update()
        .filter(video=video, closed_at__isnull=True)
        .select_related("entry")
        .order_by("pk")
    )
    returned = close_coupons(coupons, reason_code="originality_rejected") if coupons else 0
    if placements or nominations or coupons:
        audit_record(
            actor=actor,
            action="placements.withdraw",
            obj=video,
            organization=video.organization,
            after={
                "placements": len(placements),
                "nominations": nominations,
                "coupons": len(coupons),
                "returned_fen": returned,
            },
            reason=reason,
        )
    return len(placements)
