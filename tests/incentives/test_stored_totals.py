"""The totals a reward list stores (cash, traffic, lines, creators) equal those computed from its
lines after every service that writes lines: the computation, an adjustment (for a creator or an
organization) and an award."""

from decimal import Decimal

from django.db.models import Count, Q, Sum

from incentives.models import PoolKind, RewardLine, RewardList
from incentives.services import settlement_adjust, settlement_approve, settlement_award
from tests.creators.factories import BindingFactory
from tests.incentives.test_safeguards import cycle, in_review  # noqa: F401 (fixtures)


def stored(reward_list) -> dict:
    reward_list = RewardList.objects.get(pk=reward_list.pk)
    return {
        "cash": reward_list.cash_total,
        "traffic": reward_list.traffic_total,
        "lines": reward_list.line_count,
        "creators": reward_list.creator_count,
    }


def computed(reward_list) -> dict:
    figures = RewardLine.objects.filter(reward_list=reward_list).aggregate(
        cash=Sum("amount", filter=Q(pool=PoolKind.CASH), default=Decimal(0)),
        traffic=Sum("amount", filter=Q(pool=PoolKind.TRAFFIC), default=Decimal(0)),
        lines=Count("id"),
        creators=Count("creator", distinct=True),
    )
    return figures


def approved_list(operator, in_review):  # noqa: F811
    return settlement_approve(actor=operator, reward_list=in_review, revision=in_review.revision)


def test_the_computation_stores_the_count_of_creators(in_review):  # noqa: F811
    assert computed(in_review)["creators"] > 0
    assert stored(in_review) == computed(in_review)


def test_adjustments_keep_the_stored_totals(operator, organization, in_review):  # noqa: F811
    reward_list = approved_list(operator, in_review)
    creator = RewardLine.objects.filter(reward_list=reward_list).exclude(creator=None)[0].creator
    before = stored(reward_list)
    for beneficiary in ({"organization": organization}, {"creator": creator}):
        settlement_adjust(
            actor=operator,
            reward_list=RewardList.objects.get(pk=reward_list.pk),
            amount=Decimal("-10.00"),
            reason_code="returned_payment",
            note="Returned",
            **beneficiary,
        )
        assert stored(reward_list) == computed(reward_list)
    # Neither beneficiary is a new creator on the list.
    assert stored(reward_list)["creators"] == before["creators"]
    assert stored(reward_list)["lines"] == before["lines"] + 2


def test_an_award_counts_only_the_creators_new_to_the_list(
    operator,
    organization,
    in_review,  # noqa: F811
):
    reward_list = approved_list(operator, in_review)
    on_list = RewardLine.objects.filter(reward_list=reward_list).exclude(creator=None)[0].creator
    newcomers = [BindingFactory(organization=organization).creator for _ in range(2)]
    before = stored(reward_list)
    awarded = settlement_award(
        actor=operator,
        reward_list=RewardList.objects.get(pk=reward_list.pk),
        creators=[on_list, *newcomers],
        amount=Decimal("50.00"),
        pool=PoolKind.CASH,
        note="Top-100 incubation reward",
    )
    assert awarded == 3
    assert stored(reward_list) == computed(reward_list)
    assert stored(reward_list)["creators"] == before["creators"] + 2
