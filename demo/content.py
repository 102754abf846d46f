"""The demo's videos, made through the content services as the content system and the reviewers
would: a few thousand videos of demo creators whose daily counts are exactly the originals they
reported (so settlement counts the same either way), their daily figures, covers for the videos
that matter, near-duplicates across organizations and a few re-uploads, the originality check,
decisions by the managers of each field (most copies, some originals and transformative works),
one appeal waiting for a second reviewer, grades, nominations and last night's sample."""

import datetime
import io
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageEnhance

from content.fingerprint import to_signed
from content.models import OriginalityReview, ReasonCode, ReviewStatus, Rubric, Video
from content.services import (
    ProductRow,
    VideoMetricRow,
    VideoRow,
    originality_appeal,
    originality_check,
    originality_decide,
    quality_sample,
    video_grade,
    video_metrics_upsert,
    video_nominate,
    video_set_cover,
    videos_upsert,
)
from portal.accounts.models import ManagerProfile
from portal.accounts.permissions import SYSTEM

TARGET_VIDEOS = 3000
COPIES = 36
REUPLOADS = 6
FIGURE_DAYS = 14

SUBJECTS = {
    "beauty": ["油皮粉底液", "平价口红", "防晒霜", "眼影盘", "卸妆油", "气垫BB"],
    "personal-care": ["电动牙刷", "洗发水", "身体乳", "剃须刀", "漱口水", "护手霜"],
    "fashion": ["通勤西装", "小个子穿搭", "羽绒服", "牛仔裤", "针织开衫", "运动鞋"],
    "digital-3c": ["千元手机", "降噪耳机", "机械键盘", "平板电脑", "充电宝", "智能手表"],
    "home-appliances": ["空气炸锅", "扫地机器人", "洗碗机", "净水器", "电饭煲", "吸尘器"],
    "maternal-child": ["婴儿推车", "奶瓶", "纸尿裤", "儿童安全座椅", "辅食机", "学步鞋"],
    "pets": ["猫粮", "自动喂食器", "狗狗牵引绳", "猫砂", "宠物烘干箱", "冻干零食"],
    "sports": ["跑鞋", "瑜伽垫", "筋膜枪", "骑行头盔", "运动手环", "速干T恤"],
}
PATTERNS = {
    "review": ["{s}横评：{n}款实测", "{s}到底值不值？深度评测", "{s}避坑指南", "{n}天实测{s}"],
    "outfit": ["{s}一周不重样", "{s}这样穿显高", "秋冬{s}搭配公式"],
    "unboxing": ["{s}开箱", "新到的{s}开箱体验", "{s}拆箱看做工"],
    "tutorial": ["{s}新手教程", "三分钟学会用{s}", "{s}保养全攻略"],
    "vlog": ["用了一个月{s}的真实感受", "我的{s}日常vlog"],
}
TYPES = list(PATTERNS)


def _title(rng: random.Random, category: str, kind: str) -> str:
    subject = rng.choice(SUBJECTS.get(category, ["好物"]))
    return rng.choice(PATTERNS[kind]).format(s=subject, n=rng.choice((3, 5, 7, 10)))


def _frames(rng: random.Random) -> tuple[int, ...]:
    return tuple(to_signed(rng.getrandbits(64)) for _ in range(3))


def _near(frames: tuple[int, ...], rng: random.Random) -> tuple[int, ...]:
    return tuple(to_signed(f ^ (1 << rng.randrange(64))) for f in frames)


def _cover(rng: random.Random) -> bytes:
    image = Image.new("RGB", (320, 180), tuple(rng.randrange(40, 220) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(320), rng.randrange(180)
        w, h = rng.randrange(30, 160), rng.randrange(20, 100)
        draw.rectangle((x, y, x + w, y + h), fill=tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _copied_cover(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        brighter = ImageEnhance.Brightness(image.convert("RGB")).enhance(1.06)
        out = io.BytesIO()
        brighter.save(out, "JPEG", quality=80)
    return out.getvalue()


def _rows(plan, metrics, made, rng) -> list[VideoRow]:
    """One video per video the creator reported, on the day reported, for the creators of the
    showcase organization first, then the demo manager's fields, then others."""
    index = {c.platform_account_id: c for c in plan.creators}
    showcase = 0
    by_creator: dict[str, list] = {}
    for metric in metrics:
        if metric.videos_published:
            by_creator.setdefault(metric.platform_account_id, []).append(metric)

    def priority(account):
        creator = index[account]
        return (
            creator.organization_index != showcase,
            creator.category not in ("beauty", "personal-care"),
            account,
        )

    rows, count = [], 0
    for account in sorted(by_creator, key=priority):
        creator = index[account]
        if made[creator.organization_index][0].status not in ("approved", "suspended"):
            continue
        for metric in by_creator[account]:
            for number in range(metric.videos_published):
                kind = rng.choice(TYPES)
                count += 1
                moment = min(
                    timezone.make_aware(
                        datetime.datetime.combine(
                            metric.date, datetime.time(rng.randrange(8, 23), rng.randrange(60))
                        )
                    ),
                    timezone.now() - datetime.timedelta(minutes=30 + count % 60),
                )
                rows.append(
                    VideoRow(
                        video_id=f"dv{count:07d}",
                        platform_account_id=account,
                        category=creator.category,
                        content_type=kind,
                        title=_title(rng, creator.category, kind),
                        duration_seconds=rng.randrange(30, 900),
                        published_at=moment,
                        declared_original=number < metric.original_videos,
                        products=(
                            ProductRow(
                                f"SKU{rng.randrange(10_000, 99_999)}",
                                rng.choice(SUBJECTS.get(creator.category, ["好物"])),
                                creator.category,
                            ),
                        ),
                        frames=_frames(rng),
                    )
                )
        if count >= TARGET_VIDEOS:
            break
    return rows


def _plant_copies(rows: list[VideoRow], plan, rng) -> list[tuple[int, int]]:
    """Later videos that copy an earlier one of another organization's creator (and a few of the
    creator's own): same key frames but one bit. Returns (copy index, source index) pairs."""
    index = {c.platform_account_id: c for c in plan.creators}
    ordered = sorted(range(len(rows)), key=lambda i: rows[i].published_at)
    half = len(ordered) // 2
    pairs = []
    targets = [
        i
        for i in ordered[half:]
        if rows[i].declared_original and rows[i].category in ("beauty", "personal-care")
    ]
    rng.shuffle(targets)
    for target in targets[:COPIES]:
        org = index[rows[target].platform_account_id].organization_index
        sources = [
            i
            for i in ordered[:half]
            if index[rows[i].platform_account_id].organization_index != org
        ]
        pairs.append((target, rng.choice(sources)))
    for target in [i for i in ordered[half:] if i not in dict(pairs)][:REUPLOADS]:
        own = [
            i
            for i in ordered[:half]
            if rows[i].platform_account_id == rows[target].platform_account_id
        ]
        if own:
            pairs.append((target, own[0]))
    for target, source in pairs:
        row = rows[target]
        rows[target] = VideoRow(**{**row.__dict__, "frames": _near(rows[source].frames, rng)})
    return pairs


def _figures(videos, today, rng) -> list[VideoMetricRow]:
    rows = []
    for video in videos:
        base = rng.randrange(500, 80_000)
        day = video.published_on
        while day <= today and (day - video.published_on).days < FIGURE_DAYS:
            age = (day - video.published_on).days
            plays = int(base / (1 + age) * rng.uniform(0.7, 1.3))
            rows.append(
                VideoMetricRow(
                    video_id=video.video_id,
                    date=day,
                    plays=plays,
                    valid_plays=int(plays * rng.uniform(0.8, 0.97)),
                    completion_rate=Decimal(rng.randrange(1500, 7500)) / 10_000,
                    interactions=int(plays * rng.uniform(0.01, 0.08)),
                    gmv=Decimal(int(plays * rng.uniform(0, 0.3))),
                )
            )
            day += datetime.timedelta(days=1)
    return rows


def _managers(category_id: int) -> list:
    return [
        profile.user
        for profile in ManagerProfile.objects.filter(categories=category_id, is_active=True)
        .select_related("user")
        .order_by("user__email")
    ]


def _decide(operator, made, rng) -> dict:
    """Managers decide about two reviews in three; one copy decision of the showcase organization
    is made by another reviewer and appealed by its owner, so the demo manager can hear it."""
    reasons = {r.code: r for r in ReasonCode.objects.all()}
    showcase, showcase_owner = made[0]
    reviews = list(
        OriginalityReview.objects.filter(status=ReviewStatus.OPEN)
        .select_related("video__organization", "video__creator")
        .order_by("opened_at", "id")
    )
    decided, appealed = 0, 0
    for number, review in enumerate(reviews):
        video = review.video
        managers = _managers(review.category_id)
        ours = video.organization_id == showcase.pk
        if ours and not appealed:
            actor = next((m for m in managers if m.email != "manager@demo.local"), operator)
            decision = originality_decide(
                actor=actor,
                review=review,
                outcome="copy",
                reason=reasons["reupload"],
                note="关键帧与更早发布的视频几乎一致。",
            )
            originality_appeal(
                actor=showcase_owner,
                decision=decision,
                statement="该视频为达人本人实拍，可提供原始素材与拍摄花絮，请复核。",
            )
            decided, appealed = decided + 1, 1
            continue
        if number % 3 == 2 or not managers:
            continue  # left waiting in the queue
        outcome = rng.choices(("copy", "original", "transformative"), (6, 2, 1))[0]
        reason = {"copy": "reupload", "original": "own_footage", "transformative": "commentary"}
        originality_decide(
            actor=rng.choice(managers),
            review=review,
            outcome=outcome,
            reason=reasons[reason[outcome]],
            note="",
        )
        decided += 1
    return {"decided": decided, "appeals": appealed, "reviews": len(reviews)}


def _grade(videos, made, today, rng) -> int:
    rubric = Rubric.objects.in_force(today)
    criteria = list(rubric.criteria.all()) if rubric else []
    graded = 0
    for video in videos[:: max(1, len(videos) // 150)]:
        managers = _managers(video.category_id)
        if not managers or not criteria:
            continue
        scores = {c.pk: rng.choices((2, 3, 4, 5), (1, 3, 4, 2))[0] for c in criteria}
        video_grade(actor=rng.choice(managers), video=video, scores=scores, note="")
        graded += 1
    showcase, owner = made[0]
    for video in Video.objects.filter(organization=showcase, grade="").order_by("-valid_plays")[:3]:
        video_nominate(actor=owner, video=video)
    return graded


def demo_content(*, seed: int, plan, metrics, made, operator, today: datetime.date) -> dict:
    rng = random.Random(seed * 104_729)
    rows = _rows(plan, metrics, made, rng)
    pairs = _plant_copies(rows, plan, rng)
    for start in range(0, len(rows), 2000):
        result = videos_upsert(actor=SYSTEM, rows=rows[start : start + 2000], source="demo")
        if result["errors"]:
            raise ValueError(f"demo videos refused: {result['errors']}")
    covered = {rows[i].video_id for pair in pairs for i in pair}
    covered |= {r.video_id for r in rows[:60]}
    by_id = {v.video_id: v for v in Video.objects.filter(video_id__in=covered)}
    images = {}
    for target, source in sorted(pairs, key=lambda p: p[1]):
        images.setdefault(rows[source].video_id, _cover(rng))
        images[rows[target].video_id] = _copied_cover(images[rows[source].video_id])
    for video_id in sorted(covered):
        data = images.get(video_id) or _cover(rng)
        upload = SimpleUploadedFile("cover.jpg", data, content_type="image/jpeg")
        video_set_cover(actor=SYSTEM, video=by_id[video_id], upload=upload)
    checked = originality_check()
    videos = list(Video.objects.order_by("published_at", "id"))
    figures = _figures(videos, today, rng)
    for start in range(0, len(figures), 5000):
        video_metrics_upsert(actor=SYSTEM, rows=figures[start : start + 5000], source="demo")
    decided = _decide(operator, made, rng)
    graded = _grade([v for v in videos if v.originality != "copy"], made, today, rng)
    sampled = quality_sample(day=today - datetime.timedelta(days=1))
    return {
        "videos": len(rows),
        "suspected": checked["suspected"],
        **decided,
        "graded": graded,
        "sampled": sampled,
    }
