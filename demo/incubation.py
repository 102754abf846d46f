"""The demo's reserve pool and shortlist, made through the services by the people who would act:
organizations nominate their best creators (some accepted, one declined, some waiting), an entry
rule admits more, the weights are published, two weeks of daily scores are computed, and this
year's shortlist is proposed from the ranking with a pin and an exclusion, with weekly snapshots."""

import datetime
import random

from creators.models import Binding
from incubation.models import Nomination, PoolMember
from incubation.services import (
    entry_rules_apply,
    member_move,
    nomination_create,
    nomination_decide,
    nomination_limit_set,
    scores_compute,
    shortlist_add,
    shortlist_exclude,
    shortlist_for,
    shortlist_propose,
    shortlist_snapshot_weekly,
    weights_draft,
    weights_publish,
)
from incubation.services.entry_rules import entry_rule_save
from organizations.models import ManagerAssignment, OrgRole

CASES = [
    "原创占比高，近一个月有效播放增长明显，适合重点孵化。",
    "带货转化稳定，粉丝互动率在同类目中靠前。",
    "新签达人，首月表现突出，希望获得流量扶持。",
    "垂类内容质量高，已形成固定栏目。",
]
SCORED_DAYS = 14


def demo_incubation(*, seed: int, operator, today: datetime.date) -> dict:
    rng = random.Random(seed)  # noqa: S311 - demo data, deterministic per seed
    nomination_limit_set(actor=operator, per_organization=5, effective_from=today.replace(day=1))
    entry_rule_save(
        actor=operator,
        name="高增长原创达人",
        window_days=30,
        min_followers=50_000,
        min_valid_plays=3_000_000,
        min_original_videos=12,
        is_active=True,
    )
    assignments = list(
        ManagerAssignment.objects.active()
        .select_related("organization", "manager")
        .order_by("organization_id")
    )
    nominations = 0
    for number, assignment in enumerate(assignments[:24]):
        organization = assignment.organization
        owner = organization.memberships.filter(role=OrgRole.OWNER).select_related("user").first()
        if owner is None:
            continue
        creators = [
            b.creator
            for b in Binding.objects.filter(organization=organization, ended_on__isnull=True)
            .select_related("creator")
            .order_by("-creator__valid_plays_30d", "creator_id")[:3]
        ]
        for index, creator in enumerate(creators):
            if creator.primary_category_id not in set(
                assignment.manager.manager_profile.categories.values_list("pk", flat=True)
            ):
                continue
            nomination = nomination_create(
                actor=owner.user, creator=creator, case=rng.choice(CASES)
            )
            nominations += 1
            if number % 6 == 5 and index == 2:
                continue  # waiting for the manager
            if number % 8 == 7 and index == 1:
                nomination_decide(
                    actor=assignment.manager,
                    nomination=nomination,
                    accept=False,
                    reason="近30天原创视频不足，下月再提名。",
                )
                continue
            nomination_decide(actor=assignment.manager, nomination=nomination, accept=True)
    admitted = entry_rules_apply(actor=operator, day=today - datetime.timedelta(days=1))
    for member in PoolMember.objects.select_related("creator").order_by("pk")[:6]:
        manager = (
            ManagerAssignment.objects.active()
            .filter(
                organization__bindings__creator=member.creator,
                organization__bindings__ended_on__isnull=True,
            )
            .select_related("manager")
            .first()
        )
        if manager is not None:
            member_move(
                actor=manager.manager,
                member=member,
                stage="incubating",
                reason="进入孵化计划：每周一次内容复盘。",
            )
    weights = weights_draft(actor=operator, effective_from=today - datetime.timedelta(days=60))
    weights_publish(actor=operator, weights=weights)
    for back in range(SCORED_DAYS, 0, -1):
        scores_compute(actor=operator, day=today - datetime.timedelta(days=back))
    shortlist = shortlist_for(today.year)
    shortlist_snapshot_weekly(day=today - datetime.timedelta(days=8))
    shortlist_propose(actor=operator, shortlist=shortlist, expected_version=shortlist.version)
    shortlist.refresh_from_db()
    shortlist_snapshot_weekly(day=today - datetime.timedelta(days=7))
    members = list(PoolMember.objects.in_pool().select_related("creator").order_by("-pk"))
    on_list = set(shortlist.entries.values_list("creator_id", flat=True))
    if members and members[0].creator_id in on_list:
        shortlist_exclude(
            actor=operator,
            shortlist=shortlist,
            creator=members[0].creator,
            reason="合约将于年底到期，暂不列入。",
            expected_version=shortlist.version,
        )
        shortlist.refresh_from_db()
    outside = [m for m in members if m.creator_id not in on_list]
    if outside:
        shortlist_add(
            actor=operator,
            shortlist=shortlist,
            creator=outside[0].creator,
            reason="类目经理推荐：垂类头部潜力。",
            expected_version=shortlist.version,
        )
    shortlist_snapshot_weekly(day=today)
    return {
        "nominations": nominations,
        "pending": Nomination.objects.filter(status="pending").count(),
        "pool": PoolMember.objects.in_pool().count(),
        "admitted_by_rule": admitted,
        "shortlisted": shortlist.entries.count(),
    }
