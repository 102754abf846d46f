"""The year's top-100 shortlist: proposed from the ranking, pinned and excluded by managers with
a reason, reviewed by operators, snapshotted weekly, frozen and published at the year's end.

Two guards keep it at 100: every edit locks the shortlist row (editors take turns), and the
database refuses a slot outside 1-100 or taken twice. Every edit names the version the editor saw;
an edit based on an older version is refused (StaleShortlist), never merged silently.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from creators.models import Binding
from incubation import selectors
from incubation.models import (
    SHORTLIST_SLOTS,
    PoolMember,
    PoolStage,
    ScoreSnapshot,
    Shortlist,
    ShortlistEntry,
    ShortlistExclusion,
    ShortlistSnapshot,
    ShortlistSnapshotEntry,
    ShortlistStatus,
    SnapshotKind,
)
from organizations.models import Membership, OrgRole
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core import events
from portal.core.notifications import notify_many

from .pool import _set_stage


class StaleShortlist(ValidationError):
    """The shortlist changed since the editor read it."""


def shortlist_for(year: int) -> Shortlist:
    shortlist, _created = Shortlist.objects.get_or_create(year=year)
    return shortlist


def _locked(shortlist: Shortlist, expected_version: int | None) -> Shortlist:
    shortlist = Shortlist.objects.select_for_update().get(pk=shortlist.pk)
    if expected_version is not None and shortlist.version != expected_version:
        raise StaleShortlist(
            _(
                "Someone changed the shortlist since you opened it (version %(seen)s, now "
                "%(now)s). Reload it and make your change again."
            )
            % {"seen": expected_version, "now": shortlist.version},
            code="stale",
        )
    if shortlist.status != ShortlistStatus.OPEN:
        raise ValidationError(
            _("The shortlist is %(status)s and no longer changes.")
            % {"status": shortlist.get_status_display().lower()}
        )
    return shortlist


def _bump(shortlist: Shortlist) -> None:
    shortlist.version += 1
    Shortlist.objects.filter(pk=shortlist.pk).update(version=shortlist.version)


def _free_slot(shortlist: Shortlist) -> int | None:
    taken = set(ShortlistEntry.objects.filter(shortlist=shortlist).values_list("slot", flat=True))
    return next((slot for slot in range(1, SHORTLIST_SLOTS + 1) if slot not in taken), None)


@transaction.atomic
def shortlist_add(
    *, actor, shortlist: Shortlist, creator, reason: str, expected_version: int
) -> ShortlistEntry:
    """Pin a pool member to the shortlist (a proposal keeps pinned entries)."""
    authorize(actor, "shortlist.edit", creator)
    shortlist = _locked(shortlist, expected_version)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this creator belongs on the shortlist.")})
    if not PoolMember.objects.in_pool().filter(creator=creator).exists():
        raise ValidationError(_("Only members of the reserve pool can be shortlisted."))
    if ShortlistEntry.objects.filter(shortlist=shortlist, creator=creator).exists():
        raise ValidationError(_("This creator is already on the shortlist."))
    slot = _free_slot(shortlist)
    if slot is None:
        raise ValidationError(
            _("The shortlist already holds 100 creators; remove one before adding another.")
        )
    try:
        with transaction.atomic():
            entry = ShortlistEntry.objects.create(
                shortlist=shortlist,
                slot=slot,
                creator=creator,
                pinned=True,
                reason=reason.strip(),
                added_by=actor,
            )
    except IntegrityError:
        raise ValidationError(
            _("The shortlist already holds 100 creators; remove one before adding another.")
        ) from None
    ShortlistExclusion.objects.filter(shortlist=shortlist, creator=creator).delete()
    _bump(shortlist)
    audit_record(
        actor=actor,
        action="shortlist.add",
        obj=shortlist,
        after={"creator": creator.pk, "slot": slot, "version": shortlist.version},
        reason=reason.strip(),
    )
    return entry


@transaction.atomic
def shortlist_exclude(
    *, actor, shortlist: Shortlist, creator, reason: str, expected_version: int
) -> ShortlistExclusion:
    """Take a creator off the shortlist (if on it) and keep them off future proposals."""
    authorize(actor, "shortlist.edit", creator)
    shortlist = _locked(shortlist, expected_version)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this creator is kept off the shortlist.")})
    removed = ShortlistEntry.objects.filter(shortlist=shortlist, creator=creator).delete()[0]
    exclusion, _created = ShortlistExclusion.objects.update_or_create(
        shortlist=shortlist,
        creator=creator,
        defaults={"reason": reason.strip(), "excluded_by": actor},
    )
    _bump(shortlist)
    audit_record(
        actor=actor,
        action="shortlist.exclude",
        obj=shortlist,
        after={"creator": creator.pk, "removed": bool(removed), "version": shortlist.version},
        reason=reason.strip(),
    )
    return exclusion


@transaction.atomic
def shortlist_include(*, actor, shortlist: Shortlist, creator, expected_version: int) -> None:
    """Lift an exclusion: the creator may be proposed again."""
    authorize(actor, "shortlist.edit", creator)
    shortlist = _locked(shortlist, expected_version)
    ShortlistExclusion.objects.filter(shortlist=shortlist, creator=creator).delete()
    _bump(shortlist)
    audit_record(
        actor=actor,
        action="shortlist.include",
        obj=shortlist,
        after={"creator": creator.pk, "version": shortlist.version},
    )


@transaction.atomic
def shortlist_propose(*, actor, shortlist: Shortlist, expected_version: int) -> int:
    """Fill the shortlist from the latest ranking: pinned entries stay; the other slots take the
    best-ranked pool members who are not excluded, not held out and not already on it. Returns
    the number of proposed (unpinned) entries."""
    authorize(actor, "shortlist.decide")
    shortlist = _locked(shortlist, expected_version)
    ShortlistEntry.objects.filter(shortlist=shortlist, pinned=False).delete()
    day = selectors.latest_scores_day()
    proposed = 0
    if day is not None:
        taken = set(
            ShortlistEntry.objects.filter(shortlist=shortlist).values_list("slot", flat=True)
        )
        free = [slot for slot in range(1, SHORTLIST_SLOTS + 1) if slot not in taken]
        candidates = (
            ScoreSnapshot.objects.filter(day=day, held_out=False, rank__isnull=False)
            .filter(
                creator__pool_member__stage__in=[
                    PoolStage.RESERVE,
                    PoolStage.INCUBATING,
                    PoolStage.TOP_100,
                ]
            )
            .exclude(
                creator__in=ShortlistEntry.objects.filter(shortlist=shortlist).values("creator")
            )
            .exclude(
                creator__in=ShortlistExclusion.objects.filter(shortlist=shortlist).values("creator")
            )
            .order_by("rank", "creator_id")
            .values_list("creator_id", flat=True)[: len(free)]
        )
        ShortlistEntry.objects.bulk_create(
            ShortlistEntry(shortlist=shortlist, slot=slot, creator_id=creator_id, added_by=actor)
            for slot, creator_id in zip(free, candidates, strict=False)
        )
        proposed = ShortlistEntry.objects.filter(shortlist=shortlist, pinned=False).count()
    _bump(shortlist)
    audit_record(
        actor=actor,
        action="shortlist.propose",
        obj=shortlist,
        after={"scores_of": day, "proposed": proposed, "version": shortlist.version},
    )
    return proposed


def _snapshot(shortlist: Shortlist, kind: str, day: datetime.date) -> ShortlistSnapshot:
    snapshot = ShortlistSnapshot.objects.create(
        shortlist=shortlist, kind=kind, taken_on=day, shortlist_version=shortlist.version
    )
    ShortlistSnapshotEntry.objects.bulk_create(
        ShortlistSnapshotEntry(
            snapshot=snapshot,
            position=position,
            creator_id=entry.creator_id,
            score=entry.score_row.score if entry.score_row else None,
            pinned=entry.pinned,
        )
        for position, entry in enumerate(selectors.ordered_entries(shortlist), start=1)
    )
    return snapshot


@transaction.atomic
def shortlist_snapshot_weekly(*, day: datetime.date | None = None) -> ShortlistSnapshot | None:
    """The weekly snapshot of this year's open shortlist (the beat job; once a day at most)."""
    day = day or timezone.localdate()
    shortlist = Shortlist.objects.select_for_update().filter(year=day.year).first()
    if shortlist is None or shortlist.status != ShortlistStatus.OPEN:
        return None
    existing = ShortlistSnapshot.objects.filter(
        shortlist=shortlist, kind=SnapshotKind.WEEKLY, taken_on=day
    ).first()
    if existing is not None:
        return existing
    snapshot = _snapshot(shortlist, SnapshotKind.WEEKLY, day)
    audit_record(
        actor="system",
        action="shortlist.snapshot",
        obj=shortlist,
        after={"day": day, "entries": snapshot.rows.count()},
    )
    return snapshot


@transaction.atomic
def shortlist_freeze(*, actor, shortlist: Shortlist, expected_version: int) -> ShortlistSnapshot:
    """The year-end freeze: the final snapshot; its creators move to the top-100 stage."""
    authorize(actor, "shortlist.decide")
    shortlist = _locked(shortlist, expected_version)
    if not ShortlistEntry.objects.filter(shortlist=shortlist).exists():
        raise ValidationError(_("The shortlist is empty; propose or pin creators first."))
    snapshot = _snapshot(shortlist, SnapshotKind.FINAL, timezone.localdate())
    now = timezone.now()
    Shortlist.objects.filter(pk=shortlist.pk).update(
        status=ShortlistStatus.FROZEN, frozen_at=now, frozen_by=actor
    )
    for member in (
        PoolMember.objects.select_for_update()
        .filter(creator__in=snapshot.rows.values("creator"))
        .exclude(stage=PoolStage.TOP_100)
    ):
        _set_stage(member, PoolStage.TOP_100, actor=actor, reason=_("Frozen on the shortlist"))
    audit_record(
        actor=actor,
        action="shortlist.freeze",
        obj=shortlist,
        after={"entries": snapshot.rows.count(), "version": shortlist.version},
    )
    return snapshot


@transaction.atomic
def shortlist_publish(*, actor, shortlist: Shortlist) -> Shortlist:
    """Publish the frozen list: the page and the API show it, and the owners and admins of the
    organizations of its creators are told."""
    authorize(actor, "shortlist.decide")
    shortlist = Shortlist.objects.select_for_update().get(pk=shortlist.pk)
    if shortlist.status != ShortlistStatus.FROZEN:
        raise ValidationError(_("Freeze the shortlist before publishing it."))
    Shortlist.objects.filter(pk=shortlist.pk).update(
        status=ShortlistStatus.PUBLISHED, published_at=timezone.now()
    )
    shortlist.refresh_from_db()
    final = shortlist.snapshots.get(kind=SnapshotKind.FINAL)
    organizations = Binding.objects.filter(
        creator__in=final.rows.values("creator"), ended_on__isnull=True
    ).values("organization_id")
    people = Membership.objects.filter(
        organization_id__in=organizations, role__in=[OrgRole.OWNER, OrgRole.ADMIN]
    ).values_list("user_id", "organization_id")
    notify_many(
        pairs=people,
        event="shortlist.published",
        link=reverse("incubation:published", args=[shortlist.year]),
    )
    audit_record(
        actor=actor,
        action="shortlist.publish",
        obj=shortlist,
        after={"entries": final.rows.count()},
    )
    events.publish(
        "shortlist.published",
        {
            "shortlist": {
                "id": shortlist.pk,
                "year": shortlist.year,
                "status": shortlist.status,
                "version": shortlist.version,
                "entries": final.rows.count(),
                "published_at": shortlist.published_at,
            }
        },
        obj=shortlist,
    )
    return shortlist


def shortlist_award(
    *, actor, shortlist: Shortlist, reward_list, amount, pool: str, note: str
) -> int:
    """The program's incubation reward for every creator of the published shortlist: lines and
    ledger entries through the incentives services (each creator at most once per cycle)."""
    from incentives.services import settlement_award

    if shortlist.status != ShortlistStatus.PUBLISHED:
        raise ValidationError(_("Publish the shortlist before awarding its rewards."))
    final = shortlist.snapshots.get(kind=SnapshotKind.FINAL)
    creators = [row.creator for row in final.rows.select_related("creator")]
    return settlement_award(
        actor=actor,
        reward_list=reward_list,
        creators=creators,
        amount=amount,
        pool=pool,
        note=note,
    )
