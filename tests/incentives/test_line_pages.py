"""A list's lines after a settlement (issue #17): the planner has fresh figures for the lines
table, a page of lines in id order reads the list's part of the (list, id) index, and the lines
page counts no further than the pages it offers, in an order an index serves."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incentives.models import LineKind, RewardLine, RewardList
from incentives.services import settlement_compute
from incentives.services.computation import compute_lines
from incentives.views import common as lines_view
from tests.incentives.test_computation import setup_cycle

EN = {"Accept-Language": "en"}
HX = {"HX-Request": "true"}

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


def test_the_lines_page_order_has_its_index(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'incentives_rewardline'"
            " AND indexname = 'line_list_kind_amount_idx'"
        )
        (definition,) = cursor.fetchone()
    assert definition.endswith("(reward_list_id, kind, amount DESC, id)"), definition


@pytest.fixture
def computed(operator, organization, beauty):
    cycle, _version = setup_cycle(operator, organization, beauty)
    return settlement_compute(actor=operator, cycle=cycle)  # six lines


def shown(response) -> list[int]:
    return [line.pk for line in response.context["page"].object_list]


def test_a_list_longer_than_the_pages_offered_says_more_than_and_still_pages(
    client, operator, computed, monkeypatch
):
    monkeypatch.setattr(lines_view, "LINES_PER_PAGE", 2)
    monkeypatch.setattr(lines_view, "MAX_PAGES", 2)
    ordered = list(
        RewardLine.objects.filter(reward_list=computed)
        .order_by("kind", "-amount", "pk")
        .values_list("pk", flat=True)
    )
    assert len(ordered) > 4
    client.force_login(operator)
    url = reverse("incentives:list", args=[computed.pk])
    first = client.get(url, headers=EN)
    paginator = first.context["page"].paginator
    assert paginator.capped and paginator.count == 4 and paginator.num_pages == 2
    html = first.content.decode()
    assert "More than 4 lines" in html and "Page 1 of the first 2" in html
    assert 'rel="next"' in html and "page=2" in html
    second = client.get(url, {"page": 2}, headers={**EN, **HX})
    fragment = second.content.decode()
    assert "<html" not in fragment and "More than 4 lines" in fragment
    assert shown(first) + shown(second) == ordered[:4]
    assert client.get(url, {"page": 9}).context["page"].number == 2  # the last page offered
    # A filter that narrows the list below the cap is counted exactly.
    kind = RewardLine.objects.get(pk=ordered[-1]).kind
    narrowed = client.get(url, {"kind": kind}, headers=EN)
    count = RewardLine.objects.filter(reward_list=computed, kind=kind).count()
    assert count <= 4 and not narrowed.context["page"].paginator.capped
    assert f"{count} line" in narrowed.content.decode()


def test_the_lines_page_queries_do_not_grow_with_the_lines(
    client, operator, computed, django_assert_max_num_queries
):
    client.force_login(operator)
    url = reverse("incentives:list", args=[computed.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    line = RewardLine.objects.filter(reward_list=computed, creator__isnull=False).first()
    RewardLine.objects.bulk_create(
        RewardLine(
            reward_list=computed,
            creator_id=line.creator_id,
            organization_id=line.organization_id,
            kind=LineKind.ADJUSTMENT,
            pool=line.pool,
            amount=Decimal(n),
            rule_version_id=line.rule_version_id,
            note="correction",
        )
        for n in range(1, 150)
    )
    for page in (1, 2, 3):
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(url, {"page": page})
        assert len(response.context["page"].object_list) == lines_view.LINES_PER_PAGE


def test_a_swap_of_the_lines_reads_no_sums_of_the_list(client, operator, computed):
    client.force_login(operator)
    url = reverse("incentives:list", args=[computed.pk])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page": 1}, headers={**EN, **HX})
    html = response.content.decode()
    assert "<html" not in html and "6 lines" in html and "totals" not in response.context
    assert not any("SUM(" in q["sql"] for q in captured.captured_queries)
    # The whole page reads none either: its figures are those stored on the list.
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url, headers=EN)
    assert not any(
        'FROM "incentives_rewardline"' in q["sql"]
        and ("SUM(" in q["sql"] or "DISTINCT" in q["sql"])
        for q in captured.captured_queries
    )
    computed.refresh_from_db()
    assert computed.creator_count > 0
    assert f"<dt>Creators paid</dt><dd>{computed.creator_count}</dd>" in page.content.decode()
