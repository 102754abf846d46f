"""A video's daily figures drawn as the house's line charts."""

from django.utils.translation import gettext as _

from portal.core.charts import Point, time_series


def video_charts(rows) -> list:
    if not rows:
        return []
    label = "%m-%d"
    summary = _("%(title)s from {start} to {end}: total {total}, highest {max} on {max_label}.")
    return [
        time_series(
            [Point(r.date.strftime(label), r.valid_plays) for r in rows],
            title=_("Valid plays"),
            unit=_("plays"),
            summary_template=summary % {"title": _("Valid plays")},
        ),
        time_series(
            [Point(r.date.strftime(label), r.interactions) for r in rows],
            title=_("Interactions"),
            unit=_("interactions"),
            summary_template=summary % {"title": _("Interactions")},
        ),
        time_series(
            [Point(r.date.strftime(label), r.gmv) for r in rows],
            title=_("Attributed GMV (CNY)"),
            unit="CNY",
            summary_template=summary % {"title": _("Attributed GMV")},
        ),
    ]
