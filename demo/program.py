"""Demo data: a realistic program built through the same services as real data.

`demo_plan(seed)` decides everything (names, codes, states, rosters) from a seeded random generator,
so the same seed always gives the same program. `demo_apply(plan)` carries the plan out through the
services, acting as the people who would really do each step: applicants create and submit, category
managers review, operators suspend. The audit log therefore reads like a real one.
"""

import datetime
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from creators.models import BindingSource, Creator
from creators.services import (
    MetricRow,
    binding_start,
    creator_register,
    dispute_open,
    metrics_upsert,
    transfer_request,
)
from organizations import services as org_services
from organizations.models import (
    Organization,
    OrganizationStatus,
    OrgRole,
    ProgramTerms,
    ReviewCheck,
)
from placements.demo import demo_placements
from portal.accounts.models import User
from portal.accounts.permissions import SYSTEM
from portal.accounts.services import manager_profile_create, manager_profile_update, user_create
from portal.core.models import Category

from .coaching import demo_coaching
from .content import demo_content
from .growth import demo_growth
from .incentives import demo_incentives
from .incubation import demo_incubation
from .licence import render_licence
from .payouts import demo_payouts
from .plan import (
    DEMO_DOMAIN,
    DEMO_LOGIN_EMAILS,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    PATHS,
    DemoPlan,
    OrganizationPlan,
    PersonPlan,
    demo_plan,
)
from .progress import DemoProgress, Silent
from .risk import demo_risk

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "demo_apply", "demo_plan"]


def _licence_upload(org: OrganizationPlan) -> SimpleUploadedFile:
    """The organization's business licence, drawn for the demo and uploaded like a real one."""
    image = render_licence(
        legal_name=org.legal_name,
        credit_code=org.credit_code,
        legal_representative=org.legal_representative,
        city=org.city,
        registered_on=org.registered_on,
        registered_capital_wan=org.registered_capital_wan,
        seed=org.licence_seed,
    )
    return SimpleUploadedFile("营业执照.png", image, content_type="image/png")


def _make_user(person: PersonPlan) -> User:
    # Only the printed demo logins get a password (hashing one costs a quarter of a second); the
    # other accounts are like staff set up without one: they would choose theirs by reset email.
    login = person.email in DEMO_LOGIN_EMAILS
    return user_create(
        actor=SYSTEM,
        email=person.email,
        full_name=person.full_name,
        role=person.role,
        password=DEMO_PASSWORD if login else None,
        phone=person.phone,
    )


STEPS = 13


@transaction.atomic
def demo_apply(plan: DemoPlan, *, progress: DemoProgress | None = None) -> dict:
    """Write the plan through the services, telling `progress` what is being built and how far
    it has got. Returns counts of what was made."""
    progress = progress or Silent()
    categories = {c.code: c for c in Category.objects.all()}

    progress.step("Operators and category managers", len(plan.operators) + len(plan.managers))
    operators = [_make_user(p) for p in plan.operators]
    operator = operators[0]
    managers_by_category: dict[str, list[User]] = {}
    for person, codes, capacity in plan.managers:
        user = _make_user(person)
        manager_profile_create(
            actor=operator, user=user, categories=[categories[c] for c in codes], capacity=capacity
        )
        for code in codes:
            managers_by_category.setdefault(code, []).append(user)
    progress.done(f"{len(operators)} operators, {len(plan.managers)} category managers")

    progress.step(
        "Organizations: applications, business licences, reviews and members",
        len(plan.organizations),
    )
    made, suspensions = _organizations(plan, categories, managers_by_category, operator, progress)
    progress.done(f"{len(made)} organizations")

    progress.step("Creators and their bindings", len(plan.creators))
    today = timezone.localdate()
    bound = _creators(plan, categories, made, operator, today, progress)
    progress.done(f"{len(plan.creators)} creators, {bound} bound to organizations")

    progress.step(f"Daily metrics of the last {METRIC_DAYS} days")
    metrics = demo_metrics(plan, today=today)
    result = metrics_upsert(actor=SYSTEM, rows=metrics, source="demo")
    progress.done(f"{result['written']} creator-days of metrics")

    progress.step("A transfer, a dispute and suspensions")
    _demo_claims(plan, made)
    for organization, reason in suspensions:
        org_services.organization_suspend(actor=operator, organization=organization, reason=reason)
    owners = {o.pk: owner for o, owner in made}
    if suspensions and owners.get(suspensions[0][0].pk) is not None:
        # The first suspended organization appeals, so that the appeals queue has one to decide.
        org_services.appeal_submit(
            actor=owners[suspensions[0][0].pk],
            organization=suspensions[0][0],
            statement="这些达人均为真实账号，已补充实名材料，请复核。",
        )
    n = len(suspensions)
    progress.done(f"{n} organization{'' if n == 1 else 's'} suspended, one of them appealing")

    progress.step("Coaching: goals, sessions and action items")
    coached = demo_coaching(seed=plan.seed, owners={o.pk: owner for o, owner in made}, today=today)
    _manager_on_leave(operator, today)
    progress.done(
        f"{coached['goals']} coaching goals, {coached['sessions']} sessions, "
        f"{coached['items']} action items"
    )

    progress.step("Content: videos, originality reviews, an appeal and grades")
    content = demo_content(
        seed=plan.seed, plan=plan, metrics=metrics, made=made, operator=operator, today=today
    )
    progress.done(
        f"{content['videos']} videos, {content['suspected']} suspected copies "
        f"({content['decided']} decided, {content['appeals']} appealed), "
        f"{content['graded']} graded, {content['sampled']} sampled for grading"
    )

    progress.step("Incentive program: rules, last month settled, approved, published and paid")
    showcase = Organization.objects.filter(memberships__user__email=f"owner@{DEMO_DOMAIN}").first()
    settled = demo_incentives(operators=operators, today=today, showcase=showcase)
    progress.done(
        f"{settled['reward_lines']} reward lines settled, "
        f"{settled['ledger_entries']} ledger entries exported and paid"
    )

    progress.step("Placements: surfaces' inventory, this month's calendar, traffic coupons")
    placed = demo_placements(
        seed=plan.seed,
        operator=operator,
        showcase_owner=User.objects.filter(email=f"owner@{DEMO_DOMAIN}").first(),
        today=today,
    )
    progress.done(
        f"{placed['placements']} placements, {placed['coupons']} traffic coupons "
        f"({placed['delivered']} delivery days), {placed['pending']} nominations waiting"
    )

    progress.step("Payout trust: commission held for returns, a refund clawed back, a risk hold")
    payouts = demo_payouts(operators=operators, today=today, showcase=showcase)
    progress.done(
        f"{payouts['held']} entries held, {payouts['corrections']} clawbacks, "
        f"{payouts['risk_holds']} under risk review, {payouts['invoices']} invoice to verify"
    )

    progress.step("Risk center: identity hashes and linked orders, signals, cases and a decision")
    risky = demo_risk(
        operator=operator,
        today=today,
        showcase=showcase,
        showcase_owner=User.objects.filter(email=f"owner@{DEMO_DOMAIN}").first(),
    )
    progress.done(
        f"{risky['cases']} risk cases ({risky['held']} entries held), "
        f"{risky['statements']} statement, {risky['decided']} decided"
    )

    progress.step("Reserve pool, scores and the top-100 shortlist")
    incubated = demo_incubation(seed=plan.seed, operator=operator, today=today)
    progress.done(
        f"reserve pool of {incubated['pool']} creators ({incubated['nominations']} nominations, "
        f"{incubated['admitted_by_rule']} by entry rule), {incubated['shortlisted']} shortlisted"
    )

    progress.step("Agency growth: six months of health scores and levels")
    grown = demo_growth(
        operator=operator,
        today=today,
        showcase_owner=User.objects.filter(email=f"owner@{DEMO_DOMAIN}").first(),
    )
    progress.done(
        f"{grown['scorecards']} scorecards over {grown['months']} months, "
        f"{grown['links']} creator self-service links; consents: "
        f"{grown['consents_consented']} share everything, {grown['consents_partial']} part, "
        f"{grown['consents_declined']} declined, {grown['consents_waiting']} waiting"
    )
    return {
        "operators": len(operators),
        "managers": len(plan.managers),
        "organizations": len(made),
        "creators": len(plan.creators),
        "bindings": bound,
    }


def _organizations(plan, categories, managers_by_category, operator, progress):
    """Every organization walks its path through the lifecycle, done by the people who would."""
    terms = ProgramTerms.objects.current()
    all_checks = list(ReviewCheck.objects.filter(is_active=True).values_list("code", flat=True))
    made = []
    suspensions = []  # suspended organizations built their roster first, so suspend them last
    for number, org in enumerate(plan.organizations):
        owner = _make_user(org.owner)
        main, *others = [categories[c] for c in org.categories]
        organization = org_services.organization_create(
            actor=owner,
            legal_name=org.legal_name,
            credit_code=org.credit_code,
            legal_representative=org.legal_representative,
            main_category=main,
            other_categories=others,
            contact_name=org.owner.full_name,
            contact_phone=org.owner.phone,
            contact_email=org.owner.email,
            declared_roster_size=org.declared_roster_size,
        )
        # Drafts are half done: every other one has its licence and platforms already.
        if org.status != OrganizationStatus.DRAFT or number % 2:
            org_services.organization_set_licence(
                actor=owner, organization=organization, upload=_licence_upload(org)
            )
            org_services.organization_set_platforms(
                actor=owner, organization=organization, followers=org.platforms
            )
        reviewer = managers_by_category.get(org.categories[0], [operator])[0]
        for step in PATHS[org.status]:
            if step == "suspend":
                suspensions.append((organization, org.reasons[step]))
            elif step == "submit":
                org_services.organization_submit(
                    actor=owner, organization=organization, accept_terms=terms
                )
            else:
                org_services.organization_transition(
                    actor=owner if step == "withdraw" else reviewer,
                    organization=organization,
                    transition=step,
                    reason=org.reasons.get(step, ""),
                    checks=all_checks,
                )
        for person, role in org.others:
            org_services.membership_add(
                actor=owner, organization=organization, user=_make_user(person), role=role
            )
        made.append((organization, owner))
        progress.advance(len(made))
    showcase, showcase_owner = made[0]
    org_services.invitation_create(
        actor=showcase_owner,
        organization=showcase,
        email=f"new.member@{DEMO_DOMAIN}",
        role=OrgRole.MEMBER,
    )
    return made, suspensions


def _creators(plan, categories, made, operator, today, progress) -> int:
    """Register every creator, and bind most to an organization as of their start day."""
    bound = 0
    for number, creator in enumerate(plan.creators, start=1):
        if creator.organization_index is None:
            organization, actor = None, operator
        else:
            organization, actor = made[creator.organization_index]
        record = creator_register(
            actor=actor,
            platform_account_id=creator.platform_account_id,
            display_name=creator.display_name,
            primary_category=categories[creator.category],
            follower_count=creator.follower_count,
            real_name_verified=creator.real_name_verified,
            organization=organization,
        )
        if organization is not None:
            binding_start(
                actor=actor,
                creator=record,
                organization=organization,
                source=BindingSource.RECRUITED,
                started_on=today - datetime.timedelta(days=creator.started_days_ago),
            )
            bound += 1
        progress.advance(number)
    return bound


def _manager_on_leave(operator, today) -> None:
    """One manager is on leave for the next days: the balance page shows it, and they get no
    new organizations meanwhile."""
    away = User.objects.filter(email=f"manager02@{DEMO_DOMAIN}").first()
    if away is None:
        return
    profile = away.manager_profile
    manager_profile_update(
        actor=operator,
        profile=profile,
        categories=list(profile.categories.all()),
        capacity=profile.capacity,
        is_active=True,
        away_from=today - datetime.timedelta(days=2),
        away_until=today + datetime.timedelta(days=12),
        reason="年假",
    )


METRIC_DAYS = 45


def demo_metrics(plan: DemoPlan, *, today: datetime.date) -> list[MetricRow]:
    """Daily figures for every bound creator over the last 45 days (deterministic for the seed):
    plays that follow the audience, a few videos a week, GMV in shopping categories, and a rare
    spike that the abnormal-play rule will flag."""
    rng = random.Random(plan.seed * 7919)
    shopping = {"beauty", "fashion", "digital-3c", "home-appliances", "food-fresh", "personal-care"}
    rows = []
    for creator in plan.creators:
        if creator.organization_index is None:
            continue
        start = today - datetime.timedelta(days=min(METRIC_DAYS, creator.started_days_ago) - 1)
        base = max(200, int(creator.follower_count * rng.uniform(0.05, 0.6)))
        sells = creator.category in shopping and rng.random() < 0.7
        day = start
        while day <= today:
            plays = int(base * rng.lognormvariate(0, 0.35))
            if rng.random() < 0.004:
                plays = max(plays * 40, 80_000)  # a bought burst of plays
            published = rng.choices((0, 1, 2), (0.55, 0.35, 0.10))[0]
            gmv = Decimal(int(plays * rng.uniform(0.01, 0.2))) if sells else Decimal(0)
            rows.append(
                MetricRow(
                    platform_account_id=creator.platform_account_id,
                    date=day,
                    plays=plays,
                    valid_plays=int(plays * rng.uniform(0.85, 0.98)),
                    new_followers=int(plays * rng.uniform(-0.001, 0.01)),
                    videos_published=published,
                    original_videos=sum(1 for _ in range(published) if rng.random() < 0.8),
                    gmv=gmv,
                    orders=int(gmv / 80),
                    commission=(gmv * Decimal("0.05")).quantize(Decimal("0.01")),
                )
            )
            day += datetime.timedelta(days=1)
    return rows


def _demo_claims(plan: DemoPlan, made) -> None:
    """One transfer waiting for a creator's confirmation and one open dispute, so both screens
    have something to show."""
    showcase, owner = made[0]
    others = [
        (i, c)
        for i, c in enumerate(plan.creators)
        if c.organization_index not in (None, 0)
        and plan.organizations[c.organization_index].status == OrganizationStatus.APPROVED
    ]
    if len(others) < 2:
        return
    creators = Creator.objects.filter(
        platform_account_id__in=[others[0][1].platform_account_id, others[1][1].platform_account_id]
    ).order_by("platform_account_id")
    first, second = list(creators)
    transfer_request(actor=owner, creator=first, to_organization=showcase)
    dispute_open(
        actor=owner,
        creator=second,
        claimant=showcase,
        claimed_source=BindingSource.RECRUITED,
        statement="该达人于 2026 年 9 月与我司签订独家经纪合同，合同编号 XH-2026-0917，现被其他机构绑定，请运营核实。",
    )
