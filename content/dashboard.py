"""The content figures of each role's dashboard, in a bounded number of queries. The core's
dashboards call these functions (a later change turns dashboards into a registry)."""

from . import selectors
from .models import Video


def content_figures(user) -> dict:
    videos = Video.objects.for_user(user)
    figures = {"videos": selectors.video_summary(videos)}
    if user.is_staff:
        figures["reviews"] = selectors.queue_figures(selectors.review_queue(user), "opened_at")
        figures["appeals"] = selectors.queue_figures(selectors.appeal_queue(user), "filed_at")
        figures["grading"] = selectors.queue_figures(selectors.grading_queue(user), "created_at")
    return {"content": figures}
