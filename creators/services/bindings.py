"""Writes to creators and their bindings."""

import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from creators.models import Binding, BindingSource, Creator
from creators.services.consent import consent_open
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record, snapshot
from portal.core import events
from portal.core.models import Category
from portal.core.ranges import EARLIEST_DAY
from portal.core.uploads import clean_image

CREATOR_FIELDS = [
    "platform_account_id",
    "display_name",
    "primary_category",
    "follower_count",
    "real_name_verified",
]


def binding_data(change: str, binding, previous=None) -> dict:
    """A binding change as partners' webhooks show it."""

    def one(b):
        return {
            "id": b.pk,
            "creator": b.creator_id,
            "organization": b.organization_id,
            "source": b.source,
            "started_on": b.started_on,
            "ended_on": b.ended_on,
        }

    data = {"change": change, "binding": one(binding)}
    if previous is not None:
        data["previous_binding"] = one(previous)
    return data


@transaction.atomic
def creator_register(
    *,
    actor,
    platform_account_id: str,
    display_name: str,
    primary_category: Category,
    follower_count: int = 0,
    real_name_verified: bool = False,
    organization=None,
) -> Creator:
    """Record a creator's platform account (for an organization when one is given)."""
    authorize(actor, "creator.register", organization)
    creator = Creator(
        platform_account_id=platform_account_id.strip(),
        display_name=display_name.strip(),
        primary_category=primary_category,
        follower_count=follower_count,
        real_name_verified=real_name_verified,
    )
    creator.full_clean()
    creator.save()
    audit_record(
        actor=actor,
        action="creator.register",
        obj=creator,
        organization=organization,
        after=snapshot(creator, CREATOR_FIELDS),
    )
    return creator


def check_period_free(*, creator: Creator, started_on: datetime.date) -> None:
    """Refuse a new (open) binding of `creator` from `started_on` that would share a day with
    another of its bindings, or that starts in the future or before any plausible date."""
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": _("A binding cannot start in the future.")})
    if started_on < EARLIEST_DAY:
        raise ValidationError(
            {"started_on": _("Enter a date from %(day)s on.") % {"day": EARLIEST_DAY}}
        )
    clashes = list(
        Binding.objects.overlapping(creator=creator, started_on=started_on).values_list(
            "ended_on", flat=True
        )
    )
    if not clashes:
        return
    if None in clashes:
        raise ValidationError(_("This creator is already bound to an organization."))
    raise ValidationError(
        {
            "started_on": _(
                "This creator's previous binding ended on %(day)s; a new binding can start on "
                "that day at the earliest."
            )
            % {"day": max(clashes)}
        }
    )


@transaction.atomic
def binding_start(
    *,
    actor,
    creator: Creator,
    organization,
    source: str = BindingSource.RECRUITED,
    started_on: datetime.date,
) -> Binding:
    """Bind `creator` to `organization` from `started_on` (today or earlier). The new period may
    not share a day with another binding of the creator; the database refuses a second active
    binding and, on PostgreSQL, any overlap, also when two organizations try at the same moment.
    The creator's consent is asked (a pending `BindingConsent`; `consent_path` is its link)."""
    authorize(actor, "binding.start", organization)
    if not organization.is_active:
        raise ValidationError(_("Only an approved organization can bind creators."))
    check_period_free(creator=creator, started_on=started_on)
    binding = Binding(
        creator=creator,
        organization=organization,
        source=source,
        started_on=started_on,
        created_by=actor,
    )
    binding.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            binding.save()
    except IntegrityError as exc:
        # Another binding won the race (unique active binding, or the periods' exclusion).
        raise ValidationError(_("This creator is already bound to an organization.")) from exc
    consent_open(actor=actor, binding=binding)
    audit_record(
        actor=actor,
        action="binding.start",
        obj=binding,
        organization=organization,
        after=snapshot(binding, ["creator", "organization", "source", "started_on"]),
    )
    events.publish(
        "binding.changed",
        binding_data("started", binding),
        organization=organization,
        obj=binding,
    )
    return binding


@transaction.atomic
def binding_end(
    *, actor, binding: Binding, reason: str, ended_on: datetime.date | None = None
) -> Binding:
    """End a creator's binding (the creator leaves the organization's roster)."""
    authorize(actor, "binding.end", binding.organization)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for ending the binding.")})
    ended_on = ended_on or timezone.localdate()
    if ended_on < binding.started_on:
        raise ValidationError({"ended_on": _("A binding cannot end before it starts.")})
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": _("A binding cannot end in the future.")})
    updated = Binding.objects.filter(pk=binding.pk, ended_on__isnull=True).update(
        ended_on=ended_on, end_reason=reason
    )
    if not updated:
        raise ValidationError(_("This binding has already ended."))
    audit_record(
        actor=actor,
        action="binding.end",
        obj=binding,
        organization=binding.organization,
        before={"ended_on": None},
        after={"ended_on": ended_on},
        reason=reason,
    )
    binding.refresh_from_db()
    events.publish(
        "binding.changed",
        binding_data("ended", binding),
        organization=binding.organization,
        obj=binding,
    )
    return binding


@transaction.atomic
def bindings_end(*, actor, organization, creator_ids, reason: str) -> int:
    """End the active bindings of several creators of one organization (a bulk roster action)."""
    bindings = list(
        Binding.objects.select_for_update()
        .filter(organization=organization, creator_id__in=list(creator_ids), ended_on__isnull=True)
        .select_related("organization")
    )
    for binding in bindings:
        binding_end(actor=actor, binding=binding, reason=reason)
    return len(bindings)


@transaction.atomic
def creator_set_avatar(*, actor, creator: Creator, upload) -> Creator:
    """Store a creator's avatar: validated, re-encoded without metadata, at most 2 MB."""
    binding = creator.bindings.filter(ended_on__isnull=True).select_related("organization").first()
    authorize(actor, "creator.edit", binding.organization if binding else None)
    try:
        clean = clean_image(upload, max_bytes=2 * 1024 * 1024, max_pixels=16_000_000)
    except ValidationError as error:
        raise ValidationError({"avatar": error.messages}) from error
    old = creator.avatar.name if creator.avatar else ""
    creator.avatar.save(f"avatar.{clean.extension}", ContentFile(clean.content), save=False)
    creator.save(update_fields=["avatar", "updated_at"])
    if old:
        storage = creator.avatar.storage
        transaction.on_commit(lambda: storage.delete(old))
    audit_record(
        actor=actor,
        action="creator.avatar",
        obj=creator,
        organization=binding.organization if binding else None,
        before={"avatar": old},
        after={"avatar": creator.avatar.name},
    )
    return creator
