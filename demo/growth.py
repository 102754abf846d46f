"""Demo data for agency growth: the last six months scored, in order, through the service (the
levels' hysteresis needs the month before), as the monthly job would have done; and a few
creators' self-service links, sent by the showcase organization and the program team, one of
them revoked; and the creators' answers to their consent requests: most share everything, some
only part of it, a few have not answered or declined."""

import datetime

from creators.models import Binding, BindingConsent, ConsentState, Scope
from creators.services import consent_decline, consent_give
from creators.services.consent import consent_token
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
    return {
        "months": len(months),
        "scorecards": scored,
        "links": _links(operator, showcase_owner),
        **demo_consents(),
    }


# Of every ten creators (by binding id): one has not answered yet, one shares only part of their
# data (metrics; or metrics and earnings), one in forty declined; the others share everything.
PARTIAL = ([Scope.METRICS], [Scope.METRICS, Scope.EARNINGS])


def demo_consents() -> dict:
    """The creators answer their consent requests through the same service as the consent page
    (with their link's token); the ones left waiting are on their organization's waiting list."""
    answered = {"consented": 0, "partial": 0, "declined": 0, "waiting": 0}
    pending = (
        BindingConsent.objects.filter(state=ConsentState.PENDING, binding__ended_on__isnull=True)
        .select_related("binding__creator", "binding__organization")
        .order_by("binding_id")
    )
    for consent in pending:
        token = consent_token(consent)
        number = consent.binding_id
        if number % 10 == 3:
            answered["waiting"] += 1
        elif number % 40 == 7:
            consent_decline(consent=consent, token=token)
            answered["declined"] += 1
        elif number % 10 == 7:
            consent_give(consent=consent, token=token, scopes=PARTIAL[number % 2])
            answered["partial"] += 1
        else:
            consent_give(
                consent=consent,
                token=token,
                scopes=Scope.values,
                contact_mobile=f"139{number % 10**8:08d}",
            )
            answered["consented"] += 1
    return {f"consents_{key}": value for key, value in answered.items()}


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
