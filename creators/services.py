"""Writes to creators and their bindings."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.accounts.permissions import authorize
from portal.audit.services import audit_record, snapshot
from portal.core.models import Category

from .models import Binding, BindingSource, Creator

CREATOR_FIELDS = [
    "platform_account_id",
    "display_name",
    "primary_category",
    "follower_count",
    "real_name_verified",
]


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


@transaction.atomic
def binding_start(
    *,
    actor,
    creator: Creator,
    organization,
    source: str = BindingSource.RECRUITED,
    started_on: datetime.date,
) -> Binding:
    """Bind `creator` to `organization`. The database refuses a second active binding, also when
    two organizations try at the same moment."""
    authorize(actor, "binding.start", organization)
    if not organization.is_active:
        raise ValidationError(_("Only an approved organization can bind creators."))
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
        raise ValidationError(_("This creator is already bound to an organization.")) from exc
    audit_record(
        actor=actor,
        action="binding.start",
        obj=binding,
        organization=organization,
        after=snapshot(binding, ["creator", "organization", "source", "started_on"]),
    )
    return binding
