"""Abnormal-play flags, for staff to review."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from creators import services
from creators.models import DailyMetric, PlayFlag
from portal.accounts.permissions import action_required
from portal.core.forms import PortalFormMixin
from portal.core.kit import error_text
from portal.core.redirects import safe_next
from portal.core.rendering import render_page


class ReviewForm(PortalFormMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (PlayFlag.CONFIRMED, gettext_lazy("Confirm abnormal")),
            (PlayFlag.DISMISSED, gettext_lazy("Dismiss: the plays are genuine")),
        ]
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=500)


@action_required("metrics.flags")
def flags(request):
    status = request.GET.get("flag", PlayFlag.OPEN)
    rows = (
        DailyMetric.objects.for_user(request.user)
        .exclude(flag=PlayFlag.NONE)
        .select_related("creator", "creator__primary_category", "flag_reviewed_by")
        .order_by("-date", "-id")
    )
    if status in PlayFlag.values:
        rows = rows.filter(flag=status)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render_page(
        request,
        "creators/flags.html",
        {
            "page": page,
            "status": status,
            "statuses": [c for c in PlayFlag.choices if c[0] != PlayFlag.NONE],
            "query": f"flag={status}",
        },
        partial="results",
    )


@require_POST
@action_required("metrics.flags")
def flag_review(request, pk: int):
    metric = get_object_or_404(
        DailyMetric.objects.for_user(request.user).select_related("creator"), pk=pk
    )
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.metric_flag_review(actor=request.user, metric=metric, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Review recorded."))
    return redirect(safe_next(request, "creators:flags"))
