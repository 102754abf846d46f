"""One creator: profile, bindings, charts of the figures, and the introduced-status explanation."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from creators import services
from creators.introduced import introduced_status
from creators.models import Binding, DailyMetric
from portal.accounts.permissions import action_required, can
from portal.audit.models import AuditEntry
from portal.core.charts import Point, time_series
from portal.core.forms import PortalFormMixin
from portal.core.rendering import render_page

from .roster import get_visible_creator

CHART_DAYS = 60


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


def charts_for(user, creator) -> list:
    """Plays, followers and GMV over the last 60 days the person may see."""
    today = timezone.localdate()
    start = today - datetime.timedelta(days=CHART_DAYS - 1)
    rows = {
        m.date: m
        for m in DailyMetric.objects.for_user(user)
        .filter(creator=creator, date__gte=start)
        .distinct()
        .only("date", "plays", "counted_valid_plays", "new_followers", "gmv")
    }
    days = [start + datetime.timedelta(days=n) for n in range(CHART_DAYS)]
    label = "%m-%d"
    # Followers on a day: today's count minus the followers gained after that day.
    later_gain, followers = 0, {}
    for day in reversed(days):
        followers[day] = max(0, creator.follower_count - later_gain) if rows else None
        later_gain += rows[day].new_followers if day in rows else 0
    summary = _("%(title)s from {start} to {end}: total {total}, highest {max} on {max_label}.")
    return [
        time_series(
            [Point(d.strftime(label), rows[d].plays if d in rows else None) for d in days],
            title=_("Plays"),
            unit=_("plays"),
            summary_template=summary % {"title": _("Plays")},
        ),
        time_series(
            [Point(d.strftime(label), followers[d] if d in rows else None) for d in days],
            title=_("Followers"),
            unit=_("followers"),
            summary_template=_("Followers from {start} to {end}: highest {max} on {max_label}."),
        ),
        time_series(
            [Point(d.strftime(label), rows[d].gmv if d in rows else None) for d in days],
            title=_("GMV (CNY)"),
            unit=pgettext("currency unit", "CNY"),
            summary_template=summary % {"title": _("GMV")},
        ),
    ]


@action_required("roster.view")
def creator_detail(request, pk: int):
    creator = get_visible_creator(request, pk)
    binding = (
        Binding.objects.filter(creator=creator, ended_on__isnull=True)
        .select_related("organization")
        .first()
    )
    organization = binding.organization if binding else None
    may_edit = can(request.user, "creator.edit", organization)
    may_end = binding is not None and can(request.user, "binding.end", organization)
    avatar_form, end_form = AvatarForm(), EndBindingForm()
    if request.method == "POST":
        if request.POST.get("action") == "avatar" and may_edit:
            avatar_form = AvatarForm(request.POST, request.FILES)
            if avatar_form.is_valid():
                try:
                    services.creator_set_avatar(
                        actor=request.user,
                        creator=creator,
                        upload=avatar_form.cleaned_data["avatar"],
                    )
                except ValidationError as error:
                    avatar_form.add_error(
                        "avatar", error.message_dict.get("avatar", error.messages)
                    )
                else:
                    messages.success(request, _("Avatar saved."))
                    return redirect("creators:detail", pk=pk)
        elif request.POST.get("action") == "end" and may_end:
            end_form = EndBindingForm(request.POST)
            if end_form.is_valid():
                services.binding_end(
                    actor=request.user, binding=binding, reason=end_form.cleaned_data["reason"]
                )
                messages.success(request, _("The binding has ended."))
                return redirect("creators:roster")
        else:
            raise PermissionDenied
    history = creator.bindings.select_related("organization").order_by("-started_on", "-id")
    if request.user.is_organization_member:
        # An organization sees its own periods with the creator, not where else they went.
        history = history.filter(organization__memberships__user=request.user)
    return render_page(
        request,
        "creators/detail.html",
        {
            "creator": creator,
            "binding": binding,
            "history": history,
            "status": introduced_status(binding) if binding else None,
            "charts": charts_for(request.user, creator),
            "flags": DailyMetric.objects.for_user(request.user)
            .filter(creator=creator)
            .exclude(flag="none")
            .distinct()
            .order_by("-date")[:10],
            "avatar_form": avatar_form if may_edit else None,
            "end_form": end_form if may_end else None,
            "activity": AuditEntry.objects.for_user(request.user)
            .filter(object_type__model="creator", object_id=str(creator.pk))
            .select_related("actor", "object_type")[:10],
        },
    )


@action_required("roster.view")
def creator_avatar(request, pk: int):
    creator = get_visible_creator(request, pk)
    if not creator.avatar:
        raise Http404
    content_type = "image/png" if creator.avatar.name.endswith(".png") else "image/jpeg"
    response = FileResponse(creator.avatar.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
