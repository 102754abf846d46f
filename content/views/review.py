"""The managers' originality queue: the list with its count and age, the side-by-side page with
keyboard-friendly decide-and-next, and the appeals other reviewers made decisions on."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from content import selectors, services
from content.forms import DecideForm, HearForm
from content.models import Appeal, OriginalityReview, ReviewStatus
from portal.accounts.permissions import action_required
from portal.core.kit import add_service_errors
from portal.core.rendering import render_page


@action_required("originality.queue")
def queue(request):
    reviews = selectors.review_queue(request.user)
    appeals = selectors.appeal_queue(request.user)
    context = {
        "reviews": reviews[:200],
        "figures": selectors.queue_figures(reviews, "opened_at"),
        "appeals": appeals[:100],
        "appeal_figures": selectors.queue_figures(appeals, "filed_at"),
    }
    return render_page(request, "content/review_queue.html", context)


def _review_page(request, review, form, status=200):
    video = selectors.video_detail(request.user, review.video_id)
    match = selectors.best_match(review)
    context = {
        "review": review,
        "video": video,
        "match": match,
        "findings": video.findings.all(),
        "decisions": selectors.decisions_of(video),
        "form": form,
        "waiting": selectors.queue_figures(selectors.review_queue(request.user), "opened_at"),
    }
    return render_page(request, "content/review.html", context, status=status)


@action_required("originality.queue")
def review_detail(request, pk: int):
    review = get_object_or_404(OriginalityReview.objects.for_user(request.user), pk=pk)
    return _review_page(request, review, DecideForm())


@require_POST
@action_required("originality.queue")
def review_decide(request, pk: int):
    review = get_object_or_404(OriginalityReview.objects.for_user(request.user), pk=pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.originality_decide(actor=request.user, review=review, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Decided: %(title)s.") % {"title": review.video.title})
            following = selectors.next_after(selectors.review_queue(request.user), review.pk)
            return (
                redirect("content:review", following.pk)
                if following
                else redirect("content:reviews")
            )
    return _review_page(request, review, form, status=400)


def _appeal(request, pk):
    return get_object_or_404(
        Appeal.objects.filter(
            decision__review__in=OriginalityReview.objects.for_user(request.user)
        ).select_related("decision__review__video", "decision__reason", "filed_by"),
        pk=pk,
    )


def _appeal_page(request, appeal, form, status=200):
    review = appeal.decision.review
    context = {
        "appeal": appeal,
        "review": review,
        "video": selectors.video_detail(request.user, review.video_id),
        "match": selectors.best_match(review),
        "decisions": selectors.decisions_of(review.video),
        "form": form,
        "own_decision": appeal.decision.decided_by_id == request.user.pk,
        "open": review.status == ReviewStatus.APPEALED,
    }
    return render_page(request, "content/appeal.html", context, status=status)


@action_required("originality.queue")
def appeal_detail(request, pk: int):
    return _appeal_page(request, _appeal(request, pk), HearForm())


@require_POST
@action_required("originality.queue")
def appeal_hear(request, pk: int):
    appeal = _appeal(request, pk)
    form = HearForm(request.POST)
    if form.is_valid():
        answer = form.cleaned_data["answer"]
        try:
            services.originality_appeal_hear(
                actor=request.user,
                appeal=appeal,
                uphold=answer != "dismiss",
                outcome="" if answer == "dismiss" else answer,
                reason=form.cleaned_data["reason"],
                response=form.cleaned_data["response"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The appeal was answered."))
            return redirect("content:reviews")
    return _appeal_page(request, appeal, form, status=400)
