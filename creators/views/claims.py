"""Bringing a single creator in: bind a new one, ask for a transfer, or open a dispute; the
creator's confirmation page; operators deciding disputes."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from creators import services
from creators.models import (
    BindingSource,
    Creator,
    CreatorStage,
    Dispute,
    DisputeStatus,
    TransferRequest,
    TransferStatus,
)
from portal.accounts.permissions import action_required, authorize, can
from portal.core.forms import DateInput, PortalFormMixin
from portal.core.kit import add_service_errors, error_text, own_organization
from portal.core.models import Category
from portal.core.rendering import render_page


def claim_url(account: str) -> str:
    return f"{reverse('creators:claim')}?{urlencode({'platform_account_id': account})}"


class FindForm(PortalFormMixin, forms.Form):
    platform_account_id = forms.CharField(label=gettext_lazy("Platform account id"), max_length=64)


class NewCreatorForm(PortalFormMixin, forms.Form):
    display_name = forms.CharField(label=gettext_lazy("Display name"), max_length=100)
    primary_category = forms.ModelChoiceField(
        label=gettext_lazy("Primary category"), queryset=Category.objects.active()
    )
    follower_count = forms.IntegerField(label=gettext_lazy("Followers"), min_value=0, initial=0)
    real_name_verified = forms.BooleanField(
        label=gettext_lazy("Real-name verified"), required=False
    )
    started_on = forms.DateField(label=gettext_lazy("Start date"), widget=DateInput)


class DisputeForm(PortalFormMixin, forms.Form):
    claimed_source = forms.ChoiceField(
        label=gettext_lazy("How the creator came to you"), choices=BindingSource.choices
    )
    statement = forms.CharField(
        label=gettext_lazy("Why the creator belongs to your organization"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Contract dates, who recruited them, anything an operator should know."
        ),
        max_length=2000,
    )


@action_required("roster.view")
def claim(request):
    """Find a creator by account id and offer what fits: bind, transfer, dispute."""
    organization = own_organization(request.user)
    if organization is None or not can(request.user, "binding.start", organization):
        raise PermissionDenied
    find = FindForm(request.GET or None)
    context = {"find": find, "organization": organization}
    if find.is_valid():
        account = find.cleaned_data["platform_account_id"].strip()
        creator = Creator.objects.filter(platform_account_id=account).first()
        binding = creator.bindings.filter(ended_on__isnull=True).first() if creator else None
        context.update(
            account=account,
            creator=creator,
            state="new"
            if creator is None
            else "free"
            if binding is None
            else "ours"
            if binding.organization_id == organization.pk
            else "elsewhere",
            new_form=NewCreatorForm(initial={"started_on": timezone.localdate()}),
            dispute_form=DisputeForm(),
            pending_transfer=TransferRequest.objects.filter(
                creator=creator, status=TransferStatus.PENDING, to_organization=organization
            ).first()
            if creator
            else None,
        )
    return render_page(request, "creators/claim.html", context, partial="result")


def _bound_message(request, binding) -> str:
    return _(
        "%(name)s is on your roster. Until they consent you see only their name and account id: "
        "send them this link to choose what they share: %(link)s"
    ) % {
        "name": binding.creator.display_name,
        "link": request.build_absolute_uri(services.consent_path(binding.consent)),
    }


@require_POST
@action_required("roster.view")
def claim_bind(request):
    organization = own_organization(request.user)
    if organization is None:
        raise PermissionDenied
    account = request.POST.get("platform_account_id", "").strip()
    creator = Creator.objects.filter(platform_account_id=account).first()
    form = NewCreatorForm(request.POST) if creator is None else None
    try:
        if creator is None:
            if not form.is_valid():
                raise ValidationError(form.errors.as_text())
            data = form.cleaned_data
            creator = services.creator_register(
                actor=request.user,
                platform_account_id=account,
                display_name=data["display_name"],
                primary_category=data["primary_category"],
                follower_count=data["follower_count"],
                real_name_verified=data["real_name_verified"],
                organization=organization,
            )
            started_on = data["started_on"]
        else:
            started_on = timezone.localdate()
        binding = services.binding_start(
            actor=request.user, creator=creator, organization=organization, started_on=started_on
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(claim_url(account))
    messages.success(request, _bound_message(request, binding))
    return redirect("creators:detail", pk=creator.pk)


@require_POST
@action_required("roster.view")
def claim_transfer(request):
    organization = own_organization(request.user)
    creator = get_object_or_404(
        Creator, platform_account_id=request.POST.get("platform_account_id", "")
    )
    try:
        transfer = services.transfer_request(
            actor=request.user, creator=creator, to_organization=organization
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("Transfer requested. Send the creator this confirmation link: %(link)s")
            % {"link": request.build_absolute_uri(services.transfer_path(transfer))},
        )
    return redirect(claim_url(creator.platform_account_id))


@require_POST
@action_required("roster.view")
def claim_dispute(request):
    organization = own_organization(request.user)
    creator = get_object_or_404(
        Creator, platform_account_id=request.POST.get("platform_account_id", "")
    )
    form = DisputeForm(request.POST)
    if form.is_valid():
        try:
            services.dispute_open(
                actor=request.user, creator=creator, claimant=organization, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Dispute opened; an operator will hear both sides."))
    else:
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    return redirect(claim_url(creator.platform_account_id))


def transfer_confirm(request, transfer_id: int, token: str):
    """The creator's page (standing in for the platform app): confirm or decline a transfer."""
    transfer = get_object_or_404(
        TransferRequest.objects.select_related("creator", "from_organization", "to_organization"),
        pk=transfer_id,
    )
    problem = None
    try:
        services.transfer_check(transfer, token)
    except ValidationError as error:
        problem = error_text(error)
    if request.method == "POST" and problem is None:
        consent_url = None
        try:
            if request.POST.get("decision") == "confirm":
                # The creator is here: they choose at once what the new organization sees.
                binding = services.transfer_confirm(transfer=transfer, token=token)
                consent_url = services.consent_path(binding.consent)
                done = _("Thank you: you now work with %(name)s.") % {
                    "name": binding.organization.legal_name
                }
            else:
                services.transfer_decline(transfer=transfer, token=token)
                done = _("You declined the transfer; nothing changes.")
        except ValidationError as error:
            problem = error_text(error)
        else:
            return render(
                request,
                "creators/transfer_confirm.html",
                {"transfer": transfer, "done": done, "consent_url": consent_url},
            )
    return render(
        request,
        "creators/transfer_confirm.html",
        {"transfer": transfer, "problem": problem},
        status=410 if problem else 200,
    )


class ResolveForm(PortalFormMixin, forms.Form):
    award = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("keep", gettext_lazy("The creator stays with the current organization")),
            ("award", gettext_lazy("Move the creator to the claimant")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (both organizations read it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@action_required("roster.view")
def disputes(request):
    rows = Dispute.objects.for_user(request.user).select_related("creator", "holder", "claimant")
    status = request.GET.get("status", DisputeStatus.OPEN)
    if status in DisputeStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render_page(
        request,
        "creators/disputes.html",
        {
            "page": page,
            "status": status,
            "statuses": DisputeStatus.choices,
            "query": f"status={status}",
        },
        partial="results",
    )


@action_required("roster.view")
def dispute_detail(request, pk: int):
    dispute = get_object_or_404(
        Dispute.objects.for_user(request.user).select_related(
            "creator", "holder", "claimant", "opened_by"
        ),
        pk=pk,
    )
    may_resolve = dispute.status == DisputeStatus.OPEN and can(request.user, "dispute.resolve")
    form = ResolveForm(request.POST or None) if may_resolve else None
    if request.method == "POST":
        authorize(request.user, "dispute.resolve", dispute)
        if form.is_valid():
            try:
                services.dispute_resolve(
                    actor=request.user,
                    dispute=dispute,
                    award_to_claimant=form.cleaned_data["award"] == "award",
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Decision recorded; both organizations have been told.")
                )
                return redirect("creators:dispute", pk=pk)
    return render_page(
        request,
        "creators/dispute_detail.html",
        {"dispute": dispute, "form": form, "stages": CreatorStage},
    )
