"""Accounts made before email verification existed were all created by operators or the demo
builder; they count as verified."""

from django.db import migrations
from django.db.models import F


def verify(apps, schema_editor):
    apps.get_model("accounts", "User").objects.filter(email_verified_at__isnull=True).update(
        email_verified_at=F("date_joined")
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_email_verified_at")]

    operations = [migrations.RunPython(verify, migrations.RunPython.noop)]
