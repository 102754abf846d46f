"""The set-based settlement against a per-row reference in plain Python, on random programs and
data (Hypothesis), and the invariants every computed list keeps."""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creators.models import (
    EXCLUDING_FLAGS,
    Binding,
    BindingSource,
    Creator,
    DailyMetric,
    PlayFlag,
    QualificationRule,
)
from incentives.models import (
    TOP_TIER_LIMIT_FEN,
    Cycle,
    OrgTier,
    RewardLine,
    RuleStatus,
    RuleVersion,
    SubsidyRule,
    TrafficBand,
)
from incentives.services import cycles_for, program_create, settlement_compute
from organizations.models import Organization, OrganizationStatus
from portal.core.models import Category
from portal.core.money import from_fen, to_fen

D = datetime.date
DAY = datetime.timedelta(days=1)
PROGRAM = (D(2026, 11, 1), D(2027, 3, 1))
CODES = ["beauty", "pets", "fashion"]
UNRULED = "books"
STATUSES = [OrganizationStatus.APPROVED] * 4 + [
    OrganizationStatus.SUSPENDED,
    OrganizationStatus.UNDER_REVIEW,
    OrganizationStatus.REJECTED,
]

# --- the reference ------------------------------------------------------------------------------


def version_in_force(cycle):
    best = None
    for version in RuleVersion.objects.filter(program=cycle.program_id):
        if version.status != RuleStatus.PUBLISHED or version.effective_from > cycle.starts_on:
            continue
        if best is None or (version.effective_from, version.number) > (
            best.effective_from,
            best.number,
        ):
            best = version
    return best


def qualification_rule(day):
    rules = [rule for rule in QualificationRule.objects.all() if rule.valid_from <= day]
    return max(rules, key=lambda rule: (rule.valid_from, rule.pk), default=None)


def binding_at_end(creator, last_day):
    """The binding the creator was in at the end of `last_day` (a transfer on that day ends one
    binding and starts the next: the later one)."""
    covering = [
        binding
        for binding in creator.bindings.all()
        if binding.started_on <= last_day
        and (binding.ended_on is None or binding.ended_on >= last_day)
    ]
    return max(covering, key=lambda binding: (binding.started_on, binding.pk), default=None)


def introduced_by_organization(cycle):
    """Creators whose recruited binding to an approved organization started in the cycle and who
    met the qualification rule of the cycle's first day within its window."""
    rule = qualification_rule(cycle.starts_on)
    introduced = defaultdict(set)
    if rule is None:
        return introduced
    for binding in Binding.objects.select_related("organization"):
        if binding.organization.status != OrganizationStatus.APPROVED:
            continue
        if binding.source != BindingSource.RECRUITED:
            continue
        if not cycle.starts_on <= binding.started_on < cycle.ends_on:
            continue
        window_end = binding.started_on + rule.window_days * DAY
        videos = plays = 0
        for metric in DailyMetric.objects.filter(creator=binding.creator_id):
            if binding.started_on <= metric.date < window_end:
                videos += metric.original_videos
                plays += metric.counted_valid_plays
        if videos >= rule.min_original_videos and plays >= rule.min_valid_plays:
            introduced[binding.organization_id].add(binding.creator_id)
    return introduced


def reference_lines(cycle):
    """(kind, pool, creator, organization, amount, amount before the cap, rank), amounts in fen."""
    version = version_in_force(cycle)
    last_day = cycle.ends_on - DAY
    cap = to_fen(version.creator_cap)
    rate = to_fen(version.playback_rate)
    basic = to_fen(version.basic_per_introduced)
    rules = list(SubsidyRule.objects.filter(version=version))
    lines = []
    eligible = []
    for creator in Creator.objects.all():
        metrics = [m for m in creator.metrics.all() if cycle.starts_on <= m.date < cycle.ends_on]
        if not metrics:
            continue
        binding = binding_at_end(creator, last_day)
        if binding is None or binding.organization.status != OrganizationStatus.APPROVED:
            continue
        org = binding.organization_id
        videos = sum(m.original_videos for m in metrics)
        plays = sum(m.counted_valid_plays for m in metrics)
        gmv = sum(to_fen(m.gmv) for m in metrics)
        met = [
            rule
            for rule in rules
            if rule.category_id == creator.primary_category_id
            and videos >= rule.min_original_videos
            and plays >= rule.min_valid_plays
            and creator.follower_count >= rule.min_followers
        ]
        subsidy = to_fen(max(met, key=lambda rule: rule.level).amount) if met else 0
        subsidy_paid = min(subsidy, cap)
        playback = plays * rate // 1000
        playback_paid = min(playback, cap - subsidy_paid)
        commission = gmv * version.commission_bp // 10000
        for kind, amount, paid in (
            ("creator_subsidy", subsidy, subsidy_paid),
            ("playback", playback, playback_paid),
            ("commission", commission, commission),
        ):
            if amount > 0:
                before = amount if paid < amount else None
                lines.append((kind, "cash", creator.pk, org, paid, before, None))
        if videos >= version.traffic_min_original and plays > 0:
            eligible.append((-plays, creator.pk, org))
    bands = list(TrafficBand.objects.filter(version=version).order_by("rank_from"))
    for rank, (_plays, creator_id, org) in enumerate(sorted(eligible), start=1):
        band = next((b for b in bands if b.rank_from <= rank <= b.rank_to), None)
        if band is not None:
            lines.append(("traffic", "traffic", creator_id, org, to_fen(band.coupon), None, rank))
    introduced = introduced_by_organization(cycle)
    tiers = list(OrgTier.objects.filter(version=version))
    for org in Organization.objects.filter(status=OrganizationStatus.APPROVED):
        n = len(introduced[org.pk])
        if n * basic > 0:
            lines.append(("org_basic", "cash", None, org.pk, n * basic, None, None))
        reached = [tier for tier in tiers if tier.min_introduced <= n]
        if reached:
            tier = max(reached, key=lambda tier: tier.level)
            lines.append(("org_tier", "cash", None, org.pk, to_fen(tier.amount), None, None))
    return Counter(lines)


def computed_lines(reward_list):
    return Counter(
        (kind, pool, creator, org, to_fen(amount), None if before is None else to_fen(before), rank)
        for kind, pool, creator, org, amount, before, rank in RewardLine.objects.filter(
            reward_list=reward_list
        ).values_list(
            "kind", "pool", "creator_id", "organization_id", "amount", "amount_before_cap", "rank"
        )
    )


# --- random worlds ------------------------------------------------------------------------------

fen = st.integers
levels = st.integers(1, 5)


@st.composite
def worlds(draw):
    months = draw(st.sampled_from([1, 2]))
    cycles = cycles_for(*PROGRAM, months)
    number = draw(st.integers(1, len(cycles)))
    start, end = cycles[number - 1]
    length = (end - start).days
    day = st.one_of(
        st.sampled_from([-1, 0, length - 1, length]),
        st.integers(0, length - 1),
        st.integers(-5, length + 10),
    ).map(lambda k: start + k * DAY)
    codes = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True))
    subsidy = {
        code: draw(
            st.lists(
                st.tuples(
                    levels,
                    st.integers(0, 8),
                    st.integers(0, 300_000),
                    st.sampled_from([0, 0, 500, 1000, 5000]),
                    fen(1, 500_000),
                ),
                max_size=3,
                unique_by=lambda rule: rule[0],
            )
        )
        for code in codes
    }
    tiers = draw(
        st.lists(
            st.tuples(
                levels, st.integers(1, 3), st.one_of(fen(1, 1_000_000), st.just(500_000_000))
            ),
            max_size=3,
            unique_by=(lambda tier: tier[0], lambda tier: tier[1]),
        )
    )
    bands, rank_to = [], 0
    for gap, width, coupon in draw(
        st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3), fen(1, 100_000)), max_size=2)
    ):
        rank_from = rank_to + 1 + gap
        rank_to = rank_from + width
        bands.append((rank_from, rank_to, coupon))
    version = {
        "creator_cap": from_fen(draw(fen(1, 600_000))),
        "playback_rate": from_fen(draw(st.one_of(st.just(0), fen(0, 2_000), fen(0, 20_000)))),
        "commission_bp": draw(st.sampled_from([0, 1, 150, 200, 3333, 10_000])),
        "basic_per_introduced": from_fen(
            draw(st.one_of(st.sampled_from([0, 10_000]), fen(0, 50_000)))
        ),
        "traffic_min_original": draw(st.integers(0, 5)),
        "effective_from": draw(st.sampled_from([PROGRAM[0], start])),
    }
    decoys = draw(st.sets(st.sampled_from(["superseded", "draft", "later"])))
    qualification = draw(
        st.none()
        | st.tuples(
            st.integers(-3, 3).map(lambda k: start + k * DAY),
            st.integers(0, 4),
            st.integers(0, 150_000),
            st.integers(1, 45),
        )
    )
    organizations = draw(st.lists(st.sampled_from(STATUSES), min_size=1, max_size=4))
    org = st.integers(0, len(organizations) - 1)
    creators = []
    for _ in range(draw(st.integers(0, 12) | st.integers(4, 12))):
        bindings = []
        offset = draw(st.integers(0, length - 1) | st.integers(-40, length + 3))
        started_on = start + offset * DAY
        links = draw(
            st.lists(
                st.tuples(
                    org,
                    st.sampled_from([*BindingSource.values, BindingSource.RECRUITED]),
                    st.one_of(
                        st.sampled_from([0, 1, 2, 5]),
                        st.integers(0, 40),
                        st.integers(length, length + 40),
                    ),
                    st.sampled_from([0, 0, 1, 4]),
                ),
                min_size=draw(st.sampled_from([0, 1, 1, 2])),
                max_size=3,
            )
        )
        open_last = draw(st.sampled_from([True, True, False]))
        for i, (organization, source, days, gap) in enumerate(links):
            ended_on = None if open_last and i == len(links) - 1 else started_on + days * DAY
            bindings.append((organization, source, started_on, ended_on))
            if ended_on is not None:
                started_on = ended_on + gap * DAY
        metrics = draw(
            st.lists(
                st.tuples(
                    day,
                    st.integers(0, 3),
                    st.integers(0, 1),
                    st.one_of(st.integers(0, 150_000), st.sampled_from([0, 50_000, 100_000])),
                    st.sampled_from([PlayFlag.NONE] * 4 + [*EXCLUDING_FLAGS, PlayFlag.DISMISSED]),
                    st.one_of(st.just(0), fen(0, 2_000_000), fen(0, 10**12)),
                ),
                min_size=draw(st.sampled_from([0, 1, 3])),
                max_size=6,
                unique_by=lambda metric: metric[0],
            )
        )
        creators.append(
            {
                "category": draw(st.sampled_from([*codes, UNRULED])),
                "followers": draw(st.sampled_from([0, 499, 500, 1000, 4999, 5000, 100_000])),
                "bindings": bindings,
                "metrics": metrics,
            }
        )
    return {
        "months": months,
        "number": number,
        "subsidy": subsidy,
        "tiers": tiers,
        "bands": bands,
        "version": version,
        "decoys": decoys,
        "qualification": qualification,
        "organizations": organizations,
        "creators": creators,
    }


def build(world, operator) -> Cycle:
    program = program_create(
        actor=operator,
        name="reference",
        starts_on=PROGRAM[0],
        ends_on=PROGRAM[1],
        cash_budget=from_fen(10**12),
        traffic_budget=from_fen(10**12),
        cycle_months=world["months"],
    )
    cycle = program.cycles.get(number=world["number"])
    categories = {c.code: c for c in Category.objects.filter(code__in=[*CODES, UNRULED])}
    version = RuleVersion.objects.create(
        program=program,
        number=2,
        status=RuleStatus.PUBLISHED,
        created_by=operator,
        **world["version"],
    )
    for code, rules in world["subsidy"].items():
        for level, videos, plays, followers, amount in rules:
            SubsidyRule.objects.create(
                version=version,
                category=categories[code],
                level=level,
                min_original_videos=videos,
                min_valid_plays=plays,
                min_followers=followers,
                amount=from_fen(amount),
            )
    for level, minimum, amount in world["tiers"]:
        OrgTier.objects.create(
            version=version, level=level, min_introduced=minimum, amount=from_fen(amount)
        )
    for rank_from, rank_to, coupon in world["bands"]:
        TrafficBand.objects.create(
            version=version, rank_from=rank_from, rank_to=rank_to, coupon=from_fen(coupon)
        )
    decoys = {
        "superseded": (1, RuleStatus.PUBLISHED, version.effective_from),
        "draft": (3, RuleStatus.DRAFT, cycle.starts_on),
        "later": (4, RuleStatus.PUBLISHED, cycle.starts_on + DAY),
    }
    for name in world["decoys"]:
        number, status, effective_from = decoys[name]
        decoy = RuleVersion.objects.create(
            program=program,
            number=number,
            status=status,
            effective_from=effective_from,
            created_by=operator,
            creator_cap=from_fen(1),
            playback_rate=from_fen(99),
            basic_per_introduced=from_fen(777),
            traffic_min_original=0,
        )
        OrgTier.objects.create(version=decoy, level=1, min_introduced=1, amount=from_fen(123))
        TrafficBand.objects.create(version=decoy, rank_from=1, rank_to=99, coupon=from_fen(321))
    if world["qualification"] is not None:
        valid_from, videos, plays, window = world["qualification"]
        QualificationRule.objects.create(
            name="random",
            valid_from=valid_from,
            min_original_videos=videos,
            min_valid_plays=plays,
            window_days=window,
        )
    organizations = [
        Organization.objects.create(legal_name=f"机构{i}", status=status, created_by=operator)
        for i, status in enumerate(world["organizations"])
    ]
    for i, spec in enumerate(world["creators"]):
        creator = Creator.objects.create(
            platform_account_id=f"ref{i}",
            display_name=f"达人{i}",
            primary_category=categories[spec["category"]],
            follower_count=spec["followers"],
        )
        for organization, source, started_on, ended_on in spec["bindings"]:
            Binding.objects.create(
                creator=creator,
                organization=organizations[organization],
                source=source,
                started_on=started_on,
                ended_on=ended_on,
                created_by=operator,
            )
        DailyMetric.objects.bulk_create(
            DailyMetric(
                creator=creator,
                date=date,
                original_videos=videos,
                videos_published=videos + extra,
                plays=plays * 2,
                valid_plays=plays,
                counted_valid_plays=0 if flag in EXCLUDING_FLAGS else plays,
                flag=flag,
                gmv=from_fen(gmv),
            )
            for date, videos, extra, plays, flag, gmv in spec["metrics"]
        )
    return cycle


class Rollback(Exception):
    pass


def in_a_rolled_back_transaction(check):
    try:
        with transaction.atomic():
            check()
            raise Rollback
    except Rollback:
        pass


def examples(n):
    return settings(
        max_examples=n,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# --- properties ---------------------------------------------------------------------------------


@examples(40)
@given(world=worlds())
def test_the_sql_settlement_equals_the_reference(operator, world):
    def check():
        cycle = build(world, operator)
        reward_list = settlement_compute(actor=operator, cycle=cycle)
        assert reward_list.rule_version == version_in_force(cycle)
        assert computed_lines(reward_list) == reference_lines(cycle)

    in_a_rolled_back_transaction(check)


@examples(30)
@given(world=worlds())
def test_a_creators_subsidies_never_exceed_the_cap(operator, world):
    def check():
        cycle = build(world, operator)
        reward_list = settlement_compute(actor=operator, cycle=cycle)
        cap = to_fen(reward_list.rule_version.creator_cap)
        subsidies = defaultdict(list)
        for line in RewardLine.objects.filter(
            reward_list=reward_list, kind__in=["creator_subsidy", "playback"]
        ):
            subsidies[line.creator_id].append(line)
        for lines in subsidies.values():
            paid = sum(to_fen(line.amount) for line in lines)
            assert paid <= cap
            if any(line.amount_before_cap is not None for line in lines):
                assert paid == cap
            for line in lines:
                if line.amount_before_cap is not None:
                    assert line.amount < line.amount_before_cap

    in_a_rolled_back_transaction(check)


@examples(30)
@given(world=worlds())
def test_an_organization_gets_the_one_tier_its_introduced_count_reaches(operator, world):
    def check():
        cycle = build(world, operator)
        reward_list = settlement_compute(actor=operator, cycle=cycle)
        tiers = list(OrgTier.objects.filter(version=reward_list.rule_version))
        lowest = min((tier.min_introduced for tier in tiers), default=None)
        introduced = introduced_by_organization(cycle)
        lines = Counter()
        for line in RewardLine.objects.filter(reward_list=reward_list, kind="org_tier"):
            lines[line.organization_id] += 1
            n = len(introduced[line.organization_id])
            reached = [tier for tier in tiers if tier.min_introduced <= n]
            assert reached and line.introduced == n
            tier = max(reached, key=lambda tier: tier.level)
            assert (line.rule_id, line.amount) == (tier.pk, tier.amount)
            assert to_fen(line.amount) <= TOP_TIER_LIMIT_FEN
        assert all(count == 1 for count in lines.values())
        for org in Organization.objects.filter(status=OrganizationStatus.APPROVED):
            if lowest is None or len(introduced[org.pk]) < lowest:
                assert org.pk not in lines

    in_a_rolled_back_transaction(check)


@examples(25)
@given(world=worlds())
def test_the_totals_are_the_sums_of_the_lines_and_computing_again_changes_nothing(operator, world):
    def check():
        cycle = build(world, operator)
        first = settlement_compute(actor=operator, cycle=cycle)
        lines = computed_lines(first)
        again = settlement_compute(actor=operator, cycle=cycle)
        assert again.pk == first.pk and again.revision == first.revision + 1
        assert computed_lines(again) == lines
        for reward_list in (first, again):
            assert reward_list.line_count == sum(lines.values())
            for pool, total in (("cash", "cash_total"), ("traffic", "traffic_total")):
                expected = sum(line[4] * count for line, count in lines.items() if line[1] == pool)
                assert to_fen(getattr(reward_list, total)) == expected

    in_a_rolled_back_transaction(check)


# --- edge cases found by the properties ------------------------------------------------------------------------

NOV = D(2026, 11, 1)


def one_creator(bindings, bands=(), **version):
    """November, two approved organizations, one creator who qualifies as introduced by a binding
    that starts on 1 to 7 November (3 original videos and 100,000 valid plays on the 7th)."""
    return {
        "months": 1,
        "number": 1,
        "subsidy": {},
        "tiers": [],
        "bands": list(bands),
        "version": {
            "creator_cap": from_fen(100_000),
            "playback_rate": from_fen(0),
            "commission_bp": 200,
            "basic_per_introduced": from_fen(0),
            "traffic_min_original": 1,
            "effective_from": NOV,
            **version,
        },
        "decoys": set(),
        "qualification": None,
        "organizations": [OrganizationStatus.APPROVED] * 2,
        "creators": [
            {
                "category": "beauty",
                "followers": 0,
                "bindings": bindings,
                "metrics": [(D(2026, 11, 7), 3, 0, 100_000, PlayFlag.NONE, 10_000)],
            }
        ],
    }


def test_a_transfer_on_the_last_day_pays_the_creator_once_with_the_new_organization(operator):
    cycle = build(
        one_creator(
            [
                (0, BindingSource.RECRUITED, NOV, D(2026, 11, 30)),
                (1, BindingSource.TRANSFERRED, D(2026, 11, 30), None),
            ]
        ),
        operator,
    )
    assert computed_lines(settlement_compute(actor=operator, cycle=cycle)) == reference_lines(cycle)


def test_a_creator_recruited_twice_by_one_organization_in_a_cycle_counts_once(operator):
    cycle = build(
        one_creator(
            [
                (0, BindingSource.RECRUITED, D(2026, 11, 2), D(2026, 11, 5)),
                (0, BindingSource.RECRUITED, D(2026, 11, 6), None),
            ],
            basic_per_introduced=from_fen(10_000),
        ),
        operator,
    )
    assert computed_lines(settlement_compute(actor=operator, cycle=cycle)) == reference_lines(cycle)


def test_overlapping_traffic_bands_give_a_creator_one_coupon(operator):
    world = one_creator([(0, BindingSource.RECRUITED, NOV, None)], bands=[(1, 2, 100), (2, 3, 200)])
    world["creators"].append({**world["creators"][0], "followers": 1})
    world["creators"][1]["metrics"] = [(D(2026, 11, 8), 1, 0, 5, PlayFlag.NONE, 0)]
    reward_list = settlement_compute(actor=operator, cycle=build(world, operator))
    coupons = RewardLine.objects.filter(reward_list=reward_list, kind="traffic")
    assert sorted(coupons.values_list("rank", "amount")) == [
        (1, Decimal("1.00")),
        (2, Decimal("1.00")),
    ]
