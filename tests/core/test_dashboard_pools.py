"""The operator dashboard's incentive pools: each bar names its pool (cash or traffic) under the
program's name, so two pools of one program never read alike."""

import datetime
import re
from decimal import Decimal

from django.urls import reverse

from incentives.models import Program
from incentives.services import program_create


def test_each_pool_bar_is_labelled_by_its_kind(client, operator):
    program = program_create(
        actor=operator,
        name="内容生态激励计划 2027 年度现金与流量双激励",
        starts_on=datetime.date(2027, 1, 1),
        ends_on=datetime.date(2028, 1, 1),
        cash_budget=Decimal(1_000_000_000),
        traffic_budget=Decimal(1_000_000_000),
    )
    Program.objects.filter(pk=program.pk).update(status="active")
    client.force_login(operator)
    html = client.get(reverse("core:dashboard"), headers={"Accept-Language": "en"}).content.decode()
    labels = re.findall(r'<span class="bar-label">([^<]*)</span>', html.split('id="pools"')[1])[:2]
    assert labels == ["Cash pool", "Traffic pool"]
    assert (
        f'href="{reverse("incentives:program", args=[program.pk])}">{program.name}</a></h3>' in html
    )
