"""A list's lines after a settlement (issue #17): the planner has fresh figures for the lines
table, and a page of lines in id order reads the list's part of the (list, id) index."""

import pytest
from django.db import connection

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


def test_a_page_of_lines_has_the_list_id_index_it_reads(db):
    """A page of a list's lines is (list, id) ordered: the index that serves it exists with those
    columns. Which plan reads it depends on the table's size (on a few lines the planner may as
    well scan the primary key); the reward-lines benchmark reads it at 190,000 lines."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'incentives_rewardline'"
            " AND indexname = 'line_list_id_idx'"
        )
        (definition,) = cursor.fetchone()
    assert definition.endswith("(reward_list_id, id)"), definition
