"""Demo data for agency growth: the last six months scored, in order, through the service (the
levels' hysteresis needs the month before), as the monthly job would have done."""

import datetime

from growth.services.scorecard import previous_month, scorecards_compute

DEMO_MONTHS = 6


def demo_growth(*, operator, today: datetime.date) -> dict:
    months = [previous_month(today.replace(day=1))]
    for _ in range(DEMO_MONTHS - 1):
        months.append(previous_month(months[-1]))
    scored = 0
    for month in reversed(months):
        scored += scorecards_compute(actor=operator, month=month, as_of=today)["scored"]
    return {"months": len(months), "scorecards": scored}
