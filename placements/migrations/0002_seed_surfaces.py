"""The four display surfaces the program announced; operators edit them afterwards."""

from django.db import migrations

SURFACES = [
    # code, Chinese, English, page, accepted content types, minimum grade, product required
    ("browse_review", "逛频道·评测", "Browsing channel · Evaluation tab", "channel", ["review", "unboxing"], "B", False),
    ("browse_outfit", "逛频道·穿搭", "Browsing channel · Outfit tab", "channel", ["outfit"], "B", False),
    ("product_review", "商品详情页·评测", "Product page · Evaluation section", "product", ["review", "unboxing"], "A", True),
    ("product_outfit", "商品详情页·穿搭", "Product page · Outfit section", "product", ["outfit"], "A", True),
]


def seed(apps, schema_editor):
    Surface = apps.get_model("placements", "Surface")
    ContentType = apps.get_model("content", "ContentType")
    for order, (code, zh, en, page, types, grade, product) in enumerate(SURFACES):
        surface, created = Surface.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "page": page,
                "min_grade": grade,
                "product_required": product,
                "sort_order": order,
            },
        )
        if created:
            surface.content_types.set(ContentType.objects.filter(code__in=types))


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0001_surfaces_inventory_placements_coupons"),
        ("content", "0002_creator_day_view_and_seed"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
