"""The incentives' figures on the dashboards (registered in `IncentivesConfig.ready`)."""

from portal.core.dashboards import register_panel

from .models import ListStatus, Pool, ProgramStatus, RewardList
from .payout_selectors import organization_estimate
from .selectors import failed_payments, share, tier_progress


@register_panel("operator", order=30)
def operator_incentives(user, context) -> dict:
    """The running programs' pools and the reward lists waiting for an operator."""
    pools = list(
        Pool.objects.filter(program__status=ProgramStatus.ACTIVE)
        .select_related("program")
        .order_by("program__starts_on", "program_id", "kind")
    )
    for pool in pools:
        pool.share = share(pool.committed, pool.budget)
    return {
        "incentive_pools": pools,
        "lists_in_review": RewardList.objects.filter(status=ListStatus.IN_REVIEW).count(),
        "lists_to_pay": RewardList.objects.filter(status=ListStatus.EXPORTED).count(),
        "failed_payments": failed_payments(),
    }


@register_panel("organization", order=30, needs="organization")
def organization_incentives(user, context) -> dict:
    organization = context["organization"]
    return {
        "tier_progress": tier_progress(organization),
        "failed_payments": failed_payments(organization),
        "estimate": organization_estimate(organization),
    }
