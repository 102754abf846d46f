"""The managers' grading queue: count and age, and grade-and-next with the rubric in force."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from content import selectors, services
from content.forms import GradeForm
from content.models import GradingItem, Rubric
from portal.accounts.permissions import action_required
from portal.core.kit import add_service_errors
from portal.core.rendering import render_page


@action_required("quality.queue")
def grading_queue(request):
    items = selectors.grading_queue(request.user)
    context = {
        "items": items[:200],
        "figures": selectors.queue_figures(items, "created_at"),
        "rubric": Rubric.objects.in_force(timezone.localdate()),
    }
    return render_page(request, "content/grading_queue.html", context)


def _page(request, item, form, status=200):
    context = {
        "item": item,
        "video": selectors.video_detail(request.user, item.video_id),
        "form": form,
        "rubric": form.rubric,
        "waiting": selectors.queue_figures(selectors.grading_queue(request.user), "created_at"),
    }
    return render_page(request, "content/grade.html", context, status=status)


def _form(data=None):
    rubric = Rubric.objects.in_force(timezone.localdate())
    form = GradeForm(data, criteria=rubric.criteria.all() if rubric else ())
    form.rubric = rubric
    return form


@action_required("quality.queue")
def grade_page(request, pk: int):
    item = get_object_or_404(GradingItem.objects.for_user(request.user), pk=pk)
    return _page(request, item, _form())


@require_POST
@action_required("quality.queue")
def grade_submit(request, pk: int):
    item = get_object_or_404(GradingItem.objects.for_user(request.user), pk=pk)
    form = _form(request.POST)
    if form.is_valid():
        try:
            grade = services.video_grade(
                actor=request.user,
                video=item.video,
                scores=form.scores(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Graded %(grade)s (%(score)s).") % {"grade": grade.letter, "score": grade.score},
            )
            following = selectors.next_after(selectors.grading_queue(request.user), item.pk)
            return (
                redirect("content:grade", following.pk)
                if following
                else redirect("content:grading")
            )
    return _page(request, item, form, status=400)
