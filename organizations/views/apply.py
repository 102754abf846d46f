"""The application wizard: five steps, each saved on its own, so a person can leave and resume."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_htmx.http import push_url

from organizations import forms, selectors, services
from organizations.models import Membership, Organization, OrganizationStatus, ProgramTerms
from portal.accounts.models import Role
from portal.accounts.permissions import can
from portal.core.kit import add_service_errors
from portal.core.rendering import is_partial_request, redirect_page, render_page


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    fields: tuple[str, ...]  # what application_missing() reports for this step


STEPS = [
    Step(
        "organization",
        gettext_lazy("Organization"),
        ("legal_name", "credit_code", "legal_representative"),
    ),
    Step("licence", gettext_lazy("Business licence"), ("licence",)),
    Step("contacts", gettext_lazy("Contacts"), ("contact_name", "contact_phone", "contact_email")),
    Step(
        "business",
        gettext_lazy("Categories and creators"),
        ("main_category", "declared_roster_size"),
    ),
    Step("submit", gettext_lazy("Terms and submit"), ("accept_terms",)),
]
STEP_BY_SLUG = {step.slug: step for step in STEPS}


def current_application(user) -> Organization | None:
    """The application this person works on: their organization while it is open."""
    membership = Membership.objects.select_related("organization").filter(user=user).first()
    if (
        membership is None
        or membership.organization.status in services.application.CLOSED_APPLICATION
    ):
        return None
    return membership.organization


def _progress(organization):
    if organization is None:
        return [{"step": step, "complete": False} for step in STEPS], {}
    missing = selectors.application_missing(organization)
    return [
        {"step": step, "complete": not any(field in missing for field in step.fields)}
        for step in STEPS
    ], missing


def _initial(step: Step, organization: Organization | None) -> dict:
    if organization is None:
        return {}
    if step.slug == "business":
        initial = {
            "main_category": organization.main_category_id,
            "other_categories": list(
                organization.primary_categories.exclude(pk=organization.main_category_id)
            ),
            "declared_roster_size": organization.declared_roster_size or None,
        }
        initial.update(
            {f"platform_{p.platform}": p.followers for p in organization.other_platforms.all()}
        )
        return initial
    form_class = FORMS[step.slug]
    return {name: getattr(organization, name, None) for name in form_class.base_fields}


FORMS = {
    "organization": forms.OrganizationStepForm,
    "licence": forms.LicenceStepForm,
    "contacts": forms.ContactsStepForm,
    "business": forms.BusinessStepForm,
    "submit": forms.SubmitStepForm,
}


def _save(step: Step, form, user, organization: Organization | None) -> Organization:
    data = form.cleaned_data
    if step.slug == "organization":
        if organization is None:
            return services.organization_create(actor=user, **data)
        return services.organization_update_application(
            actor=user, organization=organization, **data
        )
    if step.slug == "licence":
        return services.organization_set_licence(
            actor=user, organization=organization, upload=data["licence"]
        )
    if step.slug == "contacts":
        return services.organization_update_application(
            actor=user, organization=organization, **data
        )
    if step.slug == "business":
        services.organization_update_application(
            actor=user,
            organization=organization,
            main_category=data["main_category"],
            other_categories=data["other_categories"],
            declared_roster_size=data["declared_roster_size"],
        )
        return services.organization_set_platforms(
            actor=user, organization=organization, followers=form.followers()
        )
    terms = ProgramTerms.objects.current()
    return services.organization_submit(actor=user, organization=organization, accept_terms=terms)


@login_required
def apply_start(request):
    """Where a person left off: the first step that is not complete yet."""
    organization = current_application(request.user)
    if organization is not None and not organization.is_editable_application:
        return redirect("core:dashboard")
    progress, _missing = _progress(organization)
    first_open = next((p["step"] for p in progress if not p["complete"]), STEPS[-1])
    return redirect("organizations:apply_step", step=first_open.slug)


@login_required
def apply_step(request, step: str):
    user = request.user
    if user.role != Role.ORGANIZATION:
        raise PermissionDenied
    if user.email_verified_at is None:
        messages.warning(request, _("Verify your email address first; we sent you a link."))
        return redirect_page(request, "accounts:verify_pending")
    current = STEP_BY_SLUG.get(step)
    if current is None:
        return redirect_page(request, "organizations:apply")
    organization = current_application(user)
    if organization is None:
        if not can(user, "organization.create"):
            raise PermissionDenied
        if current.slug != "organization":
            return redirect_page(request, "organizations:apply_step", step="organization")
    elif not organization.is_editable_application:
        messages.info(request, _("Your application has been submitted; follow its progress here."))
        return redirect_page(request, "core:dashboard")
    elif not can(user, "organization.edit_application", organization):
        raise PermissionDenied

    form_class = FORMS[current.slug]
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            try:
                organization = _save(current, form, user, organization)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return _next_step(request, current, organization)
    else:
        form = form_class(initial=_initial(current, organization))
    return _render(request, current, organization, form=form)


def _next_step(request, current: Step, organization):
    """After a step is saved: the dashboard once submitted, else the following step (drawn in
    place for htmx, with the address pushed)."""
    if current.slug == "submit":
        messages.success(
            request,
            _("Thank you. Your application is submitted; we will let you know of every decision."),
        )
        return redirect_page(request, "core:dashboard")
    following = STEPS[STEPS.index(current) + 1]
    url = reverse("organizations:apply_step", args=[following.slug])
    if not is_partial_request(request):
        return redirect_page(request, url)
    response = _render(request, following, organization, form_class=FORMS[following.slug])
    return push_url(response, url)


def _render(request, step: Step, organization, *, form=None, form_class=None):
    if form is None:
        form = form_class(initial=_initial(step, organization))
    progress, missing = _progress(organization)
    done = sum(1 for item in progress if item["complete"])
    context = {
        "progress_pct": round(100 * done / len(STEPS)),
        "steps_done": done,
        "step": step,
        "steps": progress,
        "step_number": STEPS.index(step) + 1,
        "step_count": len(STEPS),
        "previous": STEPS[STEPS.index(step) - 1] if STEPS.index(step) else None,
        "form": form,
        "organization": organization,
        "missing": missing,
        "terms": ProgramTerms.objects.current() if step.slug == "submit" else None,
        "resubmission": bool(organization)
        and organization.status == OrganizationStatus.CHANGES_REQUESTED,
    }
    return render_page(request, "organizations/apply.html", context, partial="wizard")
