"""The organization's people: members, roles and invitations."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations import forms, services
from organizations.models import Invitation, Membership, Organization
from portal.accounts.forms import SignUpForm
from portal.accounts.models import User
from portal.accounts.permissions import authorize, can
from portal.core.kit import add_service_errors, error_text
from portal.core.rendering import render_page


def _organization(request, pk):
    organization = get_object_or_404(Organization.objects.for_user(request.user), pk=pk)
    authorize(request.user, "organization.view", organization)
    return organization


def _back_to_members(request, organization):
    """After a change: the refreshed people region for HTMX, the page again otherwise."""
    if request.htmx:
        return _members_page(request, organization)
    return redirect("organizations:members", pk=organization.pk)


def _members_page(request, organization, *, invite_form=None, status=200):
    manage = can(request.user, "membership.manage", organization)
    ownership = can(request.user, "membership.ownership", organization)
    return render_page(
        request,
        "organizations/members.html",
        {
            "organization": organization,
            "members": organization.memberships.select_related("user").order_by(
                "role", "created_at"
            ),
            "invitations": organization.invitations.pending().select_related("created_by")
            if manage
            else [],
            "can_manage": manage,
            "can_manage_owners": ownership,
            "invite_form": invite_form or forms.InvitationForm(allow_owner=ownership),
            "role_form": forms.MemberRoleForm(allow_owner=ownership),
        },
        partial="people",
        status=status,
    )


@login_required
def members(request, pk: int):
    return _members_page(request, _organization(request, pk))


@login_required
@require_POST
def invite(request, pk: int):
    organization = _organization(request, pk)
    form = forms.InvitationForm(
        request.POST, allow_owner=can(request.user, "membership.ownership", organization)
    )
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.user, organization=organization, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return _back_to_members(request, organization)
    return _members_page(
        request, organization, invite_form=form, status=422 if request.htmx else 200
    )


@login_required
@require_POST
def invitation_revoke(request, pk: int, invitation_id: int):
    organization = _organization(request, pk)
    invitation = get_object_or_404(organization.invitations, pk=invitation_id)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email}
        )
    return _back_to_members(request, organization)


@login_required
@require_POST
def member_role(request, pk: int, membership_id: int):
    organization = _organization(request, pk)
    membership = get_object_or_404(
        organization.memberships.select_related("user"), pk=membership_id
    )
    form = forms.MemberRoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {"name": membership.user.full_name, "role": membership.get_role_display()},
            )
    return _back_to_members(request, organization)


@login_required
@require_POST
def member_remove(request, pk: int, membership_id: int):
    organization = _organization(request, pk)
    membership = get_object_or_404(
        organization.memberships.select_related("user"), pk=membership_id
    )
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("%(name)s was removed.") % {"name": membership.user.full_name})
    return _back_to_members(request, organization)


def _accept(request, invitation, token: str, sign_up_form) -> bool:
    """Join the invitation's organization, signing up first without an account; False when the
    form or the service refused (the errors are on the form or in a message)."""
    try:
        if request.user.is_authenticated:
            services.invitation_accept(user=request.user, invitation=invitation, token=token)
        elif sign_up_form is not None and sign_up_form.is_valid():
            data = sign_up_form.cleaned_data
            user = services.invitation_accept_with_sign_up(
                invitation=invitation,
                token=token,
                full_name=data["full_name"],
                password=data["password1"],
                phone=data["phone"],
                language=get_language(),
            )
            login(request, user)
        else:
            return False
    except ValidationError as error:
        if sign_up_form is not None:
            add_service_errors(sign_up_form, error)
        else:
            messages.error(request, error_text(error))
        return False
    return True


def invitation_accept(request, invitation_id: int, token: str):
    """The link from the invitation email. Signed-in people join with a click; new people create
    their account on the same page (the link proves their address)."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("organization", "created_by"), pk=invitation_id
    )
    try:
        services.invitation_check(invitation, token)
    except ValidationError as error:
        return render(
            request,
            "organizations/invitation_accept.html",
            {"invitation": invitation, "problem": error_text(error)},
            status=410 if error.code in ("expired", "used", "revoked") else 404,
        )
    user = request.user
    has_account = User.objects.filter(email=invitation.email).exists()
    sign_up_form = None
    if not user.is_authenticated and not has_account:
        sign_up_form = SignUpForm(request.POST or None, fixed_email=invitation.email)
    if request.method == "POST" and _accept(request, invitation, token, sign_up_form):
        messages.success(
            request,
            _("Welcome to %(organization)s.")
            % {"organization": invitation.organization.legal_name},
        )
        return redirect("core:dashboard")
    return render(
        request,
        "organizations/invitation_accept.html",
        {
            "invitation": invitation,
            "token": token,
            "has_account": has_account,
            "sign_up_form": sign_up_form,
            "wrong_account": user.is_authenticated and user.email != invitation.email,
            "already_member": user.is_authenticated
            and Membership.objects.filter(user=user).exists(),
        },
    )
