"""The first scorecard version (published, in force from 2020) and five levels with their rights,
so the monthly score runs on a fresh install; operators edit all of it on the growth settings page."""

import datetime
from decimal import Decimal

from django.db import migrations
from django.utils import timezone

LEVELS = [
    # number, Chinese name, English name, score from, rights
    (1, "起步", "Starter", "0", {}),
    (2, "成长", "Growing", "35", {"nomination_quota": 5}),
    (3, "进阶", "Established", "50", {"nomination_quota": 8, "placement_quota": 20}),
    (
        4,
        "优选",
        "Preferred",
        "65",
        {"nomination_quota": 12, "placement_quota": 40, "holding_days_less": 3},
    ),
    (
        5,
        "标杆",
        "Flagship",
        "80",
        {
            "nomination_quota": 20,
            "placement_quota": 80,
            "holding_days_less": 7,
            "review_lane": 1,
        },
    ),
]


def seed(apps, schema_editor):
    Version = apps.get_model("growth", "ScorecardVersion")
    Level = apps.get_model("growth", "Level")
    LevelRight = apps.get_model("growth", "LevelRight")
    if not Version.objects.exists():
        Version.objects.create(
            number=1,
            effective_from=datetime.date(2020, 1, 1),
            status="published",
            published_at=timezone.now(),
            note="Initial weights.",
        )
    if not Level.objects.exists():
        for number, name_zh, name_en, min_score, rights in LEVELS:
            level = Level.objects.create(
                number=number, name_zh=name_zh, name_en=name_en, min_score=Decimal(min_score)
            )
            for key, value in rights.items():
                LevelRight.objects.create(level=level, key=key, value=value)


class Migration(migrations.Migration):
    dependencies = [("growth", "0001_scorecards_levels_rights")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
