"""Invoices (发票): the organization sends one for its held cash of a cycle (from its
statement); operators verify or reject it. One URL per action."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from incentives.forms import InvoiceForm, InvoiceRejectForm
from incentives.models import Invoice, InvoiceStatus, RewardList
from incentives.services.invoices import (
    invoice_due,
    invoice_reject,
    invoice_upload,
    invoice_verify,
)
from portal.accounts.permissions import action_required, authorize, can
from portal.core.kit import add_service_errors, own_organization
from portal.core.rendering import render_page
from portal.core.uploads import stored_file_response

from .common import error_text

PER_PAGE = 30


@require_POST
@action_required("rewards.view")
def invoice_upload_view(request, pk: int):
    """An owner or admin sends the invoice for the statement's cycle."""
    reward_list = get_object_or_404(RewardList.objects.for_user(request.user), pk=pk)
    organization = own_organization(request.user)
    if organization is None:
        authorize(request.user, "payouts.invoice", None)
    form = InvoiceForm(request.POST, request.FILES)
    statement = reverse("incentives:statement", args=[reward_list.pk]) + "#invoice"
    if form.is_valid():
        try:
            invoice_upload(
                actor=request.user,
                organization=organization,
                cycle=reward_list.cycle,
                number=form.cleaned_data["number"],
                amount=form.cleaned_data["amount"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Invoice sent; the program team verifies it."))
            return redirect(statement)
    messages.error(request, _("The invoice was not sent; see the marked fields."))
    from .statements import statement_page

    return statement_page(request, reward_list.pk, invoice_form=form)


def invoice_context(request, reward_list, organization, form=None) -> dict:
    """The statement's invoice card: the amount due, the invoices sent, and the upload form for
    owners and admins (bound, with its errors, after a refused upload)."""
    due = invoice_due(organization, reward_list.cycle)
    sent = list(
        Invoice.objects.filter(organization=organization, cycle=reward_list.cycle).order_by(
            "-uploaded_at", "-pk"
        )[:5]
    )
    if due is None and not sent:
        return {}
    waiting = any(i.status != InvoiceStatus.REJECTED for i in sent)
    if due is None or waiting or not can(request.user, "payouts.invoice", organization):
        form = None
    elif form is None:
        form = InvoiceForm(initial={"amount": due})
    return {"invoice": {"due": due, "sent": sent, "form": form}}


@action_required("payouts.release")
def invoices(request):
    """Operators: invoices awaiting verification (oldest first), then the latest decided."""
    status = request.GET.get("status", InvoiceStatus.AWAITING)
    if status not in InvoiceStatus.values:
        status = InvoiceStatus.AWAITING
    rows = (
        Invoice.objects.for_user(request.user)
        .filter(status=status)
        .select_related("organization", "cycle__program", "cycle__reward_list", "decided_by")
        .order_by("uploaded_at" if status == InvoiceStatus.AWAITING else "-decided_at", "pk")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    for invoice in page.object_list:
        invoice.due = invoice_due(invoice.organization, invoice.cycle)
    context = {
        "page": page,
        "status": status,
        "statuses": InvoiceStatus.choices,
        "reject_form": InvoiceRejectForm(),
        "filter_query": f"status={status}",
    }
    return render_page(request, "incentives/invoices.html", context)


@require_POST
@action_required("payouts.release")
def invoice_verify_view(request, invoice_pk: int):
    invoice = get_object_or_404(Invoice.objects.for_user(request.user), pk=invoice_pk)
    try:
        invoice_verify(actor=request.user, invoice=invoice)
        messages.success(
            request,
            _("Invoice %(number)s verified; the entries it held are released.")
            % {"number": invoice.number},
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("incentives:invoices")


@require_POST
@action_required("payouts.release")
def invoice_reject_view(request, invoice_pk: int):
    invoice = get_object_or_404(Invoice.objects.for_user(request.user), pk=invoice_pk)
    form = InvoiceRejectForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why; the organization reads it."))
        invoice_reject(actor=request.user, invoice=invoice, note=form.cleaned_data["note"])
        messages.success(request, _("Invoice rejected; the organization is told why."))
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("incentives:invoices")


@action_required("rewards.view")
def invoice_file(request, invoice_pk: int):
    """The invoice's file, for its organization and operators. An image (re-encoded) is shown;
    a PDF (kept as uploaded) is always a download, never rendered in the portal's origin."""
    invoice = get_object_or_404(Invoice.objects.for_user(request.user), pk=invoice_pk)
    return stored_file_response(
        invoice.file,
        content_type=invoice.content_type,
        filename=f"invoice-{invoice.pk}",
    )
