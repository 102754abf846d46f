"""The demo's coaching: every manager's book gets goals, past sessions with notes and action items
(some done, some overdue), upcoming sessions and a few quiet organizations, all written through
the coaching services by the people who would do it."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from coaching import selectors
from coaching import services as coaching
from coaching.models import GoalKind, ItemOwner
from organizations.models import ManagerAssignment, OrganizationStatus

AGENDAS = [
    "复盘上月成功引入达人数，对照激励档位制定本月招募节奏。",
    "原创视频占比提升方案：选题库、拍摄排期与剪辑规范。",
    "新签达人的首月扶持：流量券使用与选品建议。",
    "达人补贴申报材料核对，避免因资料不全被驳回。",
    "直播与短视频联动：本月大促期间的内容排期。",
    "异常播放标记的原因说明与整改措施。",
]
NOTES = [
    "机构本月已引入 {n} 位达人，距离下一档位还差约 {gap} 位。约定每周二同步招募进展。",
    "原创占比偏低，主要是搬运二创内容较多。机构同意建立原创选题库，由运营负责人把关。",
    "新签达人首月播放表现分化明显，头部三位达人贡献了大部分有效播放。建议对腰部达人集中扶持。",
    "补贴申报材料基本齐全，少数达人实名认证未完成，机构承诺本周内补齐。",
    "讨论了大促期间的排期，机构计划每天至少发布两条带货短视频。",
]
ORG_ITEMS = [
    "补齐未实名认证达人的认证材料",
    "提交下月达人招募计划（含类目分布）",
    "建立原创选题库并共享给类目经理",
    "为腰部达人各制定一份两周内容排期",
    "核对补贴申报名单中的账号信息",
    "整理近30天异常播放的说明材料",
]
MANAGER_ITEMS = [
    "发送本月流量券使用指引",
    "协调类目运营提供选品清单",
    "确认机构的激励档位测算口径",
    "邀请机构参加下周的类目培训",
]
CUSTOM_GOALS = [("每周固定两场直播", Decimal(8)), ("完成全部达人实名认证", Decimal(100))]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def demo_coaching(*, seed: int, owners: dict[int, object], today: datetime.date) -> dict:
    """Coach every active organization. `owners` maps organization id to its owner account."""
    rng = random.Random(seed * 31 + 5)
    now = timezone.now()
    month_end = (today.replace(day=28) + datetime.timedelta(days=4)).replace(
        day=1
    ) - datetime.timedelta(days=1)
    counts = {"goals": 0, "sessions": 0, "items": 0}
    assignments = (
        ManagerAssignment.objects.active()
        .filter(organization__status=OrganizationStatus.APPROVED)
        .select_related("organization", "manager")
        .order_by("organization_id")
    )
    figures = selectors.organization_figures([a.organization_id for a in assignments])
    todays: dict[int, int] = {}  # manager id -> sessions planned today
    first_slot = (now + datetime.timedelta(minutes=90)).replace(second=0, microsecond=0)
    first_slot -= datetime.timedelta(minutes=first_slot.minute % 30)
    for assignment in assignments:
        organization, manager = assignment.organization, assignment.manager
        owner = owners.get(organization.pk)
        introduced = int(figures[organization.pk][GoalKind.INTRODUCED])
        target = max(10, (introduced // 10 + 1) * 10 + rng.choice((0, 10, 20)))
        coaching.goal_create(
            actor=manager,
            organization=organization,
            kind=GoalKind.INTRODUCED,
            title="本月冲击下一激励档位",
            target=Decimal(target),
            due_on=month_end,
        )
        counts["goals"] += 1
        if rng.random() < 0.6:
            coaching.goal_create(
                actor=manager,
                organization=organization,
                kind=GoalKind.ORIGINAL_SHARE,
                title="提升原创视频占比",
                target=Decimal(rng.choice((60, 70, 80))),
                due_on=today + datetime.timedelta(days=rng.choice((30, 45, 60))),
            )
            counts["goals"] += 1
        if rng.random() < 0.3:
            title, goal_target = rng.choice(CUSTOM_GOALS)
            goal = coaching.goal_create(
                actor=manager,
                organization=organization,
                kind=GoalKind.CUSTOM,
                title=title,
                target=goal_target,
                due_on=today + datetime.timedelta(days=30),
            )
            coaching.goal_update(
                actor=manager,
                goal=goal,
                manual_progress=(goal_target * Decimal(rng.randint(1, 8)) / 10).quantize(
                    Decimal(1)
                ),
            )
            counts["goals"] += 1

        # Past sessions: one in five organizations has gone quiet for more than 30 days.
        quiet = rng.random() < 0.2
        first_day = 35 if quiet else 2
        past = sorted(rng.sample(range(first_day, 80), rng.randint(0 if quiet else 1, 3)))
        for days_ago in reversed(past):
            day = today - datetime.timedelta(days=days_ago)
            session = coaching.session_schedule(
                actor=manager,
                organization=organization,
                scheduled_at=_at(day, rng.choice((10, 14, 16))),
                channel=rng.choice(("on_site", "video", "video", "phone", "message")),
                agenda=rng.choice(AGENDAS),
                attendees=f"{organization.contact_name}",
            )
            items = []
            for title in rng.sample(ORG_ITEMS, rng.randint(1, 2)):
                items.append((title, ItemOwner.ORGANIZATION, day + datetime.timedelta(days=7)))
            if rng.random() < 0.5:
                items.append(
                    (
                        rng.choice(MANAGER_ITEMS),
                        ItemOwner.MANAGER,
                        day + datetime.timedelta(days=3),
                    )
                )
            coaching.session_record(
                actor=manager,
                session=session,
                notes=rng.choice(NOTES).format(n=introduced, gap=max(1, target - introduced)),
                items=items,
            )
            counts["sessions"] += 1
            counts["items"] += len(items)
            # Most items are done; recent ones and a few old ones are still open (some overdue).
            for item in session.action_items.all():
                if (days_ago > 7 and rng.random() < 0.75) or (days_ago <= 7 and rng.random() < 0.2):
                    actor = owner if item.owner == ItemOwner.ORGANIZATION else manager
                    if actor is not None:
                        coaching.action_item_complete(
                            actor=actor,
                            item=item,
                            comment=rng.choice(("已完成", "已提交，请查收", "")),
                        )

        # Upcoming: each manager has a session today (a few have more); most others later.
        if manager.pk not in todays or rng.random() < 0.15:
            slot = todays.get(manager.pk, 0)
            todays[manager.pk] = slot + 1
            when = max(first_slot, _at(today, 15)) + datetime.timedelta(minutes=90 * slot)
        elif not quiet and rng.random() < 0.7:
            when = _at(
                today + datetime.timedelta(days=rng.randint(1, 14)), rng.choice((10, 14, 16))
            )
        else:
            continue
        coaching.session_schedule(
            actor=manager,
            organization=organization,
            scheduled_at=when.replace(second=0, microsecond=0),
            channel=rng.choice(("video", "phone", "on_site")),
            agenda=rng.choice(AGENDAS),
        )
        counts["sessions"] += 1
    return counts
