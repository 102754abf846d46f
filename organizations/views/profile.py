"""An organization's profile and documents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations import forms, services
from organizations.models import Organization
from portal.accounts.permissions import authorize, can
from portal.audit.models import AuditEntry
from portal.core.kit import add_service_errors, error_text
from portal.core.uploads import stored_file_response


def _visible(request, pk: int) -> Organization:
    organization = get_object_or_404(
        Organization.objects.for_user(request.user).select_related(
            "main_category", "terms_version"
        ),
        pk=pk,
    )
    authorize(request.user, "organization.view", organization)
    return organization


@login_required
def organization_detail(request, pk: int):
    organization = _visible(request, pk)
    editing = can(request.user, "organization.edit_profile", organization)
    form = None
    if editing:
        form = forms.ProfileForm(
            request.POST or None,
            initial={name: getattr(organization, name) for name in forms.ProfileForm.base_fields},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.organization_update_profile(
                    actor=request.user, organization=organization, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Profile saved."))
                return redirect("organizations:detail", pk=pk)
    elif request.method == "POST":
        raise PermissionDenied
    context = {
        "organization": organization,
        "categories": organization.primary_categories.all(),
        "platforms": organization.other_platforms.all(),
        "members": organization.memberships.select_related("user"),
        "roster_size": organization.bindings.filter(ended_on__isnull=True).count(),
        "assignment": organization.manager_assignments.active().select_related("manager").first(),
        "recent_entries": AuditEntry.objects.for_user(request.user)
        .filter(organization=organization)
        .select_related("actor", "object_type")[:10],
        "can_see_audit": can(request.user, "audit.view"),
        "can_review": can(request.user, "organization.queue"),
        "can_withdraw": organization.status in services.TRANSITIONS["withdraw"].sources
        and can(request.user, "organization.withdraw", organization),
        "form": form,
    }
    return render(request, "organizations/detail.html", context)


@login_required
def organization_licence(request, pk: int):
    """The business licence file, only for those who may see the organization. Images (which
    were re-encoded from their pixels) are shown; a PDF (stored as uploaded) is always a
    download, opened by the reader's own PDF program, never rendered in the portal's origin."""
    organization = _visible(request, pk)
    if not organization.licence:
        raise Http404
    return stored_file_response(
        organization.licence,
        content_type=organization.licence_content_type,
        filename=f"licence-{organization.pk}",
    )


@login_required
@require_POST
def organization_withdraw(request, pk: int):
    organization = _visible(request, pk)
    try:
        services.organization_withdraw(
            actor=request.user, organization=organization, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The application was withdrawn."))
    return redirect("core:dashboard")
