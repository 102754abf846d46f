"""``{% load incubation_tags %}``: the incubation status of a creator on pages of other apps."""

from django import template

from incubation.models import Nomination, NominationStatus, PoolMember, PoolStage
from portal.accounts.permissions import can

register = template.Library()


@register.inclusion_tag("incubation/_nominate_link.html", takes_context=True)
def nominate_link(context, creator) -> dict:
    """``{% nominate_link creator %}``: the creator's place in the pool (with a link to the member
    page), a nomination under review, or a "Nominate for incubation" link for whoever may
    nominate them; nothing otherwise."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {}
    member = (
        PoolMember.objects.for_user(user)
        .filter(creator=creator)
        .exclude(stage=PoolStage.EXITED)
        .first()
    )
    if member is not None:
        return {"member": member, "creator": creator}
    if not can(user, "incubation.nominate", creator):
        return {}
    pending = Nomination.objects.filter(creator=creator, status=NominationStatus.PENDING).exists()
    return {"pending": pending, "may_nominate": not pending, "creator": creator}
