from django.utils.translation import gettext_lazy as _

from portal.accounts.permissions import is_operator, is_partner, is_signed_in, rule
from portal.audit.labels import register_details
from portal.audit.services import register_actions

rule("program.manage")(is_operator)
rule("settlement.compute")(is_operator)
rule("settlement.approve")(is_operator)
rule("settlement.pay")(is_operator)
rule("rewards.view")(is_signed_in)
rule("payouts.hold")(is_operator)
rule("payouts.release")(is_operator)
rule("payouts.correct")(is_operator)
rule("payouts.reconcile")(is_operator)


@rule("payouts.invoice")
def _send_invoice(user, organization=None) -> bool:
    """Owners and admins of the organization send its invoices (a suspended one too: its
    money is held, and the invoice is one thing fewer to settle)."""
    from organizations.rules import is_org_admin

    return organization is not None and is_org_admin(user, organization)


@rule("payouts.refund")
def _send_refunds(user, obj=None) -> bool:
    return is_operator(user) or is_partner(user)


register_actions(
    {
        "program.create": _("Incentive program created"),
        "rules.draft": _("Rule version drafted"),
        "rules.publish": _("Rule version published"),
        "rules.update": _("Rule version edited"),
        "program.status": _("Program opened or closed"),
        "program.open": _("Program opened"),
        "program.close": _("Program closed"),
        "program.reopen": _("Program reopened"),
        "settlement.compute": _("Reward list computed"),
        "settlement.request": _("Reward list computation requested"),
        "settlement.submit": _("Reward list sent to review"),
        "settlement.return": _("Reward list returned to draft"),
        "settlement.first_approval": _("Reward list approved once (a second approval is needed)"),
        "settlement.approve": _("Reward list approved"),
        "ledger.post": _("Ledger entries posted"),
        "settlement.publish": _("Reward list published"),
        "settlement.export": _("Payment file exported"),
        "settlement.payment_result": _("Payment result applied"),
        "settlement.adjust": _("Adjustment added"),
        "settlement.award": _("Awards added (incubation rewards)"),
        "payouts.hold": _("Entries held"),
        "payouts.release": _("Hold released"),
        "payouts.release_suspension": _("Suspension holds released"),
        "payouts.release_due": _("Holding periods over: entries released"),
        "payouts.forfeit": _("Entry forfeited"),
        "payouts.clawback": _("Money taken back (correcting entry)"),
        "payouts.restore": _("Money restored (correcting entry)"),
        "payouts.refund": _("Refunds received"),
        "payouts.invoice_upload": _("Invoice uploaded"),
        "payouts.estimate": _("Running cycle estimated (not posted)"),
        "payouts.invoice_verify": _("Invoice verified: its entries released"),
        "payouts.invoice_reject": _("Invoice rejected"),
    }
)

register_details(
    {
        "cash": _("Cash (CNY)"),
        "traffic": _("Traffic coupons (CNY)"),
        "cash_total": _("Cash (CNY)"),
        "traffic_total": _("Traffic coupons (CNY)"),
        "cash_budget": _("Cash pool (CNY)"),
        "traffic_budget": _("Traffic pool (CNY)"),
        "rule_version": _("Rule version"),
        "settlement.export:entries": _("Entries exported"),
        "paid": _("Payments made"),
        "failed": _("Payments failed"),
        "amount": _("Amount (CNY)"),
        "pool": _("Pool"),
        "reason_code": _("Reason"),
        "subsidy_rules": _("Creator subsidy rules"),
        "org_tiers": _("Special incentive tiers"),
        "traffic_bands": _("Traffic bands"),
        "carried_over": _("Entries carried over"),
        "entries": _("Entries"),
        "correction": _("Correcting entry"),
        "holds": _("Holds"),
        "releasable": _("Entries made releasable"),
        "lines": _("Lines"),
        **{
            f"{action}:{key}": label
            for action in (
                "payouts.hold",
                "payouts.release",
                "payouts.release_due",
                "payouts.forfeit",
                "payouts.clawback",
                "payouts.restore",
                "payouts.refund",
                "payouts.invoice_upload",
                "payouts.invoice_verify",
                "payouts.invoice_reject",
            )
            for key, label in (
                ("reason", _("Hold reason")),
                ("status", _("Payment state")),
                ("entry", _("Entry")),
                ("cycle", _("Cycle")),
                ("day", _("Day")),
                ("corrections", _("Correcting entries")),
                ("number", _("Invoice number")),
            )
        },
    }
)
