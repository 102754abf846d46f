"""Demo data for agency growth: the last six months scored, in order, through the service (the
levels' hysteresis needs the month before), as the monthly job would have done; and a few
creators' self-service links, sent by the showcase organization and the program team, one of
them revoked."""

import datetime

from creators.models import Binding
from growth.services.scorecard import previous_month, scorecards_compute
from growth.services.selfservice import selfservice_link_revoke, selfservice_link_send

DEMO_MONTHS = 6


def demo_growth(*, operator, today: datetime.date, showcase_owner=None) -> dict:
    months = [previous_month(today.replace(day=1))]
    for _ in range(DEMO_MONTHS - 1):
        months.append(previous_month(months[-1]))
    scored = 0
    for month in reversed(months):
        scored += scorecards_compute(actor=operator, month=month, as_of=today)["scored"]
    return {"months": len(months), "scorecards": scored, "links": _links(operator, showcase_owner)}


def _links(operator, owner) -> int:
    """Self-service links for three of the showcase organization's creators (the second one
    revoked, as when a link went to the wrong person) and one the program team sent."""
    if owner is None:
        return 0
    creators = [
        b.creator
        for b in Binding.objects.filter(
            organization_id=owner.membership.organization_id, ended_on__isnull=True
        )
        .select_related("creator")
        .order_by("started_on", "pk")[:4]
    ]
    links = [selfservice_link_send(actor=owner, creator=c) for c in creators[:3]]
    if len(links) > 1:
        selfservice_link_revoke(actor=owner, link=links[1])
    if len(creators) > 3:
        links.append(selfservice_link_send(actor=operator, creator=creators[3], days=14))
    return len(links)
