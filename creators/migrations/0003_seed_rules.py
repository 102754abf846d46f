"""The program's first qualification rule and abnormal-play rule (operators add newer rows)."""

import datetime
from decimal import Decimal

from django.db import migrations


def seed(apps, schema_editor):
    QualificationRule = apps.get_model("creators", "QualificationRule")
    AbnormalPlayRule = apps.get_model("creators", "AbnormalPlayRule")
    start = datetime.date(2026, 1, 1)
    if not QualificationRule.objects.exists():
        QualificationRule.objects.create(
            name="2026 标准 / 2026 standard",
            min_original_videos=3,
            min_valid_plays=100_000,
            window_days=30,
            valid_from=start,
        )
    if not AbnormalPlayRule.objects.exists():
        AbnormalPlayRule.objects.create(
            multiplier=Decimal("10"),
            lookback_days=14,
            min_history_days=3,
            min_plays=50_000,
            valid_from=start,
        )


def unseed(apps, schema_editor):
    apps.get_model("creators", "QualificationRule").objects.all().delete()
    apps.get_model("creators", "AbnormalPlayRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("creators", "0002_metrics_transfers_disputes_imports")]

    operations = [migrations.RunPython(seed, unseed)]
