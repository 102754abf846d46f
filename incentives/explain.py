"""Why a line pays what it pays, in the reader's language: the rule, its thresholds, the figures
and the cap. Built from what the line recorded when it was computed (figures, rule id, amount
before the cap) and the rule version it names, so it stays true after the rules change."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incentives.models import LineKind, OrgTier, RewardLine, SubsidyRule, TrafficBand
from portal.core.money import from_fen, to_fen


def cny(value) -> str:
    return f"{Decimal(value):,.2f}"


def number(value) -> str:
    return f"{int(value or 0):,}"


def _rules_for(lines: list[RewardLine]) -> dict:
    wanted: dict[type, set[int]] = {SubsidyRule: set(), OrgTier: set(), TrafficBand: set()}
    model_of = {
        LineKind.CREATOR_SUBSIDY: SubsidyRule,
        LineKind.ORG_TIER: OrgTier,
        LineKind.TRAFFIC: TrafficBand,
    }
    for line in lines:
        if line.rule_id and line.kind in model_of:
            wanted[model_of[line.kind]].add(line.rule_id)
    found = {}
    for model, ids in wanted.items():
        if ids:
            queryset = model.objects.filter(pk__in=ids)
            if model is SubsidyRule:
                queryset = queryset.select_related("category")
            found[model] = queryset.in_bulk()
    return {model: found.get(model, {}) for model in wanted}


def explain_lines(lines) -> list[RewardLine]:
    """Attach `.explanation` (a list of sentences) to each line; lines need `rule_version`
    selected. Three queries at most, whatever the number of lines."""
    lines = list(lines)
    rules = _rules_for(lines)
    named = _videos_named(lines)
    for line in lines:
        line.explanation = _explain(line, rules)
        if line.kind == LineKind.CREATOR_SUBSIDY and named.get(line.creator_id):
            line.explanation.append(_videos_sentence(named[line.creator_id], line.organization_id))
    return lines


VIDEOS_NAMED = 5


def _videos_named(lines: list[RewardLine]) -> dict[int, list[tuple[int | None, str]]]:
    """The original videos counted for each creator's subsidy line, from the one source of truth
    (`content.originals`), with the organization each was published under: creators without
    videos in the portal have none to name."""
    creators = {x.creator_id for x in lines if x.kind == LineKind.CREATOR_SUBSIDY}
    if not creators:
        return {}
    from content.models import Video
    from incentives.models import RewardList

    cycle = RewardList.objects.select_related("cycle").get(pk=lines[0].reward_list_id).cycle
    named: dict[int, list[tuple[int | None, str]]] = {}
    for creator_id, organization_id, title in (
        Video.objects.standing()
        .filter(
            creator_id__in=creators,
            published_on__gte=cycle.starts_on,
            published_on__lt=cycle.ends_on,
        )
        .order_by("creator_id", "published_at")
        .values_list("creator_id", "organization_id", "title")
    ):
        named.setdefault(creator_id, []).append((organization_id, title))
    return named


def _videos_sentence(videos: list[tuple[int | None, str]], organization_id: int) -> str:
    """Titles of the videos published under the line's organization; those a creator published
    while bound to another organization are that organization's (its scoping), so they are
    counted, never named."""
    titles = [title for owner, title in videos if owner in (organization_id, None)]
    elsewhere = len(videos) - len(titles)
    shown = "、".join(f"《{title}》" for title in titles[:VIDEOS_NAMED])
    more = max(len(titles) - VIDEOS_NAMED, 0)
    if not titles:
        sentence = ""
    elif more:
        sentence = _("Original videos counted: %(titles)s and %(more)s more.") % {
            "titles": shown,
            "more": more,
        }
    else:
        sentence = _("Original videos counted: %(titles)s.") % {"titles": shown}
    if elsewhere:
        other = ngettext(
            "%(count)s original video published while bound to another organization.",
            "%(count)s original videos published while bound to another organization.",
            elsewhere,
        ) % {"count": elsewhere}
        sentence = f"{sentence} {other}".strip()
    return sentence


def _capped(line, cap) -> str:
    return _(
        "Reduced from %(before)s CNY by the cap of %(cap)s CNY per creator and cycle, which the "
        "creative-field and playback subsidies share."
    ) % {"before": cny(line.amount_before_cap), "cap": cny(cap)}


def _creator_subsidy(line: RewardLine, version, rules: dict) -> list[str]:
    sentences = []
    rule = rules[SubsidyRule].get(line.rule_id)
    if rule is not None:
        sentences.append(
            _(
                "Level %(level)s of the %(field)s rules (version %(version)s): at least "
                "%(videos)s original videos, %(plays)s valid plays and %(followers)s "
                "followers pay %(amount)s CNY."
            )
            % {
                "level": rule.level,
                "field": rule.category.name,
                "version": version.number,
                "videos": number(rule.min_original_videos),
                "plays": number(rule.min_valid_plays),
                "followers": number(rule.min_followers),
                "amount": cny(rule.amount),
            }
        )
    sentences.append(
        _(
            "In the cycle: %(videos)s original videos, %(plays)s valid plays, %(followers)s "
            "followers; the highest level met counts."
        )
        % {
            "videos": number(line.original_videos),
            "plays": number(line.valid_plays),
            "followers": number(line.followers),
        }
    )
    if line.amount_before_cap is not None:
        sentences.append(_capped(line, version.creator_cap))
    return sentences


def _playback(line: RewardLine, version, rules: dict) -> list[str]:
    full = from_fen((line.valid_plays or 0) * to_fen(version.playback_rate) // 1000)
    sentences = [
        _(
            "%(plays)s valid plays × %(rate)s CNY per 1,000 = %(amount)s CNY (plays flagged "
            "as abnormal do not count)."
        )
        % {
            "plays": number(line.valid_plays),
            "rate": cny(version.playback_rate),
            "amount": cny(full),
        }
    ]
    if line.amount_before_cap is not None:
        sentences.append(_capped(line, version.creator_cap))
    return sentences


def _commission(line: RewardLine, version, rules: dict) -> list[str]:
    return [
        _("GMV of %(gmv)s CNY × a commission of %(rate)s = %(amount)s CNY.")
        % {
            "gmv": cny(line.gmv or 0),
            "rate": f"{Decimal(version.commission_bp) / 100:.2f}%",
            "amount": cny(line.amount),
        }
    ]


def _traffic(line: RewardLine, version, rules: dict) -> list[str]:
    sentences = [
        _(
            "Rank %(rank)s by valid plays (%(plays)s) among creators with at least %(min)s "
            "original videos in the cycle."
        )
        % {
            "rank": number(line.rank),
            "plays": number(line.valid_plays),
            "min": number(version.traffic_min_original),
        }
    ]
    band = rules[TrafficBand].get(line.rule_id)
    if band is not None:
        sentences.append(
            _("Ranks %(from)s to %(to)s receive a traffic coupon worth %(coupon)s CNY.")
            % {"from": band.rank_from, "to": band.rank_to, "coupon": cny(band.coupon)}
        )
    return sentences


def _org_basic(line: RewardLine, version, rules: dict) -> list[str]:
    return [
        _("%(count)s creators successfully introduced × %(basic)s CNY = %(amount)s CNY.")
        % {
            "count": number(line.introduced),
            "basic": cny(version.basic_per_introduced),
            "amount": cny(line.amount),
        }
    ]


def _org_tier(line: RewardLine, version, rules: dict) -> list[str]:
    tier = rules[OrgTier].get(line.rule_id)
    if tier is None:
        return []
    return [
        _(
            "%(count)s creators successfully introduced reach tier %(level)s (from "
            "%(min)s): a one-time subsidy of %(amount)s CNY for the month."
        )
        % {
            "count": number(line.introduced),
            "level": tier.level,
            "min": number(tier.min_introduced),
            "amount": cny(tier.amount),
        }
    ]


def _adjustment(line: RewardLine, version, rules: dict) -> list[str]:
    return [_("A correction after approval: %(note)s") % {"note": line.note}]


def _incubation(line: RewardLine, version, rules: dict) -> list[str]:
    return [
        _("An incubation reward for a creator on the published top-100 shortlist: %(note)s")
        % {"note": line.note}
    ]


# One function per kind of line: the sentences that explain its amount. Lines outside the rules
# (adjustments, incubation rewards) do not end with the rules version.
EXPLAIN = {
    LineKind.CREATOR_SUBSIDY: _creator_subsidy,
    LineKind.PLAYBACK: _playback,
    LineKind.COMMISSION: _commission,
    LineKind.TRAFFIC: _traffic,
    LineKind.ORG_BASIC: _org_basic,
    LineKind.ORG_TIER: _org_tier,
    LineKind.ADJUSTMENT: _adjustment,
    LineKind.INCUBATION: _incubation,
}
OUTSIDE_THE_RULES = (LineKind.ADJUSTMENT, LineKind.INCUBATION)


def _explain(line: RewardLine, rules: dict) -> list[str]:
    version = line.rule_version
    explain = EXPLAIN.get(line.kind)
    sentences = explain(line, version, rules) if explain else []
    if line.kind not in OUTSIDE_THE_RULES:
        sentences.append(
            _("Rules version %(version)s, in force from %(day)s.")
            % {"version": version.number, "day": version.effective_from.isoformat()}
        )
    return sentences
