from django.db import migrations

# The first version of the signal rules: what a program starts with (operators edit it).
# (signal, window days, threshold, decide within days, default decision)
FIRST = [
    ("shared_identity", 30, 2, 14, "forfeit"),
    ("multi_claim", 30, 3, 14, "release"),
    ("transfer_churn", 60, 2, 14, "release"),
    ("self_dealing", 30, 5, 14, "forfeit"),
    ("play_anomaly", 30, 3, 14, "release"),
    ("failed_introductions", 30, 5, 21, "release"),
]


def seed(apps, schema_editor):
    RiskRuleSet = apps.get_model("risk", "RiskRuleSet")
    RiskRule = apps.get_model("risk", "RiskRule")
    if RiskRuleSet.objects.exists():
        return
    rule_set = RiskRuleSet.objects.create(number=1, note="First version")
    RiskRule.objects.bulk_create(
        RiskRule(
            rule_set=rule_set,
            signal=signal,
            enabled=True,
            window_days=window,
            threshold=threshold,
            expiry_days=expiry,
            default_decision=decision,
        )
        for signal, window, threshold, expiry, decision in FIRST
    )


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
