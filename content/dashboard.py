"""The content figures of each role's dashboard, in a bounded number of queries (registered in
`ContentConfig.ready`)."""

from portal.core.dashboards import register_panel

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


@register_panel("operator", order=40)
@register_panel("manager", order=40)
@register_panel("organization", order=40, needs="organization")
def content_panel(user, context) -> dict:
    return content_figures(user)
