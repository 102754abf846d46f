"""The demo's payout trust, through the same services as real money: the settled month's commission
is held for the returns window (its release date on every statement), a refund the partner reported
takes commission back from a creator of the demo owner's organization, and a risk review holds one
organization's entries with the reason it reads. The demo owner's organization has sent the invoice
for one month's cash above the invoice threshold; it awaits an operator's verification."""

import datetime

from incentives.models import HoldReason, LedgerEntry, LineKind, PaymentStatus
from incentives.services.clawbacks import refund_record
from incentives.services.holds import hold_place
from portal.accounts.permissions import SYSTEM


def demo_payouts(*, operators: list, today: datetime.date, showcase=None) -> dict:
    """Returns counts of what was made."""
    operator = operators[0]
    commission = LedgerEntry.objects.filter(kind=LineKind.COMMISSION, corrects=None).order_by("pk")
    if showcase is not None:
        commission = commission.filter(organization=showcase)
    refunded = commission.select_related("cycle").first()
    corrections = []
    if refunded is not None:
        day = refunded.cycle.starts_on + datetime.timedelta(days=3)
        _refund, corrections = refund_record(
            actor=SYSTEM, creator=refunded.creator, day=day, amount=refunded.amount * 10
        )
    suspect = (
        LedgerEntry.objects.filter(
            payment_status__in=(PaymentStatus.HELD, PaymentStatus.PENDING, PaymentStatus.FAILED),
        )
        .exclude(organization=showcase)
        .order_by("pk")
        .first()
    )
    holds = []
    if suspect is not None:
        holds = hold_place(
            actor=operator,
            entries=[suspect],
            reason=HoldReason.RISK,
            note="同一实名身份关联多个达人账号，正在核查",
        )
    invoices = _demo_invoice(showcase)
    return {
        "invoices": invoices,
        "held": LedgerEntry.objects.filter(payment_status=PaymentStatus.HELD).count(),
        "corrections": len(corrections),
        "risk_holds": len(holds),
    }


def _invoice_scan(number: str, amount) -> bytes:
    """A plain picture of an invoice (the upload cleaner re-encodes it like any photo)."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    from .licence import font

    image = Image.new("RGB", (900, 560), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 880, 540), outline=(170, 60, 40), width=4)
    # Latin text only: the bundled font is a subset for the licences' characters.
    draw.text((330, 50), "FAPIAO", fill=(170, 60, 40), font=font(48, bold=True))
    draw.text((60, 170), f"Invoice No. {number}", fill="black", font=font(28))
    draw.text((60, 240), "Content program incentive services", fill="black", font=font(28))
    draw.text((60, 310), f"Total CNY {amount:,.2f}", fill="black", font=font(28))
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _demo_invoice(showcase) -> int:
    """The owner's invoice for the first month whose cash waits for one (left to verify)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from incentives.services.invoices import invoice_due, invoice_upload
    from organizations.models import OrgRole

    if showcase is None:
        return 0
    held = (
        LedgerEntry.objects.filter(
            organization=showcase, creator=None, holds__reason=HoldReason.INVOICE
        )
        .select_related("cycle")
        .order_by("cycle__starts_on")
        .first()
    )
    owner = showcase.memberships.filter(role=OrgRole.OWNER).select_related("user").first()
    if held is None or owner is None:
        return 0
    due = invoice_due(showcase, held.cycle)
    if due is None:
        return 0
    number = f"3300{held.cycle.starts_on:%Y%m}01"
    invoice_upload(
        actor=owner.user,
        organization=showcase,
        cycle=held.cycle,
        number=number,
        amount=due,
        upload=SimpleUploadedFile(
            "fapiao.png", _invoice_scan(number, due), content_type="image/png"
        ),
    )
    return 1
