"""A list's lines after a settlement (issue #17): the planner has fresh figures for the lines
table, and a page of lines in id order reads the list's part of the (list, id) index."""

import pytest
from django.db import connection

from incentives.api.views import lines_for
from incentives.models import RewardLine, RewardList
from incentives.services.computation import compute_lines
from tests.incentives.test_computation import setup_cycle

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ANALYZE and the plan are PostgreSQL's"
)


def test_computing_lines_analyzes_the_lines_table(operator, organization, beauty):
    cycle, version = setup_cycle(operator, organization, beauty)
    reward_list = RewardList.objects.create(cycle=cycle, rule_version=version)
    with connection.cursor() as cursor:
        # The test's lines are the table's only rows (its own transaction's, which ANALYZE
        # counts): the planner's row count is theirs only once the table was analyzed.
        compute_lines(reward_list.pk, cycle, version)
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = 'incentives_rewardline'::regclass"
        )
        assert cursor.fetchone()[0] == RewardLine.objects.count() > 0


def test_a_page_of_lines_reads_the_list_id_index(operator, organization, beauty):
    cycle, version = setup_cycle(operator, organization, beauty)
    reward_list = RewardList.objects.create(cycle=cycle, rule_version=version)
    compute_lines(reward_list.pk, cycle, version)
    page = lines_for(operator).filter(reward_list=reward_list).order_by("-id")[:500]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # The order comes from (list, id) alone: without a sort the plan must read that index
        # (on a few lines the planner may as well read the list by line_org_idx and sort).
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "line_list_id_idx" in plan, plan
