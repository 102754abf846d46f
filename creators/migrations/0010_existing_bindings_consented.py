"""Every binding made before creators could consent is treated as consented with all scopes
(earnings, metrics and contact), as issue 19 decided: organizations keep seeing what they saw.
One set-based INSERT ... SELECT writes a consent row per binding that has none; the rows have no
link (a random salt each, already expired, sent by nobody) and no contact details (none were ever
collected). Reversing deletes only the rows this migration wrote (consented, never sent, answered
at the moment of the migration)."""

from django.db import migrations
from django.utils import timezone


def consent_existing(apps, schema_editor):
    Binding = apps.get_model("creators", "Binding")
    BindingConsent = apps.get_model("creators", "BindingConsent")
    connection = schema_editor.connection
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    salt = (
        "md5(random()::text)"
        if connection.vendor == "postgresql"
        else "lower(hex(randomblob(16)))"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {BindingConsent._meta.db_table}
                (binding_id, state, earnings, metrics, contact, contact_mobile, contact_email,
                 salt, expires_at, links_sent, created_at, decided_at)
            SELECT b.id, 'consented', TRUE, TRUE, TRUE, '', '', {salt}, %s, 0, %s, %s
            FROM {Binding._meta.db_table} b
            WHERE NOT EXISTS (
                SELECT 1 FROM {BindingConsent._meta.db_table} c WHERE c.binding_id = b.id)
            """,  # noqa: S608
            [now, now, now],
        )


def forget(apps, schema_editor):
    BindingConsent = apps.get_model("creators", "BindingConsent")
    BindingConsent.objects.filter(
        state="consented", sent_at__isnull=True, links_sent=0, sent_by__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("creators", "0009_binding_consent")]

    operations = [migrations.RunPython(consent_existing, forget)]
