"""Demo data: a realistic program built through the same services as real data.

`demo_plan(seed)` decides everything (names, codes, states, rosters) from a seeded random generator,
so the same seed always gives the same program. `demo_apply(plan)` carries the plan out through the
services, acting as the people who would really do each step: applicants create and submit, category
managers review, operators suspend. The audit log therefore reads like a real one.
"""

import datetime
import random
from dataclasses import dataclass, field
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
from organizations.models import OrganizationStatus, OrgRole, ProgramTerms, ReviewCheck
from organizations.validators import credit_code_check_char
from portal.accounts.models import Role, User
from portal.accounts.permissions import SYSTEM
from portal.accounts.services import manager_profile_create, manager_profile_update, user_create

from .demo_coaching import demo_coaching
from .demo_content import demo_content
from .demo_incentives import demo_incentives
from .demo_incubation import demo_incubation
from .demo_licence import render_licence
from .models import Category

DEMO_PASSWORD = "portal-demo-2026"
DEMO_DOMAIN = "demo.local"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余"
GIVEN = "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯鹏晨欣怡婷雪琳"
CITIES = [
    ("杭州", "330106"),
    ("上海", "310115"),
    ("北京", "110105"),
    ("广州", "440106"),
    ("深圳", "440305"),
    ("成都", "510107"),
    ("武汉", "420106"),
    ("长沙", "430104"),
    ("南京", "320105"),
    ("厦门", "350203"),
    ("西安", "610113"),
    ("重庆", "500105"),
    ("苏州", "320505"),
    ("青岛", "370212"),
    ("郑州", "410105"),
]
BRAND_WORDS = [
    "星河",
    "云图",
    "红果",
    "青橙",
    "光合",
    "好物",
    "万象",
    "众星",
    "微光",
    "星火",
    "极光",
    "蓝鲸",
    "新锐",
    "乐享",
    "百川",
    "明日",
    "繁星",
    "奇点",
    "追光",
    "禾木",
    "知味",
    "拾光",
    "映画",
    "柠檬",
    "鹿鸣",
    "山海",
    "半糖",
    "青禾",
    "木棉",
    "星选",
    "晨曦",
    "远山",
    "果壳",
    "森屿",
    "橘子",
    "麦田",
]
COMPANY_KINDS = ["文化传媒有限公司", "网络科技有限公司", "文化传播有限公司", "电子商务有限公司"]
NICK_PREFIXES = ["小", "阿", "大", "老", "爱吃的", "会玩的", "认真的", ""]
NICK_WORDS = {
    "digital-3c": ["数码测评", "开箱君", "科技控"],
    "home-appliances": ["家电研究所", "家电测评"],
    "maternal-child": ["育儿日记", "宝妈分享"],
    "pets": ["和猫猫", "铲屎官", "养狗日常"],
    "fashion": ["穿搭日记", "每日OOTD", "衣橱"],
    "sports": ["健身打卡", "跑步日常"],
    "beauty": ["美妆日记", "化妆师", "护肤笔记"],
    "personal-care": ["个护好物", "洗护测评"],
    "health": ["健康生活", "营养师"],
    "automotive": ["说车", "车评"],
    "home-furnishing": ["家居改造", "收纳达人"],
    "food-fresh": ["吃播", "美食探店", "下厨房"],
    "supermarket-fmcg": ["囤货清单", "超市好物"],
    "books": ["读书会", "书单"],
    "toys": ["玩具开箱", "积木控"],
    "jewelry": ["珠宝鉴赏", "饰品搭配"],
    "outdoor": ["露营记", "户外装备"],
    "travel": ["旅行日记", "去远方"],
    "education": ["学习方法", "考研日记"],
    "computers-office": ["办公效率", "装机"],
    "luggage-leather": ["包包测评", "箱包控"],
    "watches-eyewear": ["腕表志", "眼镜控"],
    "home-textiles": ["床品测评", "家纺好物"],
    "wine-spirits": ["品酒笔记", "小酌"],
}
CHANGE_REASONS = [
    "营业执照图片不清晰，请上传清晰的扫描件或原件照片。",
    "联系人手机号无法接通，请核实后重新提交。",
    "主营类目与已签约达人的内容方向不一致，请补充说明。",
]
REJECT_REASONS = [
    "经营范围不包含网络文化、广告或直播相关业务，暂不符合入驻条件。",
    "统一社会信用代码对应的企业已注销，无法通过审核。",
]
SUSPEND_REASONS = [
    "近30天多名签约达人出现异常播放数据，暂停合作待核查。",
    "机构存在违规搬运内容的投诉，核查期间暂停。",
]

PLATFORMS = ["douyin", "kuaishou", "xiaohongshu", "bilibili", "weibo", "channels"]

# How many organizations in each state (the fixed demo organization is added to APPROVED).
STATE_COUNTS = {
    OrganizationStatus.APPROVED: 64,
    OrganizationStatus.SUBMITTED: 4,
    OrganizationStatus.UNDER_REVIEW: 4,
    OrganizationStatus.CHANGES_REQUESTED: 3,
    OrganizationStatus.DRAFT: 3,
    OrganizationStatus.REJECTED: 3,
    OrganizationStatus.SUSPENDED: 3,
    OrganizationStatus.WITHDRAWN: 2,
}

# The path each final state takes through the lifecycle, after the application is created.
PATHS = {
    OrganizationStatus.DRAFT: [],
    OrganizationStatus.SUBMITTED: ["submit"],
    OrganizationStatus.UNDER_REVIEW: ["submit", "start_review"],
    OrganizationStatus.CHANGES_REQUESTED: ["submit", "start_review", "request_changes"],
    OrganizationStatus.APPROVED: ["submit", "start_review", "approve"],
    OrganizationStatus.REJECTED: ["submit", "start_review", "reject"],
    OrganizationStatus.SUSPENDED: ["submit", "start_review", "approve", "suspend"],
    OrganizationStatus.WITHDRAWN: ["submit", "withdraw"],
}


@dataclass
class PersonPlan:
    email: str
    full_name: str
    phone: str
    role: str


@dataclass
class OrganizationPlan:
    legal_name: str
    credit_code: str
    city: str
    status: str
    categories: list[str]
    legal_representative: str
    owner: PersonPlan
    others: list[tuple[PersonPlan, str]]  # (person, organization role)
    declared_roster_size: int
    reasons: dict[str, str]
    registered_on: datetime.date
    registered_capital_wan: int
    platforms: dict[str, int]
    licence_seed: int


@dataclass
class CreatorPlan:
    platform_account_id: str
    display_name: str
    category: str
    follower_count: int
    real_name_verified: bool
    organization_index: int | None  # index into organizations, None = not bound
    started_days_ago: int


@dataclass
class DemoPlan:
    seed: int
    operators: list[PersonPlan]
    managers: list[tuple[PersonPlan, list[str], int]]  # (person, category codes, capacity)
    organizations: list[OrganizationPlan]
    creators: list[CreatorPlan] = field(default_factory=list)


def org_code_check(body8: str) -> str:
    """Check character of a 9-character organization code (GB 11714)."""
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(char, 36) * w for char, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_credit_code(rng: random.Random, division: str) -> str:
    body8 = f"{rng.randrange(10**7, 10**8)}"
    first17 = "91" + division + body8 + org_code_check(body8)
    return first17 + credit_code_check_char(first17)


def _person(rng: random.Random, email: str, role: str, used: set[str]) -> PersonPlan:
    while True:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if name not in used:
            used.add(name)
            break
    phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    return PersonPlan(email=email, full_name=name, phone=phone, role=role)


def demo_plan(*, seed: int, category_codes: list[str], creators: int = 3000) -> DemoPlan:
    """Decide the whole demo program from `seed` and the category codes; no database access."""
    rng = random.Random(seed)
    codes = sorted(category_codes)
    used_names: set[str] = set()

    operators = [
        _person(rng, f"operator@{DEMO_DOMAIN}", Role.OPERATOR, used_names),
        _person(rng, f"operator2@{DEMO_DOMAIN}", Role.OPERATOR, used_names),
    ]

    managers: list[tuple[PersonPlan, list[str], int]] = []
    # The demo manager login serves beauty and personal care; the other categories are shared out
    # among eight managers (two or three categories each), and beauty has a second manager.
    managers.append(
        (
            _person(rng, f"manager@{DEMO_DOMAIN}", Role.MANAGER, used_names),
            [c for c in ("beauty", "personal-care") if c in codes] or codes[:1],
            20,
        )
    )
    rest = [c for c in codes if c not in managers[0][1]]
    rng.shuffle(rest)
    groups = [sorted(rest[i::8]) for i in range(min(8, len(rest)))]
    groups.append([c for c in ("beauty", "fashion") if c in codes] or codes[:1])
    for number, group in enumerate(groups, start=1):
        email = f"manager{number:02d}@{DEMO_DOMAIN}"
        managers.append(
            (_person(rng, email, Role.MANAGER, used_names), group, rng.choice((12, 15, 20, 25)))
        )
    # Approved organizations are spread over the managers' categories (the demo manager's twice
    # over), so every manager has a real book to open.
    main_categories = [managers[0][1], *[group for _p, group, _c in managers[1:]], managers[0][1]]

    organizations: list[OrganizationPlan] = []
    used_org_names: set[str] = set()

    def new_org(status: str, owner_email: str, name: str | None = None) -> OrganizationPlan:
        city, division = rng.choice(CITIES)
        while name is None or name in used_org_names:
            name = f"{city}{rng.choice(BRAND_WORDS)}{rng.choice(COMPANY_KINDS)}"
        used_org_names.add(name)
        owner = _person(rng, owner_email, Role.ORGANIZATION, used_names)
        index = len(organizations) + 1
        others = []
        if status in (OrganizationStatus.APPROVED, OrganizationStatus.SUSPENDED):
            others.append(
                (
                    _person(
                        rng, f"org{index:02d}.admin@{DEMO_DOMAIN}", Role.ORGANIZATION, used_names
                    ),
                    OrgRole.ADMIN,
                )
            )
            for m in range(rng.randint(0, 2)):
                others.append(
                    (
                        _person(
                            rng,
                            f"org{index:02d}.member{m + 1}@{DEMO_DOMAIN}",
                            Role.ORGANIZATION,
                            used_names,
                        ),
                        OrgRole.MEMBER,
                    )
                )
        reasons = {
            "request_changes": rng.choice(CHANGE_REASONS),
            "reject": rng.choice(REJECT_REASONS),
            "suspend": rng.choice(SUSPEND_REASONS),
        }
        return OrganizationPlan(
            legal_name=name,
            credit_code=make_credit_code(rng, division),
            city=city,
            status=status,
            categories=rng.sample(codes, rng.choice((1, 2, 2, 3))),
            legal_representative=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            owner=owner,
            others=others,
            declared_roster_size=rng.choice((20, 50, 80, 120, 200, 350, 500)),
            reasons=reasons,
            registered_on=datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randint(0, 3600)),
            registered_capital_wan=rng.choice((50, 100, 200, 300, 500, 1000)),
            platforms={
                platform: int(rng.lognormvariate(13, 1.2))
                for platform in rng.sample(PLATFORMS, rng.randint(0, 3))
            },
            licence_seed=rng.randrange(10**9),
        )

    # The demo organization behind the owner@ and member@ logins.
    showcase = new_org(
        OrganizationStatus.APPROVED, f"owner@{DEMO_DOMAIN}", "杭州星河文化传媒有限公司"
    )
    showcase.categories = ["beauty", "fashion", "personal-care"]
    showcase.declared_roster_size = 300
    showcase.others = [
        (_person(rng, f"admin@{DEMO_DOMAIN}", Role.ORGANIZATION, used_names), OrgRole.ADMIN),
        (_person(rng, f"member@{DEMO_DOMAIN}", Role.ORGANIZATION, used_names), OrgRole.MEMBER),
    ]
    organizations.append(showcase)
    # An application waiting for the demo manager, behind the applicant@ login.
    applicant = new_org(OrganizationStatus.SUBMITTED, f"applicant@{DEMO_DOMAIN}")
    applicant.categories = ["beauty"]
    organizations.append(applicant)
    for status, count in STATE_COUNTS.items():
        for n in range(count):
            org = new_org(status, f"org{len(organizations) + 1:02d}.owner@{DEMO_DOMAIN}")
            if status == OrganizationStatus.APPROVED:
                main = rng.choice(main_categories[n % len(main_categories)])
                org.categories = [main, *[c for c in org.categories if c != main]][:3]
            organizations.append(org)

    # Creators: most belong to active or suspended organizations, some are not bound yet.
    rostered = [
        i
        for i, org in enumerate(organizations)
        if org.status in (OrganizationStatus.APPROVED, OrganizationStatus.SUSPENDED)
    ]
    weights = [3 if i == 0 else rng.uniform(0.3, 2.0) for i in rostered]
    creator_plans = []
    for n in range(creators):
        bound = rng.random() < 0.9
        org_index = rng.choices(rostered, weights)[0] if bound else None
        if org_index is not None and rng.random() < 0.75:
            category = rng.choice(organizations[org_index].categories)
        else:
            category = rng.choice(codes)
        words = NICK_WORDS.get(category, ["日常分享"])
        nickname = rng.choice(NICK_PREFIXES) + rng.choice(GIVEN) + rng.choice(words)
        creator_plans.append(
            CreatorPlan(
                platform_account_id=f"u{seed % 100:02d}{n:06d}{rng.randrange(1000):03d}",
                display_name=nickname,
                category=category,
                follower_count=int(rng.lognormvariate(9, 1.6)),
                real_name_verified=rng.random() < 0.85,
                organization_index=org_index,
                started_days_ago=rng.randint(0, 150),
            )
        )
    return DemoPlan(
        seed=seed,
        operators=operators,
        managers=managers,
        organizations=organizations,
        creators=creator_plans,
    )


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


@transaction.atomic
def demo_apply(plan: DemoPlan, *, progress=None) -> dict:
    """Write the plan through the services. Returns counts of what was made."""
    say = progress or (lambda _message: None)
    categories = {c.code: c for c in Category.objects.all()}

    operators = [_make_user(p) for p in plan.operators]
    operator = operators[0]
    say(f"{len(operators)} operators")

    managers_by_category: dict[str, list[User]] = {}
    for person, codes, capacity in plan.managers:
        user = _make_user(person)
        manager_profile_create(
            actor=operator, user=user, categories=[categories[c] for c in codes], capacity=capacity
        )
        for code in codes:
            managers_by_category.setdefault(code, []).append(user)
    say(f"{len(plan.managers)} category managers")

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
    showcase, showcase_owner = made[0]
    org_services.invitation_create(
        actor=showcase_owner,
        organization=showcase,
        email=f"new.member@{DEMO_DOMAIN}",
        role=OrgRole.MEMBER,
    )
    say(f"{len(made)} organizations")

    today = timezone.localdate()
    bound = 0
    for creator in plan.creators:
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
    say(f"{len(plan.creators)} creators, {bound} bound to organizations")
    metrics = demo_metrics(plan, today=today)
    result = metrics_upsert(actor=SYSTEM, rows=metrics, source="demo")
    say(f"{result['written']} creator-days of metrics")
    _demo_claims(plan, made)
    for organization, reason in suspensions:
        org_services.organization_suspend(actor=operator, organization=organization, reason=reason)
    coached = demo_coaching(seed=plan.seed, owners={o.pk: owner for o, owner in made}, today=today)
    say(
        f"{coached['goals']} coaching goals, {coached['sessions']} sessions, "
        f"{coached['items']} action items"
    )
    # One manager is on leave for the next days: the balance page shows it, and they get no
    # new organizations meanwhile.
    away = User.objects.filter(email=f"manager02@{DEMO_DOMAIN}").first()
    if away is not None:
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
    content = demo_content(
        seed=plan.seed, plan=plan, metrics=metrics, made=made, operator=operator, today=today
    )
    say(
        f"{content['videos']} videos, {content['suspected']} suspected copies "
        f"({content['decided']} decided, {content['appeals']} appealed), "
        f"{content['graded']} graded, {content['sampled']} sampled for grading"
    )
    settled = demo_incentives(operators=operators, today=today)
    incubated = demo_incubation(seed=plan.seed, operator=operator, today=today)
    say(
        f"reserve pool of {incubated['pool']} creators ({incubated['nominations']} nominations, "
        f"{incubated['admitted_by_rule']} by entry rule), {incubated['shortlisted']} shortlisted"
    )
    say(
        f"incentive program: {settled['reward_lines']} reward lines settled, "
        f"{settled['ledger_entries']} ledger entries exported and paid"
    )
    return {
        "operators": len(operators),
        "managers": len(plan.managers),
        "organizations": len(made),
        "creators": len(plan.creators),
        "bindings": bound,
    }


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


DEMO_LOGINS = [
    ("operator@" + DEMO_DOMAIN, "Program operator"),
    ("manager@" + DEMO_DOMAIN, "Category manager (beauty, personal care)"),
    ("owner@" + DEMO_DOMAIN, "Organization owner (杭州星河文化传媒有限公司)"),
    ("member@" + DEMO_DOMAIN, "Organization member (杭州星河文化传媒有限公司)"),
    ("applicant@" + DEMO_DOMAIN, "Applicant with a submitted application"),
]
DEMO_LOGIN_EMAILS = {email for email, _role in DEMO_LOGINS} | {
    "admin@" + DEMO_DOMAIN,
    "operator2@" + DEMO_DOMAIN,
}
