from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incentives", "0013_lines_page_order_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="rewardlist",
            name="creator_count",
            field=models.PositiveIntegerField(default=0, verbose_name="creators"),
        ),
        # Lists computed before the count was stored: counted once here.
        migrations.RunSQL(
            """
            UPDATE incentives_rewardlist
            SET creator_count = (
                SELECT COUNT(DISTINCT creator_id) FROM incentives_rewardline
                WHERE incentives_rewardline.reward_list_id = incentives_rewardlist.id
            )
            """,
            migrations.RunSQL.noop,
        ),
    ]
