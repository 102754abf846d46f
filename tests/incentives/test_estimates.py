"""The running cycle's nightly estimate: the real computation, rolled back, kept as "estimated
so far" and replaced by the final amounts at settlement (issue 18)."""

from decimal import Decimal

from django.urls import reverse

from incentives.models import Estimate, LedgerEntry, RewardLine, RewardList
from incentives.services.estimates import estimate_compute
from incentives.services.simulation import simulate
from incentives.tasks import estimate_running_cycles
from portal.core.money import money_sum
from tests.incentives.test_computation import setup_cycle
from tests.incentives.test_holds import publish


def test_the_estimate_is_the_real_computation_and_nothing_is_posted(operator, organization, beauty):
    cycle, version = setup_cycle(operator, organization, beauty)
    expected = simulate(cycle, version)
    assert estimate_compute(cycle=cycle) == expected.lines
    for pool, total in expected.by_pool.items():
        estimated = Estimate.objects.filter(cycle=cycle, pool=pool).aggregate(t=money_sum())["t"]
        assert estimated == total
    by_kind = dict(
        Estimate.objects.filter(cycle=cycle)
        .values("kind")
        .order_by()
        .annotate(t=money_sum())
        .values_list("kind", "t")
    )
    assert by_kind == {kind: total for kind, total in expected.by_kind.items() if total}
    assert not RewardList.objects.exists() and not RewardLine.objects.exists()
    assert not LedgerEntry.objects.exists()
    # Again: replaced, not added.
    estimate_compute(cycle=cycle)
    assert Estimate.objects.filter(cycle=cycle).count() == expected.lines


def test_an_owner_reads_the_estimate_marked_as_such_and_settlement_replaces_it(
    client, operator, organization, beauty, owner, other_owner
):
    cycle, _version = setup_cycle(operator, organization, beauty)
    estimate_compute(cycle=cycle)
    own = Estimate.objects.filter(organization=organization, creator=None, pool="cash")
    client.force_login(owner)
    page = client.get(reverse("core:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "Estimated so far" in html and "Estimate, not final" in html
    assert page.context["estimate"]["own_cash"] == own.aggregate(t=money_sum())["t"] > 0
    api = client.get("/api/v1/estimates/")
    assert api.status_code == 200
    rows = api.json()["results"]
    assert rows and all(
        row["is_estimate"] and row["organization"] == organization.pk for row in rows
    )
    client.force_login(other_owner)
    assert client.get("/api/v1/estimates/").json()["results"] == []
    assert "Estimated so far" not in client.get(reverse("core:dashboard")).content.decode()
    publish(operator, cycle)
    assert not Estimate.objects.filter(cycle=cycle).exists()
    assert LedgerEntry.objects.filter(organization=organization, creator=None).aggregate(
        t=money_sum()
    )["t"] > Decimal(0)


def test_the_nightly_task_estimates_only_running_cycles(operator, organization, beauty):
    setup_cycle(operator, organization, beauty)
    estimate_running_cycles()  # the test cycle lies in the past: nothing runs today
    assert not Estimate.objects.exists()
