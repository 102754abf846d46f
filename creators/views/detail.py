"""One creator: profile, bindings, charts of the figures, and the introduced-status explanation."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from creators import selectors, services
from creators.models import Binding
from portal.accounts.permissions import action_required, can
from portal.core.forms import PortalFormMixin
from portal.core.rendering import render_page

from .roster import get_visible_creator


class AvatarForm(PortalFormMixin, forms.Form):
    avatar = forms.FileField(
        label=gettext_lazy("New avatar"),
        help_text=gettext_lazy("JPEG, PNG or WEBP, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class EndBindingForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500
    )


def _creator_and_binding(request, pk: int):
    creator = get_visible_creator(request, pk)
    binding = (
        Binding.objects.filter(creator=creator, ended_on__isnull=True)
        .select_related("organization")
        .first()
    )
    return creator, binding


def _detail_page(request, creator, binding, avatar_form=None, end_form=None, status=200):
    organization = binding.organization if binding else None
    may_edit = can(request.user, "creator.edit", organization)
    may_end = binding is not None and can(request.user, "binding.end", organization)
    return render_page(
        request,
        "creators/detail.html",
        {
            "creator": creator,
            "binding": binding,
            **selectors.creator_page(request.user, creator, binding),
            "avatar_form": (avatar_form or AvatarForm()) if may_edit else None,
            "end_form": (end_form or EndBindingForm()) if may_end else None,
        },
        status=status,
    )


@require_GET
@action_required("roster.view")
def creator_detail(request, pk: int):
    return _detail_page(request, *_creator_and_binding(request, pk))


@require_POST
@action_required("roster.view")
def avatar_upload(request, pk: int):
    creator, binding = _creator_and_binding(request, pk)
    if not can(request.user, "creator.edit", binding.organization if binding else None):
        raise PermissionDenied
    form = AvatarForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.creator_set_avatar(
                actor=request.user, creator=creator, upload=form.cleaned_data["avatar"]
            )
        except ValidationError as error:
            form.add_error("avatar", error.message_dict.get("avatar", error.messages))
        else:
            messages.success(request, _("Avatar saved."))
            return redirect("creators:detail", pk=pk)
    return _detail_page(request, creator, binding, avatar_form=form, status=400)


@require_POST
@action_required("roster.view")
def binding_end(request, pk: int):
    creator, binding = _creator_and_binding(request, pk)
    if binding is None or not can(request.user, "binding.end", binding.organization):
        raise PermissionDenied
    form = EndBindingForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, creator, binding, end_form=form, status=400)
    services.binding_end(actor=request.user, binding=binding, reason=form.cleaned_data["reason"])
    messages.success(request, _("The binding has ended."))
    return redirect("creators:roster")


@action_required("roster.view")
def creator_avatar(request, pk: int):
    creator = get_visible_creator(request, pk)
    if not creator.avatar:
        raise Http404
    content_type = "image/png" if creator.avatar.name.endswith(".png") else "image/jpeg"
    response = FileResponse(creator.avatar.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
