"""Hypothesis over random sequences of the payout steps (issue 18): holds, releases, clawbacks,
exports, payment results and forfeits on a small ledger, against the promises they keep.

After every step: the pools' commitments equal the entries not forfeited (every state's total
sums to what was posted, forfeits returned); an entry is held exactly when it has an active hold;
no exported or paid entry holds; every export pays each payee a positive net; a payee's paid
entries never sum below zero; an entry once paid stays paid with its reference and is in no
later payment file. Invoices are among the steps: an organization's cash above the threshold is
held until its invoice is verified (a rejected one keeps it held).
"""

import datetime
import os
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from hypothesis import given
from hypothesis import strategies as st

from incentives.models import (
    Hold,
    HoldingPeriod,
    LedgerEntry,
    ListStatus,
    OrgTier,
    PaymentExport,
    PaymentStatus,
    Pool,
    RewardList,
)
from incentives.services import (
    exported_entries,
    program_create,
    rule_version_draft,
    rule_version_publish,
    settlement_export,
    settlement_mark_paid,
)
from incentives.services.clawbacks import correction_post
from incentives.services.holds import (
    entry_forfeit,
    hold_place,
    hold_release,
    holds_post_periods,
    holds_release_due,
)
from incentives.services.invoices import (
    invoice_due,
    invoice_entries,
    invoice_holds_post,
    invoice_reject,
    invoice_upload,
    invoice_verify,
)
from incentives.services.payment_results import _payee_key
from incentives.services.review import commit_to_pools, lock_pools
from organizations.models import Membership, Organization, OrgRole
from portal.core.money import to_fen
from tests.core.test_uploads import pdf
from tests.creators.factories import CreatorFactory
from tests.incentives.test_reference import examples, in_a_rolled_back_transaction
from tests.incentives.test_review import result_file
from tests.organizations.factories import OrganizationFactory, make_member

D = datetime.date
EXAMPLES = int(os.environ.get("PAYOUT_EXAMPLES", "40"))
KINDS = ["creator_subsidy", "playback", "commission", "org_basic", "org_tier"]

entry_specs = st.lists(
    st.tuples(
        st.integers(0, 2),  # beneficiary: three creators, then three organizations
        st.booleans(),  # an organization's own entry
        st.sampled_from(KINDS),
        st.integers(1, 500_000),  # fen
        st.sampled_from(["cash", "traffic"]),
        st.integers(0, 1),  # cycle
    ),
    min_size=1,
    max_size=10,
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("hold"), st.integers(0, 30), st.sampled_from(["risk", "invoice"])),
        st.tuples(st.just("release"), st.integers(0, 30)),
        st.tuples(st.just("release_due"), st.integers(0, 60)),
        st.tuples(st.just("clawback"), st.integers(0, 30), st.integers(1, 150)),
        st.tuples(st.just("export"), st.integers(0, 1)),
        st.tuples(st.just("result"), st.integers(0, 1), st.integers(0, 2**16)),
        st.tuples(st.just("forfeit"), st.integers(0, 30)),
        st.tuples(st.just("invoice"), st.integers(0, 2), st.integers(0, 1), st.booleans()),
    ),
    max_size=16,
)


@pytest.fixture
def people(db, beauty):
    return (
        [CreatorFactory() for _ in range(3)],
        [OrganizationFactory(categories=[beauty]) for _ in range(3)],
    )


def build(operator, people, specs, commission_days, minimum, invoice_above=None):
    creators, organizations = people
    program = program_create(
        actor=operator,
        name="p",
        starts_on=D(2026, 11, 1),
        ends_on=D(2027, 1, 1),
        cash_budget=Decimal(10_000_000),
        traffic_budget=Decimal(10_000_000),
    )
    version = rule_version_draft(actor=operator, program=program, effective_from=D(2026, 11, 1))
    version.minimum_payout = Decimal(minimum)
    version.invoice_above = invoice_above
    version.save()
    OrgTier.objects.create(version=version, level=1, min_introduced=1, amount=Decimal(1))
    rule_version_publish(actor=operator, version=version)
    if commission_days:
        HoldingPeriod.objects.create(version=version, kind="commission", days=commission_days)
    cycles = list(program.cycles.order_by("number"))
    lists = [
        RewardList.objects.create(cycle=c, rule_version=version, status=ListStatus.PUBLISHED)
        for c in cycles
    ]
    pools = lock_pools(program)
    seen = set()
    for who, own, kind, fen, pool, cycle_index in specs:
        creator = None if own else creators[who]
        key = (cycle_index, kind, who, own)
        if key in seen:
            continue
        seen.add(key)
        LedgerEntry.objects.create(
            pool=pools[pool],
            cycle=cycles[cycle_index],
            kind=kind,
            creator=creator,
            organization=organizations[who],
            amount=Decimal(fen) / 100,
            rule_version=version,
            reason_code=kind,
        )
        commit_to_pools(pools, {pool: fen})
    for cycle in cycles:
        holds_post_periods(cycle, version, today=D(2026, 11, 1))
        invoice_holds_post(cycle, version)
    return lists


def pick(index):
    entries = list(LedgerEntry.objects.order_by("pk"))
    return entries[index % len(entries)]


class Ledger:
    """The checks, with what must stay true across steps (the entries paid so far)."""

    def __init__(self):
        self.paid: dict[int, str] = {}

    def check(self):
        for pool in Pool.objects.all():
            live = (
                LedgerEntry.objects.filter(pool=pool)
                .exclude(payment_status=PaymentStatus.FORFEITED)
                .aggregate(total=Sum("amount"))["total"]
                or 0
            )
            assert to_fen(pool.committed) == to_fen(live)
            assert pool.committed >= 0
        active = set(
            Hold.objects.filter(released_at=None).values_list("entry_id", flat=True).distinct()
        )
        held = set(
            LedgerEntry.objects.filter(payment_status=PaymentStatus.HELD).values_list(
                "pk", flat=True
            )
        )
        assert held == active
        paid_by_payee: dict = {}
        for entry in LedgerEntry.objects.filter(payment_status=PaymentStatus.PAID):
            key = (_payee_key(entry.creator_id, entry.organization_id), entry.pool_id)
            paid_by_payee[key] = paid_by_payee.get(key, 0) + to_fen(entry.amount)
        assert all(total >= 0 for total in paid_by_payee.values()), paid_by_payee
        now = dict(
            LedgerEntry.objects.filter(pk__in=list(self.paid)).values_list(
                "pk", "payment_reference"
            )
        )
        assert now == self.paid  # once paid, paid for good, with its reference
        for export in PaymentExport.objects.prefetch_related("items__entry"):
            nets: dict = {}
            for item in export.items.all():
                entry = item.entry
                key = (_payee_key(entry.creator_id, entry.organization_id), entry.pool_id)
                nets[key] = nets.get(key, 0) + to_fen(item.amount)
            assert all(net > 0 for net in nets.values()), nets

    def run(self, operator, lists, step):
        name, *args = step
        try:
            if name == "hold":
                hold_place(actor=operator, entries=[pick(args[0])], reason=args[1], note="n")
            elif name == "release":
                hold = Hold.objects.filter(entry=pick(args[0]), released_at=None).first()
                if hold is not None:
                    hold_release(actor=operator, hold=hold, note="ok")
            elif name == "release_due":
                holds_release_due(today=D(2026, 12, 1) + datetime.timedelta(days=args[0]))
            elif name == "clawback":
                entry = pick(args[0])
                fen = to_fen(entry.amount) * args[1] // 100
                if fen:
                    correction_post(
                        actor=operator,
                        entry=LedgerEntry.objects.select_related("cycle", "pool").get(pk=entry.pk),
                        amount_fen=-fen,
                        reason_code="refund",
                        note="n",
                    )
            elif name == "export":
                reward_list = RewardList.objects.get(pk=lists[args[0]].pk)
                paid_before = set(self.paid)
                export = settlement_export(actor=operator, reward_list=reward_list)
                assert not paid_before & {e.pk for e in exported_entries(export)}
                assert (
                    not exported_entries(export)
                    .filter(holds__in=Hold.objects.filter(released_at=None))
                    .exists()
                )
            elif name == "result":
                self.result(operator, lists[args[0]], args[1])
            elif name == "forfeit":
                entry_forfeit(actor=operator, entry=pick(args[0]), note="fraud")
            elif name == "invoice":
                self.invoice(operator, lists, *args)
        except ValidationError:
            pass  # a step refused in this state (nothing to export, not held...) changes nothing

    def invoice(self, operator, lists, who, cycle_index, verify):
        """The organization sends its invoice for the held amount; the operator verifies or
        rejects it."""
        organization = Organization.objects.order_by("pk")[who]
        cycle = lists[cycle_index].cycle
        due = invoice_due(organization, cycle)
        if due is None:
            return
        owner = Membership.objects.filter(organization=organization).first()
        owner = owner.user if owner else make_member(organization, OrgRole.OWNER)
        invoice = invoice_upload(
            actor=owner,
            organization=organization,
            cycle=cycle,
            number="F1",
            amount=due,
            upload=SimpleUploadedFile("f.pdf", pdf(), content_type="application/pdf"),
        )
        if verify:
            invoice_verify(actor=operator, invoice=invoice)
            assert not invoice_entries(organization, cycle).exists()
        else:
            invoice_reject(actor=operator, invoice=invoice, note="unreadable")
            assert invoice_due(organization, cycle) == due

    def result(self, operator, reward_list, bits):
        export = PaymentExport.objects.filter(reward_list=reward_list).order_by("-number").first()
        if export is None:
            return
        waiting = list(exported_entries(export).filter(payment_status=PaymentStatus.EXPORTED))
        if not waiting:
            return
        rows, outcome = [], {}
        for entry in waiting:
            key = (_payee_key(entry.creator_id, entry.organization_id), entry.pool_id)
            if key not in outcome:
                outcome[key] = "paid" if bits >> (len(outcome) % 16) & 1 else "failed"
            status = outcome[key]
            rows.append(
                (entry.pk, entry.amount, status, f"R{entry.pk}" if status == "paid" else "")
            )
        settlement_mark_paid(
            actor=operator,
            reward_list=RewardList.objects.get(pk=reward_list.pk),
            upload=result_file(rows),
        )
        for entry_id, _amount, status, reference in rows:
            if status == "paid":
                self.paid[entry_id] = reference


@examples(EXAMPLES)
@given(
    specs=entry_specs,
    plan=steps,
    commission_days=st.integers(0, 40),
    minimum=st.sampled_from([0, 10, 1000]),
    invoice_above=st.sampled_from([None, Decimal(0), Decimal(2000)]),
)
def test_payout_steps_in_any_order_keep_the_ledger_whole(
    operator, people, specs, plan, commission_days, minimum, invoice_above
):
    def check():
        lists = build(operator, people, specs, commission_days, minimum, invoice_above)
        ledger = Ledger()
        ledger.check()
        for step in plan:
            ledger.run(operator, lists, step)
            ledger.check()

    in_a_rolled_back_transaction(check)


def test_a_split_result_for_a_netted_payee_is_refused(operator, people):
    def check():
        lists = build(
            operator,
            people,
            [
                (0, False, "creator_subsidy", 10_000, "cash", 0),
                (0, False, "playback", 500, "cash", 0),
            ],
            0,
            0,
        )
        subsidy = LedgerEntry.objects.get(kind="creator_subsidy")
        correction_post(
            actor=operator, entry=subsidy, amount_fen=-2_000, reason_code="refund", note="n"
        )
        export = settlement_export(actor=operator, reward_list=lists[0])
        entries = list(exported_entries(export))
        assert len(entries) == 3
        rows = [(e.pk, e.amount, "paid" if e.amount > 0 else "failed", "R") for e in entries]
        with pytest.raises(ValidationError, match="same result"):
            settlement_mark_paid(actor=operator, reward_list=lists[0], upload=result_file(rows))
        rows = [(e.pk, e.amount, "paid", f"R{e.pk}") for e in entries[:2]]
        with pytest.raises(ValidationError, match="same result"):
            settlement_mark_paid(actor=operator, reward_list=lists[0], upload=result_file(rows))
        assert not LedgerEntry.objects.filter(payment_status=PaymentStatus.PAID).exists()

    in_a_rolled_back_transaction(check)
