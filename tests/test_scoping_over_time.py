"""Scoping holds across time (quality promise 20, issue 13): for every model with a `for_user`, two
organizations that shared a creator over time each see only their own rows and periods, in the
querysets, the API's lists (with every filter they offer), its details, and the pages.

The world: creator Cai was bound to A (甲) from 11-01 and moved to B (乙) on 11-16, with metric days
on both sides of the move; Alpha is only A's creator, Zeta only B's; each organization has its own
people, invitations, coaching, imports, transfers, disputes, nominations, pool members, scores,
audit entries and notifications, and a published reward list pays each its own creators. Every
row that only one side may see carries that side's marker text where it has text.

`SIDES` says, model by model, which rows belong to A only and which to B only. A model with a
`for_user` that is not in `SIDES` fails `test_every_scoped_model_is_covered`: a new model is
covered here before it ships.
"""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from creators.models import DailyMetric
from tests.creators.factories import BindingFactory, CreatorFactory

A_MARK, B_MARK = "甲方独有", "乙方独有"
MOVED = datetime.date(2026, 11, 16)
A_DAYS = range(10, 16)  # 11-10 .. 11-15, Cai with A
B_DAYS = range(16, 26)  # 11-16 .. 11-25, Cai with B
EN = {"Accept-Language": "en"}


def day(n: int) -> datetime.date:
    return datetime.date(2026, 11, n)


# --- the world --------------------------------------------------------------------------------


@pytest.fixture
def world(operator, manager, beauty, organization, other_organization, owner, other_owner):
    """Rows of every scoped model; `world["A"][label]` only A may see, `world["B"][label]` only B."""
    from organizations.models import Membership, OrgRole
    from tests.organizations.factories import make_member

    a, b = organization, other_organization
    people = {
        "A": [owner, make_member(a, OrgRole.MEMBER, email="a.member@example.com")],
        "B": [other_owner, make_member(b, OrgRole.MEMBER, email="b.member@example.com")],
    }
    cai = CreatorFactory(display_name="蔡共享达人", platform_account_id="u_shared_cai")
    alpha = CreatorFactory(display_name=f"{A_MARK}达人Alpha", platform_account_id="u_alpha_only")
    zeta = CreatorFactory(display_name=f"{B_MARK}达人Zeta", platform_account_id="u_zeta_only")
    a_binding = BindingFactory(creator=cai, organization=a, started_on=day(1), ended_on=MOVED)
    b_binding = BindingFactory(creator=cai, organization=b, started_on=MOVED)
    alpha_binding = BindingFactory(creator=alpha, organization=a, started_on=day(1))
    zeta_binding = BindingFactory(creator=zeta, organization=b, started_on=day(1))
    metrics = {"A": [], "B": []}
    for n in list(A_DAYS) + list(B_DAYS):
        side = "A" if n in A_DAYS else "B"
        metrics[side].append(metric(cai, day(n), (6 if side == "A" else 7) * 1_000_000 + n))
    metrics["A"] += [metric(alpha, day(n), 6_100_000 + n) for n in range(3, 9)]
    metrics["B"] += [metric(zeta, day(n), 7_100_000 + n) for n in range(3, 9)]

    rows = {"A": {}, "B": {}}
    for side, org, creator, mark, person in (
        ("A", a, alpha, A_MARK, owner),
        ("B", b, zeta, B_MARK, other_owner),
    ):
        rows[side] = organization_rows(side, org, creator, mark, person, operator, manager)
    rows["A"]["creators.Creator"] = [alpha]
    rows["B"]["creators.Creator"] = [cai, zeta]
    rows["A"]["creators.Binding"] = [a_binding, alpha_binding]
    rows["B"]["creators.Binding"] = [b_binding, zeta_binding]
    rows["A"]["creators.BindingConsent"] = [a_binding.consent, alpha_binding.consent]
    rows["B"]["creators.BindingConsent"] = [b_binding.consent, zeta_binding.consent]
    rows["A"]["creators.DailyMetric"] = metrics["A"]
    rows["B"]["creators.DailyMetric"] = metrics["B"]
    rows["A"]["accounts.User"] = people["A"]
    rows["B"]["accounts.User"] = people["B"]
    rows["A"]["organizations.Organization"] = [a]
    rows["B"]["organizations.Organization"] = [b]
    rows["A"]["organizations.Membership"] = list(Membership.objects.filter(organization=a))
    rows["B"]["organizations.Membership"] = list(Membership.objects.filter(organization=b))
    pool_and_scores(rows, cai=cai, alpha=alpha, zeta=zeta, beauty=beauty)
    growth_scorecards(rows, a, b)
    selfservice_links(rows, owner, other_owner, cai=cai, alpha=alpha, zeta=zeta)
    videos(rows, manager, cai=cai, alpha=alpha, zeta=zeta)
    reward_list = reward_lines(rows, operator, a, b, beauty, cai=cai, alpha=alpha, zeta=zeta)
    placement_rows(rows, operator, reward_list.cycle, beauty, cai=cai, alpha=alpha, zeta=zeta)
    risk_rows(rows, operator, owner, other_owner, alpha=alpha, zeta=zeta)
    suspension_rows(rows, operator, {"A": (a, owner), "B": (b, other_owner)})
    return {
        **rows,
        "people": people,
        "organizations": {"A": a, "B": b},
        "creators": {"cai": cai, "alpha": alpha, "zeta": zeta},
        "reward_list": reward_list,
    }


def metric(creator, date, plays):
    return DailyMetric.objects.create(creator=creator, date=date, plays=plays, valid_plays=plays)


def organization_rows(side, org, creator, mark, person, operator, manager) -> dict:
    """The rows an organization owns outright (no creator shared)."""
    from django.core.files.base import ContentFile

    from coaching.models import ActionItem, CoachingGoal, CoachingSession
    from creators.models import Dispute, ImportJob, TransferRequest
    from incubation.models import Nomination
    from organizations.models import Invitation, ManagerAssignment
    from portal.audit.services import audit_record
    from portal.core.models import Notification
    from tests.organizations.factories import OrganizationFactory

    third = OrganizationFactory(legal_name=f"{mark}第三方机构")
    now = timezone.now()
    assignment = ManagerAssignment.objects.create(organization=org, manager=manager)
    session = CoachingSession.objects.create(
        organization=org,
        manager=manager,
        scheduled_at=now + datetime.timedelta(days=1),
        channel="video",
        agenda=f"{mark}议程",
    )
    item = ActionItem.objects.create(
        session=session, organization=org, title=f"{mark}待办", owner="organization", due_on=day(30)
    )
    goal = CoachingGoal.objects.create(
        organization=org,
        kind="custom",
        title=f"{mark}目标",
        target=Decimal(10),
        due_on=day(30),
        created_by=manager,
    )
    invitation = Invitation.objects.create(
        organization=org,
        email=f"{side.lower()}-invitee@example.com",
        role="member",
        salt="s" * 32,
        created_by=person,
        expires_at=now + datetime.timedelta(days=7),
    )
    job = ImportJob(
        kind="creators", organization=org, file_name=f"{mark}名单.csv", created_by=person
    )
    job.file.save("roster.csv", ContentFile(b"x"), save=False)
    job.save()
    transfer = TransferRequest.objects.create(
        creator=CreatorFactory(display_name=f"{mark}转出达人"),
        from_organization=org,
        to_organization=third,
        salt="t" * 32,
        requested_by=person,
        expires_at=now + datetime.timedelta(days=3),
    )
    dispute = Dispute.objects.create(
        creator=creator,
        holder=org,
        claimant=third,
        claimed_source="recruited",
        statement=f"{mark}争议",
        opened_by=operator,
    )
    nomination = Nomination.objects.create(
        creator=creator, organization=org, nominated_by=person, case=f"{mark}推荐理由"
    )
    with transaction.atomic():
        entry = audit_record(
            actor=person, action="test.touch", obj=org, organization=org, reason=f"{mark}审计"
        )
    notification = Notification.objects.create(
        recipient=person, event="invitation.accepted", organization=org, reason=f"{mark}通知"
    )
    return {
        "organizations.ManagerAssignment": [assignment],
        "coaching.CoachingSession": [session],
        "coaching.ActionItem": [item],
        "coaching.CoachingGoal": [goal],
        "organizations.Invitation": [invitation],
        "creators.ImportJob": [job],
        "creators.TransferRequest": [transfer],
        "creators.Dispute": [dispute],
        "incubation.Nomination": [nomination],
        "audit.AuditEntry": [entry],
        "core.Notification": [notification],
    }


def pool_and_scores(rows, *, cai, alpha, zeta, beauty):
    from incubation.models import PoolMember, PoolSource, ScoreSnapshot
    from tests.incubation.factories import ScoreWeightsFactory

    weights = ScoreWeightsFactory()
    members, scores = {}, {}
    for creator, rank in ((cai, 1), (alpha, 2), (zeta, 3)):
        members[creator] = PoolMember.objects.create(creator=creator, source=PoolSource.NOMINATION)
        scores[creator] = ScoreSnapshot.objects.create(
            day=day(25), creator=creator, category=beauty, weights=weights, rank=rank
        )
    rows["A"]["incubation.PoolMember"] = [members[alpha]]
    rows["B"]["incubation.PoolMember"] = [members[cai], members[zeta]]
    rows["A"]["incubation.ScoreSnapshot"] = [scores[alpha]]
    rows["B"]["incubation.ScoreSnapshot"] = [scores[cai], scores[zeta]]


def growth_scorecards(rows, a, b):
    from growth.models import Scorecard, ScorecardVersion

    version = ScorecardVersion.objects.get(number=1)
    for side, organization in (("A", a), ("B", b)):
        rows[side]["growth.Scorecard"] = [
            Scorecard.objects.create(
                organization=organization, month=day(1), version=version, score=50, level=3
            )
        ]


def selfservice_links(rows, owner, other_owner, *, cai, alpha, zeta):
    """Each organization's links to its creators' self-service pages: Cai's now comes from B."""
    from growth.services.selfservice import selfservice_link_send

    rows["A"]["growth.SelfServiceLink"] = [selfservice_link_send(actor=owner, creator=alpha)]
    rows["B"]["growth.SelfServiceLink"] = [
        selfservice_link_send(actor=other_owner, creator=cai),
        selfservice_link_send(actor=other_owner, creator=zeta),
    ]


def videos(rows, manager, *, cai, alpha, zeta):
    """Each side's videos: Cai's published while bound to A stay A's after the move (the
    organization is kept on the video), with their daily figures, reviews, grades and queue items."""
    from content.models import Grade, GradingItem, OriginalityReview, Rubric, VideoMetric
    from tests.content.factories import make_videos, row

    def published(n):
        return timezone.make_aware(datetime.datetime(2026, 11, n, 12))

    made = {"A": [], "B": []}
    for side, creator, n in (("A", cai, 12), ("B", cai, 20), ("A", alpha, 5), ("B", zeta, 5)):
        mark = A_MARK if side == "A" else B_MARK
        made[side] += make_videos(row(creator, title=f"{mark}视频", published_at=published(n)))
    rubric = Rubric.objects.order_by("number").first()
    for side, side_videos in made.items():
        assert {video.organization_id for video in side_videos} == {
            side_videos[0].organization_id
        }, "a video keeps the organization of its publication day"
        rows[side]["content.Video"] = side_videos
        rows[side]["content.VideoMetric"] = [
            VideoMetric.objects.create(video=video, date=day(26), plays=1_000, valid_plays=900)
            for video in side_videos
        ]
        rows[side]["content.OriginalityReview"] = [
            OriginalityReview.objects.create(video=video, category=video.category)
            for video in side_videos
        ]
        grades = [
            Grade.objects.create(
                video=video, rubric=rubric, score=Decimal(80), letter="A", graded_by=manager
            )
            for video in side_videos
        ]
        rows[side]["content.Grade"] = grades
        rows[side]["content.GradingItem"] = [
            GradingItem.objects.create(video=video, reason="sampled", grade=grade)
            for video, grade in zip(side_videos, grades, strict=True)
        ]


def reward_lines(rows, operator, a, b, beauty, *, cai, alpha, zeta):
    """November settled and published: each creator's lines name the organization it was bound
    to at the end of the cycle (Cai: B)."""
    from incentives.models import RewardLine
    from tests.incentives.test_api import active_cycle, published

    for creator in (cai, alpha, zeta):
        DailyMetric.objects.filter(creator=creator).update(
            counted_valid_plays=50_000, videos_published=3, original_videos=3
        )
    cycle = active_cycle(operator, a, beauty)
    reward_list = published(operator, cycle)
    lines = RewardLine.objects.filter(reward_list=reward_list)
    rows["A"]["incentives.RewardLine"] = list(lines.filter(organization=a))
    rows["B"]["incentives.RewardLine"] = list(lines.filter(organization=b))
    assert rows["B"]["incentives.RewardLine"], "the world needs B's lines"
    from incentives.models import LedgerEntry

    entries = LedgerEntry.objects.filter(cycle=reward_list.cycle)
    rows["A"]["incentives.LedgerEntry"] = list(entries.filter(organization=a))
    rows["B"]["incentives.LedgerEntry"] = list(entries.filter(organization=b))
    assert lines.filter(creator=cai, organization=b).exists()
    estimate_and_invoice_rows(rows, operator, reward_list.cycle, a=a, b=b, cai=cai, alpha=alpha)
    return reward_list


def estimate_and_invoice_rows(rows, operator, cycle, *, a, b, cai, alpha):
    """The next cycle's estimate (Cai's under B, where Cai is now; Alpha's under A) and an
    invoice of each organization (issue 18)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from incentives.models import Estimate, Invoice
    from tests.core.test_uploads import pdf

    following = cycle.program.cycles.get(number=cycle.number + 1)
    now = timezone.now()
    for side, organization, creator in (("A", a, alpha), ("B", b, cai)):
        rows[side]["incentives.Estimate"] = [
            Estimate.objects.create(
                cycle=following,
                organization=organization,
                creator=creator,
                kind="playback",
                pool="cash",
                amount=12,
                computed_at=now,
            ),
            Estimate.objects.create(
                cycle=following,
                organization=organization,
                kind="org_basic",
                pool="cash",
                amount=100,
                computed_at=now,
            ),
        ]
        invoice = Invoice(
            organization=organization,
            cycle=cycle,
            number=f"F-{side}",
            amount=1,
            content_type="application/pdf",
            uploaded_by=operator,
        )
        invoice.file.save("f.pdf", ContentFile(pdf()), save=False)
        invoice.save()
        rows[side]["incentives.Invoice"] = [invoice]


def placement_rows(rows, operator, cycle, beauty, *, cai, alpha, zeta):
    """Videos of each side on the outfit tab: Cai's video published while with A is A's, the one
    published with B is B's; each placed, with its coupon and a delivered day."""
    from content.models import Video
    from incentives.models import LedgerEntry, Pool
    from placements.models import (
        Coupon,
        Delivery,
        InventoryDay,
        InventoryRule,
        Nomination,
        Placement,
        PlacementRule,
        Surface,
    )
    from tests.content.factories import make_video

    surface = Surface.objects.get(code="browse_outfit")
    inventory = InventoryRule.objects.create(
        surface=surface,
        category=beauty,
        effective_from=day(1),
        slots_per_day=10,
        impressions_per_slot=1000,
        created_by=operator,
    )
    rule = PlacementRule.objects.create(
        effective_from=day(1),
        program=cycle.program,
        rate_per_thousand=Decimal(1),
        monthly_quota=5,
        created_by=operator,
    )
    pool = Pool.objects.get(program=cycle.program, kind="traffic")
    for side, creator, published, mark in (
        ("A", alpha, day(5), A_MARK),
        ("A", cai, day(12), A_MARK),
        ("B", cai, day(20), B_MARK),
        ("B", zeta, day(5), B_MARK),
    ):
        video = make_video(
            creator,
            content_type="outfit",
            title=f"{mark}穿搭视频",
            published_at=timezone.make_aware(
                datetime.datetime.combine(published, datetime.time(9))
            ),
        )
        Video.objects.filter(pk=video.pk).update(grade="S")
        slot_day = published + datetime.timedelta(days=2)
        booked, _ = InventoryDay.objects.get_or_create(
            surface=surface,
            category=beauty,
            day=slot_day,
            defaults={"capacity": 10, "impressions_per_slot": 1000, "rule": inventory},
        )
        nomination = Nomination.objects.create(
            video=video,
            surface=surface,
            category=beauty,
            organization=video.organization,
            source="organization",
            status="accepted",
            note=f"{mark}提名",
        )
        placement = Placement.objects.create(
            nomination=nomination,
            inventory_day=booked,
            surface=surface,
            category=beauty,
            day=slot_day,
            video=video,
            organization=video.organization,
            impressions=1000,
        )
        entry = LedgerEntry.objects.create(
            pool=pool,
            cycle=cycle,
            kind="coupon",
            creator=creator,
            organization=video.organization,
            amount=Decimal(1),
            reason_code="placement:browse_outfit",
        )
        coupon = Coupon.objects.create(
            video=video,
            creator=creator,
            organization=video.organization,
            source="placement",
            placement=placement,
            rule=rule,
            grade="S",
            impressions=1000,
            value=Decimal(1),
            entry=entry,
            delivered=400,
        )
        delivery = Delivery.objects.create(coupon=coupon, day=slot_day, impressions=400)
        assert (
            video.organization.pk
            == {"A": rows["A"], "B": rows["B"]}[side]["organizations.Organization"][0].pk
        )
        for label, obj in (
            ("placements.Nomination", nomination),
            ("placements.Placement", placement),
            ("placements.Coupon", coupon),
            ("placements.Delivery", delivery),
        ):
            rows[side].setdefault(label, []).append(obj)


def risk_rows(rows, operator, owner, other_owner, *, alpha, zeta):
    """Alpha (A's) and Zeta (B's) share a real-name identity: each side has a case whose evidence
    names the other side's creator (which that side must never see), and a statement."""
    from risk.models import RiskCase, RiskRule, Signal
    from risk.services.cases import case_statement_send
    from risk.services.compute import signal_apply
    from risk.services.partner_data import identity_hashes_record

    same = "5a" * 32
    identity_hashes_record(
        actor=operator,
        rows=[
            {"creator_id": alpha.pk, "identity": same},
            {"creator_id": zeta.pk, "identity": same},
        ],
    )
    rule = RiskRule.objects.filter(signal=Signal.SHARED_IDENTITY).latest("rule_set__number")
    signal_apply(actor=operator, rule=rule, today=day(28))
    for side, creator, person, mark in (
        ("A", alpha, owner, A_MARK),
        ("B", zeta, other_owner, B_MARK),
    ):
        case = RiskCase.objects.get(creator=creator)
        statement = case_statement_send(actor=person, case=case, text=f"{mark}的说明")
        rows[side]["risk.RiskCase"] = [case]
        rows[side]["risk.CaseStatement"] = [statement]


def suspension_rows(rows, operator, sides):
    """Both organizations suspended, each appealing with a statement and a document (issue 18)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from organizations.services import appeal_submit, organization_suspend
    from tests.organizations.factories import licence_png

    for side, (organization, person) in sides.items():
        mark = A_MARK if side == "A" else B_MARK
        organization_suspend(actor=operator, organization=organization, reason=f"{mark}停权")
        appeal = appeal_submit(
            actor=person,
            organization=organization,
            statement=f"{mark}的申诉",
            documents=[SimpleUploadedFile("p.png", licence_png(), content_type="image/png")],
        )
        rows[side]["organizations.Suspension"] = [appeal.suspension]
        rows[side]["organizations.SuspensionAppeal"] = [appeal]
        rows[side]["organizations.AppealDocument"] = list(appeal.documents.all())


# Models whose rows are the program's public side or no organization's data: both organizations
# see the same rows (SHARED), or neither sees any (CLOSED).
SHARED = {
    "core.Category",
    "content.ContentType",
    "incentives.Program",
    "incentives.Cycle",
    "incentives.RewardList",
}
# Display surfaces and their inventory: reference data every signed-in role reads.
SHARED |= {
    "placements.Surface",
    "placements.InventoryRule",
    "placements.InventoryDay",
    "placements.PlacementRule",
}
CLOSED = {
    "partners.PartnerApplication",
    "partners.PartnerToken",
    "partners.WebhookEndpoint",
    "partners.WebhookEvent",
    "partners.WebhookDelivery",
    "partners.WebhookAttempt",
}
SIDED = {
    "core.Notification",
    "accounts.User",
    "audit.AuditEntry",
    "organizations.Organization",
    "organizations.Membership",
    "organizations.Invitation",
    "organizations.ManagerAssignment",
    "coaching.CoachingGoal",
    "coaching.CoachingSession",
    "coaching.ActionItem",
    "creators.Creator",
    "creators.Binding",
    "creators.BindingConsent",  # a creator's consent to each binding (issue 19)
    "creators.DailyMetric",
    "creators.TransferRequest",
    "creators.Dispute",
    "creators.ImportJob",
    "incentives.RewardLine",
    "incentives.LedgerEntry",  # payout states and holds (issue 18)
    "incentives.Estimate",  # estimated so far (issue 18)
    "incentives.Invoice",
    "incubation.Nomination",
    "incubation.PoolMember",
    "incubation.ScoreSnapshot",
    "growth.Scorecard",
    "growth.SelfServiceLink",  # issue 19
    "content.Video",
    "content.VideoMetric",
    "content.OriginalityReview",
    "content.Grade",
    "content.GradingItem",
}
SIDED |= {
    "placements.Nomination",
    "placements.Placement",
    "placements.Coupon",
    "placements.Delivery",
}
SIDED |= {"risk.RiskCase", "risk.CaseStatement"}  # risk cases and statements (issue 18)
SIDED |= {  # a suspension, its one appeal and the appeal's documents (issue 18)
    "organizations.Suspension",
    "organizations.SuspensionAppeal",
    "organizations.AppealDocument",
}


def scoped_models() -> list[str]:
    return sorted(
        model._meta.label
        for model in apps.get_models()
        if hasattr(model._default_manager.all(), "for_user")
    )


def test_every_scoped_model_is_covered():
    assert set(scoped_models()) == SHARED | CLOSED | SIDED


# --- querysets ------------------------------------------------------------------------------------


def ids(objects) -> set[int]:
    return {obj.pk for obj in objects}


def test_each_organization_sees_only_its_rows_in_every_scoped_queryset(world, operator):
    from tests.partners.factories import webhook_delivery

    webhook_delivery(operator)  # rows of the closed models exist, so an empty answer means closed
    problems = []
    for label in scoped_models():
        model = apps.get_model(label)
        for side, other in (("A", "B"), ("B", "A")):
            for person in world["people"][side]:
                visible = set(model.objects.for_user(person).values_list("pk", flat=True))
                if label in CLOSED and visible:
                    problems.append(f"{label}: {person} sees {len(visible)} rows")
                if label in SIDED:
                    if leaked := visible & ids(world[other][label]):
                        problems.append(f"{label}: {person} of {side} sees {other}'s {leaked}")
                    own = [
                        obj
                        for obj in world[side][label]
                        if getattr(obj, "recipient_id", person.pk) == person.pk  # personal rows
                    ]
                    if missing := ids(own) - visible:
                        problems.append(f"{label}: {person} of {side} misses own {missing}")
        if label in SHARED:
            seen = [
                set(model.objects.for_user(world["people"][s][0]).values_list("pk", flat=True))
                for s in "AB"
            ]
            if seen[0] != seen[1]:
                problems.append(f"{label}: the organizations see different shared rows")
    assert problems == []


def test_metric_days_split_exactly_at_the_move(world):
    for side, days in (("A", A_DAYS), ("B", B_DAYS)):
        person = world["people"][side][0]
        cai = world["creators"]["cai"]
        seen = DailyMetric.objects.for_user(person).filter(creator=cai)
        assert sorted(m.date.day for m in seen) == list(days)
        assert seen.count() == len(days)  # no day twice


# --- the API: lists, filters and details ---------------------------------------------------------


def api_lists():
    """(list path, model label) for every list of the API whose rows are a scoped model."""
    from portal.api_urls import router

    found = []
    for prefix, viewset, _basename in router.registry:
        serializer = getattr(viewset, "serializer_class", None)
        model = getattr(getattr(serializer, "Meta", None), "model", None)
        if model is not None and model._meta.label in SIDED:
            found.append((prefix, model._meta.label))
    return found


def api_filters(path: str) -> list[str]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"].get(path, {}).get("get", {})
    skip = {"cursor", "page_size", "ordering", "format"}
    return [
        p["name"]
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p["name"] not in skip
    ]


def read_all(client, url, params=None) -> tuple[int, set[int]]:
    """(status of the first page, ids of every row of every page)."""
    response = client.get(url, {"page_size": 500, **(params or {})}, headers=EN)
    status, found = response.status_code, set()
    while response.status_code == 200:
        body = response.json()
        found |= {row["id"] for row in body.get("results", body if isinstance(body, list) else [])}
        if not isinstance(body, dict) or not body.get("next"):
            break
        response = client.get(body["next"], headers=EN)
    return status, found


def filter_values(name: str, obj, world) -> list:
    """Values for filter `name` that point at `obj` (a row of the other side)."""
    field = name.split("__")[0]
    values = []
    for attribute in (f"{field}_id", field):
        value = getattr(obj, attribute, None)
        if isinstance(value, int | str | datetime.date) and not isinstance(value, bool):
            values.append(value.isoformat() if isinstance(value, datetime.date) else value)
            break
    if field == "organization":
        values.append(world["organizations"]["B"].pk)
    if field == "creator":
        values += [world["creators"]["cai"].pk, world["creators"]["zeta"].pk]
    return values


def url_of(prefix: str, world) -> str:
    path = f"/api/v1/{prefix}/"
    return path.replace("(?P<reward_list_pk>[0-9]+)", str(world["reward_list"].pk))


def test_the_api_lists_filters_and_details_show_each_organization_only_its_rows(client, world):
    problems, checked = [], 0
    for prefix, label in api_lists():
        url = url_of(prefix, world)
        schema_path = "/api/v1/" + prefix.replace("(?P<reward_list_pk>[0-9]+)", "{reward_list_pk}")
        filters = api_filters(schema_path + "/")
        for side, other in (("A", "B"), ("B", "A")):
            client.force_login(world["people"][side][0])
            theirs = ids(world[other][label])
            status, seen = read_all(client, url)
            if status == 200 and (leaked := seen & theirs):
                problems.append(f"GET {url} as {side}: {other}'s {label} {leaked}")
            tried = set()
            for obj in world[other][label]:
                detail = client.get(f"{url}{obj.pk}/", headers=EN).status_code
                if detail not in (403, 404):
                    problems.append(f"GET {url}{obj.pk}/ as {side}: {detail} ({label} of {other})")
                for name in filters:
                    for value in filter_values(name, obj, world):
                        if (name, value) in tried:
                            continue
                        tried.add((name, value))
                        status, seen = read_all(client, url, {name: value})
                        checked += 1
                        if status == 200 and (leaked := seen & theirs):
                            problems.append(f"GET {url}?{name}={value} as {side}: {leaked}")
    assert problems == []
    assert checked > 50  # the filters were really tried


# --- pages ----------------------------------------------------------------------------------------

SKIPPED_PAGES = {"accounts:logout", "core:language"}
# Pages of one object: the model whose rows of the other side are tried as the argument. Pages of
# shared or closed data, of people's own accounts and of staff tools need no such try; a new page
# with an argument must be added to one of the two.
PAGE_OBJECTS = {
    "organizations:detail": "organizations.Organization",
    "organizations:licence": "organizations.Organization",
    "organizations:members": "organizations.Organization",
    "organizations:review_detail": "organizations.Organization",
    "coaching:organization": "organizations.Organization",
    "coaching:session": "coaching.CoachingSession",
    "creators:detail": "creators.Creator",
    "creators:avatar": "creators.Creator",
    "incubation:member": "creators.Creator",
    "creators:dispute": "creators.Dispute",
    "creators:import": "creators.ImportJob",
    "creators:import_errors": "creators.ImportJob",
    "growth:organization": "organizations.Organization",
    "content:creator": "creators.Creator",
    "content:video": "content.Video",
    "content:cover": "content.Video",
    "risk:case": "risk.RiskCase",
    "risk:my_case": "risk.RiskCase",
    "risk:document": "risk.CaseStatement",
    "risk:my_document": "risk.CaseStatement",
    "incentives:invoice_file": "incentives.Invoice",
    "organizations:my_appeal_document": "organizations.AppealDocument",
}
# Actions (POST only) that take an object: the access matrix and their own tests cover them.
ACTIONS = {
    # One URL per POST action (issue 14): each looks its object up through the same scoped
    # queryset as the page it came from; the access matrix has the POSTs per role.
    "creators:avatar_upload",
    "creators:binding_end",
    "creators:consent_send",  # through the scoped waiting list (issue 19)
    "incentives:list_export",
    "incentives:list_result",
    "incentives:list_return",
    "incentives:list_submit",
    "incentives:program_open",  # operators only
    "incentives:rules_draft",
    "incentives:rules_save",
    "incubation:member_move",
    "incubation:nomination_accept",
    "incubation:nomination_decline",
    "incubation:nomination_withdraw",
    "incubation:rule_activate",
    "incubation:rule_deactivate",
    "placements:accept",  # a manager's decision on a nomination of their field
    "placements:decline",
    "placements:close_cycle",  # operators only
    "placements:surface_save",  # operators' editors (placements.configure)
    "coaching:goal_add",
    "coaching:goal_status",
    "coaching:book_move",
    "content:appeal",
    "content:appeal_hear",
    "content:decide",
    "content:grade_submit",
    "content:import_confirm",
    "content:import_discard",
    "content:nominate",
    "content:rubric_publish",
    "content:rubric_update",
    "content:sampling_toggle",
    "coaching:item_done",
    "coaching:reassign",
    "coaching:session_add",
    "coaching:session_cancel",
    "creators:flag_review",
    "creators:import_confirm",
    "creators:import_discard",
    "incentives:hold_release",  # operators' payout decisions (issue 18)
    "incentives:invoice_verify",
    "incentives:invoice_reject",
    "incentives:invoice_upload",  # the owner's invoice for its own statement's cycle
    "incentives:entry_forfeit",
    "incentives:holds_release_due",
    "incentives:list_adjust",  # staff-only steps of a reward list or program (issue 12)
    "incentives:list_approve",
    "incentives:list_publish",
    "incentives:program_close",
    "incentives:program_reopen",
    "incentives:rules_publish",
    "organizations:invite",
    "organizations:withdraw",
    "partners:token_issue",
    "partners:webhook_create",
    "growth:version_update",  # operators' settings (growth.manage)
    "growth:version_publish",
    "growth:level",
    "risk:decide",  # operators' decision on a risk case
    "risk:statement",  # an organization's statement for its own case
    "organizations:appeal_decide",  # operators' decision on a suspension appeal
    "growth:link_revoke",  # the links' queryset is scoped (SIDED); the access matrix has the POST
}
NOT_ORGANIZATION_PAGES = {
    "content:review",  # originality and grading queues, rubrics, imports: staff only
    "content:appeal_detail",
    "content:grade",
    "content:rubric",
    "content:import",
    "coaching:manager",  # a manager's book: staff only
    "incentives:program",  # the program's public side (SHARED)
    "incentives:rules",
    "incentives:list",
    "incentives:list_adjust_organizations",  # suggestions for the adjustment form: operators only
    "incentives:statement",  # a published list; its lines are scoped (checked with the list pk)
    "incentives:special",
    "incentives:reconciliation",  # finance reconciliation: operators only (issue 18)
    "incentives:holds",
    "incentives:reconciliation_export",
    "incubation:snapshot",  # shortlist snapshots: staff only
    "incubation:published",  # the published top-100: public
    "partners:detail",  # partner applications: operators only (CLOSED)
    "placements:surface",  # a display surface: reference data, operators edit it
    "organizations:appeal",  # suspension appeals and their documents: operators only
    "organizations:appeal_document",
}


def page_patterns():
    """(name, number of int arguments) of every page (not the API)."""

    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("api/"):
                    continue
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                converters = getattr(pattern.pattern, "converters", {})
                kinds = {type(c).__name__ for c in converters.values()}
                if (converters and kinds <= {"IntConverter"}) or not pattern.pattern.regex.groups:
                    yield f"{namespace}{pattern.name}", len(converters)

    return sorted(set(walk(get_resolver())))


def marker_in(response, mark: str) -> bool:
    if response.status_code != 200 or response.get("Content-Type", "").startswith("image/"):
        return False
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return mark in content.decode("utf-8", "replace")


def test_every_page_of_one_object_is_classified():
    with_arguments = {name for name, arguments in page_patterns() if arguments == 1}
    assert with_arguments <= set(PAGE_OBJECTS) | NOT_ORGANIZATION_PAGES | ACTIONS


def test_the_pages_show_each_organization_only_its_rows(client, world):
    from django.urls import reverse

    marks = {"A": A_MARK, "B": B_MARK}
    reward_list = world["reward_list"].pk
    problems, shown = [], {"A": 0, "B": 0}
    for side, other in (("A", "B"), ("B", "A")):
        for number, person in enumerate(world["people"][side]):
            client.force_login(person)
            for name, arguments in page_patterns():
                if name in SKIPPED_PAGES | ACTIONS or arguments > 1 or (arguments and number):
                    continue
                if arguments == 0:
                    candidates = [[]]
                elif name in PAGE_OBJECTS:
                    candidates = [[obj.pk] for obj in world[other][PAGE_OBJECTS[name]]]
                elif name == "incentives:statement":
                    candidates = [[reward_list]]
                else:
                    continue
                for args in candidates:
                    address = reverse(name, args=args)
                    response = client.get(address, headers=EN)
                    if marker_in(response, marks[other]):
                        problems.append(f"{name}{args} as {person} of {side} shows {other}'s rows")
                    if not args and marker_in(response, marks[side]):
                        shown[side] += 1
        # The statement's export (a regular-expression route, so not among the patterns above)
        # holds the same scoped lines as the statement.
        for extension in ("csv", "xlsx"):
            address = reverse(
                "incentives:statement_export", kwargs={"pk": reward_list, "extension": extension}
            )
            response = client.get(address, headers=EN)
            if extension == "csv" and marker_in(response, marks[other]):
                problems.append(f"{address} as {person} of {side} shows {other}'s rows")
    assert problems == []
    assert shown["A"] and shown["B"]  # the pages do show each side its own rows


def test_a_risk_case_never_shows_the_other_sides_evidence(client, world):
    """A's case names Zeta (B's creator) as evidence: A reads that the item exists, never whose."""
    from django.urls import reverse

    marks = {"A": A_MARK, "B": B_MARK}
    for side, other in (("A", "B"), ("B", "A")):
        (case,) = world[side]["risk.RiskCase"]
        assert any(marks[other] in item.get("name", "") for item in case.evidence)
        client.force_login(world["people"][side][0])
        page = client.get(reverse("risk:my_case", args=[case.pk]), headers=EN).content.decode()
        assert marks[side] in page and marks[other] not in page
