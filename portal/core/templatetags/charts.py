"""``{% load charts %}``: draw the geometry from :mod:`portal.core.charts` as inline SVG."""

from django import template

from portal.core.charts import TimeSeriesChart

register = template.Library()


@register.inclusion_tag("includes/time_series_chart.html")
def time_series_chart(chart: TimeSeriesChart) -> dict:
    """``{% time_series_chart chart %}``: the line chart, its summary for assistive technology and
    its numbers as a table (hidden until "Show the data" is opened)."""
    return {"chart": chart}
