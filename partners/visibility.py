"""What partner applications see, model by model (`for_partner` in `portal.core.scoping`).

Every model not named here stays closed to partners. Partners read the program's public side:
organizations admitted to it (approved, or suspended for now), the creators currently bound to them
and those bindings, those creators' daily metrics, the programs that run or ran with their cycles,
and reward lists once published with their lines; videos published under admitted organizations
and their daily figures. Never applications in progress, people, coaching,
the audit log or anything in draft.
"""

from creators.models import Binding, Creator, DailyMetric
from incentives.models import (
    PUBLISHED_STATUSES,
    Cycle,
    Program,
    ProgramStatus,
    RewardLine,
    RewardList,
)
from organizations.models import Organization, OrganizationStatus
from portal.core.models import Category
from portal.core.scoping import open_to_partners

ADMITTED = (OrganizationStatus.APPROVED, OrganizationStatus.SUSPENDED)


@open_to_partners(Organization._meta.label)
def _organizations(queryset, user):
    return queryset.filter(status__in=ADMITTED)


@open_to_partners(Creator._meta.label)
def _creators(queryset, user):
    return queryset.with_active_binding().filter(active__organization__status__in=ADMITTED)


@open_to_partners(Binding._meta.label)
def _bindings(queryset, user):
    return queryset.filter(organization__status__in=ADMITTED)


@open_to_partners(DailyMetric._meta.label)
def _metrics(queryset, user):
    # One filter() call: both conditions hold for the same (the current) binding.
    return queryset.filter(
        creator__bindings__ended_on__isnull=True,
        creator__bindings__organization__status__in=ADMITTED,
    )


@open_to_partners(Program._meta.label)
def _programs(queryset, user):
    return queryset.exclude(status=ProgramStatus.DRAFT)


@open_to_partners(Cycle._meta.label)
def _cycles(queryset, user):
    return queryset.exclude(program__status=ProgramStatus.DRAFT)


@open_to_partners(RewardList._meta.label)
def _reward_lists(queryset, user):
    return queryset.filter(status__in=PUBLISHED_STATUSES)


@open_to_partners(RewardLine._meta.label)
def _reward_lines(queryset, user):
    return queryset.filter(
        reward_list__status__in=PUBLISHED_STATUSES, organization__status__in=ADMITTED
    )


@open_to_partners("content.Video")
def _videos(queryset, user):
    """Videos published under an organization admitted to the program."""
    return queryset.filter(organization__status__in=ADMITTED)


@open_to_partners("content.VideoMetric")
def _video_metrics(queryset, user):
    return queryset.filter(video__organization__status__in=ADMITTED)


@open_to_partners("placements.Placement")
def _placements(queryset, user):
    """The published feed: every placement, withdrawn ones included (the front ends must
    learn that a slot was withdrawn)."""
    return queryset.all()


@open_to_partners("placements.Coupon")
def _coupons(queryset, user):
    """Coupons the content system delivers."""
    return queryset.all()


@open_to_partners(Category._meta.label)
def _categories(queryset, user):
    return queryset.all()
