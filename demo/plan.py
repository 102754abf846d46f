"""The demo program's plan: who and what the demo holds, decided from a seed with no database
access (`demo_plan`). `demo.program.demo_apply` carries it out through the services."""

import datetime
import random
from dataclasses import dataclass, field

from organizations.models import OrganizationStatus, OrgRole
from organizations.validators import credit_code_check_char
from portal.accounts.models import Role

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

# How big the demo is: `standard` for `make run`; `small` builds the same program, every state and
# role included, in a few seconds (the crawl test walks it).
SIZES = {
    "standard": {"creators": 3000, "states": STATE_COUNTS},
    "small": {
        "creators": 150,
        "states": {
            OrganizationStatus.APPROVED: 5,
            **{status: 1 for status in STATE_COUNTS if status != OrganizationStatus.APPROVED},
        },
    },
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


def demo_plan(
    *,
    seed: int,
    category_codes: list[str],
    creators: int | None = None,
    size: str = "standard",
) -> DemoPlan:
    """Decide the whole demo program from `seed` and the category codes; no database access."""
    creators = SIZES[size]["creators"] if creators is None else creators
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
    for status, count in SIZES[size]["states"].items():
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


# Every demo account that can sign in (all with DEMO_PASSWORD); the README lists the same.
DEMO_LOGINS = [
    ("operator@" + DEMO_DOMAIN, "Program operator"),
    ("operator2@" + DEMO_DOMAIN, "Program operator (the second approval of a large reward list)"),
    ("manager@" + DEMO_DOMAIN, "Category manager (beauty, personal care)"),
    ("owner@" + DEMO_DOMAIN, "Organization owner (杭州星河文化传媒有限公司)"),
    ("admin@" + DEMO_DOMAIN, "Organization admin (杭州星河文化传媒有限公司)"),
    ("member@" + DEMO_DOMAIN, "Organization member (杭州星河文化传媒有限公司)"),
    ("applicant@" + DEMO_DOMAIN, "Applicant with a submitted application"),
]
DEMO_LOGIN_EMAILS = {email for email, _role in DEMO_LOGINS}
