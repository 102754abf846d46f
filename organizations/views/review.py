"""The review queue and the review page, for operators and the managers of the categories."""

from datetime import timedelta

import django_filters
from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from organizations import forms, selectors, services
from organizations.filtersets import OrganizationFilterSet
from organizations.models import Organization, OrganizationStatus, ReviewCheck
from portal.accounts.permissions import action_required, authorize, can
from portal.audit.models import AuditEntry
from portal.core.forms import SortFilter
from portal.core.kit import add_service_errors
from portal.core.rendering import render_page

S = OrganizationStatus
QUEUE_STATES = [S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED]
PAGE_SIZE = 25


class ReviewQueueFilterSet(OrganizationFilterSet):
    """The organizations filters, plus how long an application has waited and the order."""

    waiting = django_filters.ChoiceFilter(
        label=gettext_lazy("Waiting"),
        choices=[
            ("1", gettext_lazy("more than 1 day")),
            ("3", gettext_lazy("more than 3 days")),
            ("7", gettext_lazy("more than a week")),
            ("14", gettext_lazy("more than two weeks")),
        ],
        method="filter_waiting",
        empty_label=gettext_lazy("Any time"),
    )
    sort = SortFilter(
        label=gettext_lazy("Sort by"),
        fields=(("submitted_at", "submitted"), ("legal_name", "name"), ("updated_at", "updated")),
        field_labels={
            "submitted": gettext_lazy("Submitted, oldest first"),
            "-submitted": gettext_lazy("Submitted, newest first"),
            "name": pgettext_lazy("organization", "Name"),
            "-updated": gettext_lazy("Recently updated"),
        },
        empty_label=None,
    )

    class Meta(OrganizationFilterSet.Meta):
        fields = ["q", "status", "category", "waiting", "sort"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            data.setdefault("sort", "submitted")
        super().__init__(data, *args, **kwargs)
        self.filters["status"].field.widget = django_forms.CheckboxSelectMultiple()
        self.filters["status"].field.choices = [(s.value, s.label) for s in QUEUE_STATES] + [
            (s.value, s.label) for s in S if s not in QUEUE_STATES and s != S.DRAFT
        ]

    def filter_waiting(self, queryset, name, value):
        cutoff = timezone.now() - timedelta(days=int(value))
        return queryset.filter(submitted_at__lte=cutoff)


@action_required("organization.queue")
def review_queue(request):
    base = (
        Organization.objects.for_user(request.user)
        .exclude(status=S.DRAFT)
        .select_related("main_category")
        .prefetch_related("primary_categories")
    )
    data = request.GET.copy()
    if "status" not in data:
        data.setlist("status", [s.value for s in QUEUE_STATES])
    filterset = ReviewQueueFilterSet(data, queryset=base)
    rows = filterset.qs if filterset.is_valid() else base.filter(status__in=QUEUE_STATES)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "organizations/review_queue.html",
        {"filter": filterset, "page": page, "query": query.urlencode(), "now": timezone.now()},
        partial="results",
    )


def duplicates_of(organization: Organization) -> dict[str, list[Organization]]:
    """Other organizations sharing the credit code, contact phone or contact email."""
    others = Organization.objects.exclude(pk=organization.pk).only(
        "pk", "legal_name", "status", "credit_code", "contact_phone", "contact_email"
    )
    found = {}
    for field in ("credit_code", "contact_phone", "contact_email"):
        value = getattr(organization, field)
        if value:
            matches = list(others.filter(**{f"{field}__iexact": value})[:10])
            if matches:
                found[field] = matches
    return found


@action_required("organization.queue")
def review_detail(request, pk: int):
    organization = get_object_or_404(
        Organization.objects.for_user(request.user).select_related(
            "main_category", "terms_version", "terms_accepted_by"
        ),
        pk=pk,
    )
    authorize(request.user, "organization.view", organization)
    checks = list(ReviewCheck.objects.filter(is_active=True))
    form = forms.DecisionForm(checks=checks)
    if request.method == "POST":
        form = forms.DecisionForm(request.POST, checks=checks)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.organization_transition(
                    actor=request.user,
                    organization=organization,
                    transition=data["transition"],
                    reason=data["reason"],
                    checks=data["checks"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Decision recorded; the organization has been notified.")
                )
                return redirect("organizations:review_detail", pk=organization.pk)
    return _review_page(request, organization, form, checks)


def _review_page(request, organization, form, checks):
    return render_page(
        request,
        "organizations/review_detail.html",
        {
            "organization": organization,
            "form": form,
            "checks": checks,
            "actions": available_decisions(request.user, organization),
            "duplicates": duplicates_of(organization),
            "platforms": organization.other_platforms.all(),
            "categories": organization.primary_categories.all(),
            "members": organization.memberships.select_related("user"),
            "history": AuditEntry.objects.for_user(request.user)
            .filter(Q(organization=organization))
            .select_related("actor", "object_type")[:30],
            "assignment": organization.manager_assignments.active()
            .select_related("manager")
            .first(),
            "missing": selectors.application_missing(organization),
        },
    )


def available_decisions(user, organization) -> list[str]:
    """The transitions this user may apply now, in the order the page offers them."""
    return [
        name
        for name in ("start_review", "approve", "request_changes", "reject", "suspend", "reinstate")
        if organization.status in services.TRANSITIONS[name].sources
        and can(user, services.TRANSITIONS[name].permission, organization)
    ]
