"""Seed the program's creative fields (domain.md): more than 20, named in Chinese and English."""

from django.db import migrations

CATEGORIES = [
    ("digital-3c", "数码3C", "Digital 3C"),
    ("home-appliances", "家用电器", "Home appliances"),
    ("maternal-child", "母婴", "Maternal and child"),
    ("pets", "宠物", "Pets"),
    ("fashion", "服饰穿搭", "Fashion"),
    ("sports", "运动", "Sports"),
    ("beauty", "美妆", "Beauty"),
    ("personal-care", "个护", "Personal care"),
    ("health", "健康", "Health"),
    ("automotive", "汽车", "Automotive"),
    ("home-furnishing", "家居家装", "Home furnishing"),
    ("food-fresh", "食品生鲜", "Food and fresh"),
    ("supermarket-fmcg", "超市快消", "Supermarket FMCG"),
    ("books", "图书", "Books"),
    ("toys", "玩具", "Toys"),
    ("jewelry", "珠宝", "Jewelry"),
    ("outdoor", "户外", "Outdoor"),
    ("travel", "旅行", "Travel"),
    ("education", "教育", "Education"),
    ("computers-office", "电脑办公", "Computers and office"),
    ("luggage-leather", "箱包皮具", "Luggage and leather goods"),
    ("watches-eyewear", "钟表眼镜", "Watches and eyewear"),
    ("home-textiles", "家纺", "Home textiles"),
    ("wine-spirits", "酒水", "Wine and spirits"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("core", "Category")
    for order, (code, name_zh, name_en) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(
            code=code, defaults={"name_zh": name_zh, "name_en": name_en, "sort_order": order}
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("core", "Category")
    Category.objects.filter(code__in=[code for code, _zh, _en in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
