from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from portal.accounts.permissions import authorize, can
from portal.audit.models import AuditEntry

from .models import Organization


@login_required
def organization_detail(request, pk: int):
    organization = get_object_or_404(Organization.objects.for_user(request.user), pk=pk)
    authorize(request.user, "organization.view", organization)
    context = {
        "organization": organization,
        "categories": organization.primary_categories.all(),
        "members": organization.memberships.select_related("user"),
        "roster_size": organization.bindings.filter(ended_on__isnull=True).count(),
        "recent_entries": AuditEntry.objects.for_user(request.user)
        .filter(organization=organization)
        .select_related("actor")[:10],
        "can_see_audit": can(request.user, "audit.view"),
    }
    return render(request, "organizations/detail.html", context)
