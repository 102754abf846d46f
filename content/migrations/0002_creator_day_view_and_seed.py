"""The one source of truth for original videos (a view), the Hamming distance on PostgreSQL, and
the reference data operators start from: content types, reason codes, the originality rule, the
first quality rubric and a sampling rule."""

import datetime
from decimal import Decimal

from django.db import migrations

from content.originals import DROP_SQL, VIEW_SQL

HAMMING_PG = """
CREATE OR REPLACE FUNCTION content_hamming(a bigint, b bigint) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT bit_count((a # b)::bit(64))::integer $$
"""

CONTENT_TYPES = [
    ("review", "评测", "Evaluation / review"),
    ("outfit", "穿搭", "Outfit"),
    ("unboxing", "开箱", "Unboxing"),
    ("tutorial", "教程", "Tutorial"),
    ("vlog", "Vlog", "Vlog"),
    ("other", "其他", "Other"),
]

REASONS = [
    ("original", "own_footage", "自行拍摄的原创内容，与匹配视频仅画面相似", "Own footage; only looks like the matched video"),
    ("original", "same_template", "使用同一模板或场景，内容不同", "Same template or setting, different content"),
    ("original", "authorized", "已获得原作者授权", "Licensed by the original author"),
    ("transformative", "commentary", "在他人素材基础上加入实质性解说或评测", "Substantial commentary or review added to others' material"),
    ("transformative", "remix", "对素材进行了实质性再创作", "Material substantially reworked"),
    ("copy", "reupload", "搬运他人视频", "Re-upload of another creator's video"),
    ("copy", "cut_compilation", "剪辑拼接他人内容，无实质性再创作", "Cut together from others' content without new work"),
    ("copy", "stock_material", "使用图库或品牌官方素材并声明原创", "Stock or brand material declared as original"),
    ("copy", "self_duplicate", "重复发布本人已发布的视频", "The creator's own earlier video published again"),
]

CRITERIA = [
    ("information", "信息价值", "Information value", "观众看完能学到什么、做出什么决定", "What the viewer learns or can decide after watching", 30),
    ("authenticity", "真实可信", "Authenticity", "真实使用体验，结论有依据", "Real use, conclusions backed by evidence", 25),
    ("production", "制作水准", "Production", "画面、声音、剪辑与节奏", "Picture, sound, editing and pace", 20),
    ("relevance", "商品相关", "Product relevance", "内容围绕所挂商品展开", "The content is about the featured products", 25),
]


def seed(apps, schema_editor):
    ContentType = apps.get_model("content", "ContentType")
    ReasonCode = apps.get_model("content", "ReasonCode")
    OriginalityRule = apps.get_model("content", "OriginalityRule")
    Rubric = apps.get_model("content", "Rubric")
    Criterion = apps.get_model("content", "Criterion")
    SamplingRule = apps.get_model("content", "SamplingRule")
    for order, (code, zh, en) in enumerate(CONTENT_TYPES):
        ContentType.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "sort_order": order}
        )
    for order, (outcome, code, zh, en) in enumerate(REASONS):
        ReasonCode.objects.get_or_create(
            code=code,
            defaults={"outcome": outcome, "name_zh": zh, "name_en": en, "sort_order": order},
        )
    start = datetime.date(2020, 1, 1)
    if not OriginalityRule.objects.exists():
        OriginalityRule.objects.create(valid_from=start)
    if not Rubric.objects.exists():
        rubric = Rubric.objects.create(
            number=1, status="published", effective_from=start, note="首版评分标准"
        )
        for order, (code, zh, en, gzh, gen, weight) in enumerate(CRITERIA):
            Criterion.objects.create(
                rubric=rubric, code=code, name_zh=zh, name_en=en, guidance_zh=gzh,
                guidance_en=gen, weight=weight, sort_order=order,
            )
    if not SamplingRule.objects.exists():
        SamplingRule.objects.create(min_valid_plays=100_000, random_percent=Decimal("2.00"))


def create_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(HAMMING_PG)


def drop_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS content_hamming(bigint, bigint)")


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_initial"),
        ("creators", "0005_interactions_defaults"),
    ]

    operations = [
        migrations.RunSQL(VIEW_SQL, DROP_SQL),
        migrations.RunPython(create_functions, drop_functions),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
