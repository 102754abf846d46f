"""Growth's "confirmed violations" count the risk cases an operator (or the rule's default)
decided "forfeit" in the month, through the core's registry: growth imports nothing of risk."""

import ast
import datetime
from pathlib import Path

from django.utils import timezone

from growth.models import Scorecard
from growth.services.scorecard import scorecards_compute
from risk.models import CaseStatus, RiskCase, RiskRule, Signal

D = datetime.date
NOVEMBER = D(2026, 11, 1)


def case(organization, status, decided_on):
    rule = RiskRule.objects.filter(signal=Signal.FAILED_INTRODUCTIONS).first()
    decided = timezone.make_aware(datetime.datetime.combine(decided_on, datetime.time(0, 30)))
    return RiskCase.objects.create(
        signal=Signal.FAILED_INTRODUCTIONS,
        rule=rule,
        organization=organization,
        status=status,
        figure=5,
        opened_at=decided,
        updated_at=decided,
        expires_on=decided_on,
        decided_at=None if status == CaseStatus.OPEN else decided,
    )


def test_forfeited_risk_cases_of_the_month_count_as_violations(organization, other_organization):
    case(organization, CaseStatus.FORFEITED, D(2026, 11, 1))  # 00:30 in Shanghai: November
    case(organization, CaseStatus.FORFEITED, D(2026, 11, 30))
    case(other_organization, CaseStatus.FORFEITED, D(2026, 10, 31))  # another month
    case(other_organization, CaseStatus.RELEASED, D(2026, 11, 10))  # cleared
    open_case = case(other_organization, CaseStatus.OPEN, D(2026, 11, 10))  # a suspicion
    RiskCase.objects.filter(pk=open_case.pk).update(organization=other_organization)
    scorecards_compute(month=NOVEMBER, as_of=D(2026, 12, 1))
    figures = dict(
        Scorecard.objects.filter(month=NOVEMBER).values_list("organization", "violations")
    )
    assert figures == {organization.pk: 2, other_organization.pk: 0}


def test_growth_imports_nothing_of_risk():
    for path in Path("growth").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("risk"), path
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("risk") for a in node.names), path
