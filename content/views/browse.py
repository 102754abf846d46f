"""The organization's content pages (staff see the same pages for the videos they may see): the
roster's videos with filters, one creator's videos, one video with its whole story."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from content import selectors, services
from content.charts import video_charts
from content.forms import AppealForm, VideoFilterForm
from content.models import Video
from content.selectors import appeal_deadline, can_still_appeal
from creators.models import Creator
from portal.accounts.permissions import action_required, can
from portal.audit.models import AuditEntry
from portal.core.kit import error_text
from portal.core.rendering import render_page

PER_PAGE = 50


def _listing(request, videos, extra: dict):
    form = VideoFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    videos = selectors.filter_videos(videos, params)
    page = Paginator(videos.order_by("-published_at", "-id"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), **extra}
    context["summary"] = selectors.video_summary(videos)
    return render_page(request, "content/videos.html", context, partial="results")


@action_required("content.view")
def video_list(request):
    membership = getattr(request.user, "membership", None)
    organization = membership.organization if membership else None
    return _listing(request, selectors.videos_for(request.user), {"organization": organization})


@action_required("content.view")
def creator_videos(request, creator_id: int):
    videos = selectors.videos_for(request.user).filter(creator_id=creator_id)
    creator = get_object_or_404(Creator, pk=creator_id)
    if (
        not videos.exists()
        and not Creator.objects.for_user(request.user).filter(pk=creator_id).exists()
    ):
        raise Http404
    return _listing(request, videos, {"creator": creator})


@action_required("content.view")
def video_detail(request, pk: int):
    try:
        video = selectors.video_detail(request.user, pk)
    except Video.DoesNotExist:
        raise Http404 from None
    decisions = selectors.decisions_of(video)
    first = next((d for d in decisions if not d.on_appeal), None)
    history = AuditEntry.objects.filter(
        object_type__model="video", object_id=str(video.pk)
    ).select_related("actor")[:30]
    context = {
        "video": video,
        "decisions": decisions,
        "charts": video_charts(selectors.daily_figures(video)),
        "history": history,
        "can_appeal": first is not None
        and can_still_appeal(first)
        and can(request.user, "originality.appeal", video),
        "appeal_deadline": appeal_deadline(first) if first else None,
        "appeal_form": AppealForm(),
        "can_nominate": can(request.user, "quality.nominate", video)
        and not video.grading.filter(status="open").exists(),
        "can_decide": can(request.user, "originality.decide", video),
    }
    return render_page(request, "content/video.html", context)


@require_POST
@action_required("content.view")
def video_appeal(request, pk: int):
    video = get_object_or_404(selectors.videos_for(request.user), pk=pk)
    decision = next((d for d in selectors.decisions_of(video) if not d.on_appeal), None)
    form = AppealForm(request.POST)
    if decision is None or not form.is_valid():
        messages.error(request, _("Say why the decision is wrong."))
        return redirect(video)
    try:
        services.originality_appeal(
            actor=request.user, decision=decision, statement=form.cleaned_data["statement"]
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Your appeal was sent; another reviewer will answer it."))
    return redirect(video)


@require_POST
@action_required("content.view")
def video_nominate(request, pk: int):
    video = get_object_or_404(selectors.videos_for(request.user), pk=pk)
    try:
        services.video_nominate(actor=request.user, video=video)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The video is in its field's grading queue."))
    return redirect(video)


@action_required("content.view")
def video_cover(request, pk: int):
    video = get_object_or_404(selectors.videos_for(request.user), pk=pk)
    if not video.cover:
        raise Http404
    response = FileResponse(video.cover.open("rb"), content_type="image/jpeg")
    if video.cover.name.endswith(".png"):
        response["Content-Type"] = "image/png"
    response["Cache-Control"] = "private, max-age=3600"
    return response
