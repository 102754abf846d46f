"""Time-series chart geometry (portal.core.charts) and its template: nice axes, gaps, coordinates,
tick labels, the accessible summary and data table, and markup that a strict CSP allows."""

import itertools
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from portal.core.charts import (
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_TOP,
    MAX_X_TICKS,
    Point,
    nice_ticks,
    time_series,
    x_tick_indices,
)

NICE = {Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)}


def days(values, month=11):
    return [Point(f"{month:02d}-{day:02d}", value) for day, value in enumerate(values, start=1)]


def render(chart, language="en"):
    with translation.override(language):
        return render_to_string("includes/time_series_chart.html", {"chart": chart})


def tick_labels(chart):
    return [label for _y, label in chart.y_ticks]


def mantissa(step: Decimal) -> Decimal:
    return step.scaleb(-step.adjusted()).normalize()


# --- y axis ---------------------------------------------------------------------------------


def test_a_maximum_of_87_gets_an_axis_up_to_100():
    assert nice_ticks(87) == [0, 25, 50, 75, 100]
    chart = time_series(days([12, 87, 40]), title="Plays", unit="plays")
    assert tick_labels(chart) == ["0", "25", "50", "75", "100"]


def test_a_maximum_of_1234_gets_four_or_five_ticks_up_to_1500_or_2000():
    chart = time_series(days([1234, 800]), title="Plays", unit="plays")
    labels = tick_labels(chart)
    assert 4 <= len(labels) <= 5
    assert labels[0] == "0"
    assert labels[-1] in {"1,500", "2,000"}


def test_an_all_zero_series_sits_on_a_readable_axis_from_0_to_4():
    chart = time_series(days([0, 0, 0]), title="Plays", unit="plays")
    assert not chart.empty
    assert tick_labels(chart) == ["0", "1", "2", "3", "4"]
    assert {y for _x, y, _label, _value in chart.points} == {chart.plot_bottom}


def test_a_zero_maximum_of_amounts_gets_the_axis_0_to_1():
    assert nice_ticks(Decimal(0)) == [0, Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), 1]


@pytest.mark.parametrize("scale", [Decimal("0.01"), Decimal(1), Decimal(1000), Decimal(10**6)])
def test_every_axis_starts_at_0_and_steps_evenly_by_1_2_2_5_or_5_to_at_least_the_maximum(scale):
    for n in range(1, 400):
        maximum = Decimal(n) / 37 * scale
        ticks = nice_ticks(maximum)
        steps = {b - a for a, b in itertools.pairwise(ticks)}
        assert ticks[0] == 0
        assert ticks[-1] >= maximum, maximum
        assert 4 <= len(ticks) <= 5, (maximum, ticks)
        assert len(steps) == 1, (maximum, ticks)
        assert mantissa(steps.pop()) in NICE, (maximum, ticks)


def test_counts_never_get_fractional_ticks():
    for maximum in range(200):
        ticks = nice_ticks(maximum, whole=True)
        assert all(tick == int(tick) for tick in ticks), (maximum, ticks)
        assert ticks[-1] >= maximum
        assert 4 <= len(ticks) <= 6, (maximum, ticks)


def test_small_amounts_get_tick_labels_with_the_decimals_the_step_needs():
    chart = time_series(days([Decimal("0.37"), Decimal("0.12")]), title="GMV", unit="CNY")
    assert tick_labels(chart) == ["0.0", "0.1", "0.2", "0.3", "0.4"]


def test_wide_tick_labels_widen_the_left_margin():
    narrow = time_series(days([87]), title="Plays", unit="plays")
    wide = time_series(days([12_345_678]), title="Plays", unit="plays")
    assert narrow.plot_left == MARGIN_LEFT
    assert wide.plot_left > MARGIN_LEFT
    assert tick_labels(wide)[-1] == "15,000,000"


# --- lines, gaps and coordinates -----------------------------------------------------------


def test_a_gap_in_the_data_starts_a_new_subpath():
    chart = time_series(days([10, 20, None, 40, 50]), title="Plays", unit="plays")
    assert chart.line_path.count("M") == 2
    assert chart.area_path.count("M") == 2
    assert chart.area_path.count("Z") == 2
    x3, y3, label3, _value = chart.points[2]
    assert label3 == "11-04"
    assert f"M {x3:g} {y3:g}" in chart.line_path
    assert len(chart.points) == 4


def test_an_unbroken_series_is_a_single_subpath_with_a_closed_area_down_to_zero():
    chart = time_series(days([10, 20, 30, 40]), title="Plays", unit="plays")
    assert chart.line_path.count("M") == 1
    assert chart.line_path.count("L") == 3
    assert chart.area_path.startswith(f"M {chart.plot_left:g} {chart.plot_bottom:g} ")
    assert chart.area_path.endswith(f"L {chart.plot_right:g} {chart.plot_bottom:g} Z")


def test_the_highest_value_is_at_the_top_margin_and_zero_at_the_bottom():
    chart = time_series(days([0, 50, 100]), title="Plays", unit="plays", width=640, height=220)
    (x0, y0, *_), (x1, y1, *_), (x2, y2, *_) = chart.points
    assert tick_labels(chart)[-1] == "100"
    assert y2 == MARGIN_TOP
    assert y0 == 220 - MARGIN_BOTTOM
    assert y1 == (y0 + y2) / 2
    assert x0 == chart.plot_left == MARGIN_LEFT
    assert x2 == chart.plot_right < 640
    assert x1 == (x0 + x2) / 2
    assert chart.y_ticks[0][0] == y0
    assert chart.y_ticks[-1][0] == y2


def test_coordinates_have_at_most_one_decimal_in_the_paths_and_the_svg():
    chart = time_series(days([7, 13, 3, 11, 5, 17, 2]), title="Plays", unit="plays", width=633)
    numbers = re.findall(r"[\d.]+", chart.line_path + " " + chart.area_path)
    numbers += re.findall(r' (?:x|y|cx|cy|x1|x2|y1|y2)="([^"]*)"', render(chart))
    assert len(numbers) > 50
    assert all(re.fullmatch(r"\d+(\.\d)?", number) for number in numbers), numbers


def test_x_ticks_are_at_most_eight_and_include_the_first_and_last_labels():
    chart = time_series(days(range(30)), title="Plays", unit="plays")
    labels = [label for _x, label in chart.x_ticks]
    assert len(labels) <= MAX_X_TICKS
    assert labels[0] == "11-01"
    assert labels[-1] == "11-30"
    for count in range(1, 400):
        indices = x_tick_indices(count)
        assert len(indices) <= MAX_X_TICKS, count
        assert indices[0] == 0
        assert indices[-1] == count - 1
        assert indices == sorted(set(indices))


def test_a_short_series_labels_every_day():
    chart = time_series(days([1, 2, 3, 4, 5]), title="Plays", unit="plays")
    assert [label for _x, label in chart.x_ticks] == ["11-01", "11-02", "11-03", "11-04", "11-05"]


def test_x_labels_keep_apart_on_a_narrow_chart():
    points = [Point(f"2024-11-{day:02d}", day) for day in range(1, 15)]
    chart = time_series(points, title="Plays", unit="plays", width=320)
    xs = [x for x, _label in chart.x_ticks]
    assert len(xs) < len(points)
    assert min(b - a for a, b in itertools.pairwise(xs)) > 60  # a 10-character label


# --- numbers and summary ---------------------------------------------------------------------


def test_the_summary_gives_total_maximum_and_its_day_through_a_custom_template():
    chart = time_series(
        days([1_000, None, 98_765, 1_134_802, 5]),
        title="Plays",
        unit="plays",
        summary_template="{start}..{end} | {total} {unit} | {max} @ {max_label}",
    )
    assert chart.summary == "11-01..11-05 | 1,234,572 plays | 1,134,802 @ 11-04"


def test_the_default_summary_is_an_english_sentence():
    chart = time_series(days([3, 9, 9, 1]), title="Daily plays", unit="plays")
    assert chart.summary == ("Daily plays from 11-01 to 11-04: total 22 plays, highest 9 on 11-02.")


def test_decimal_amounts_show_two_decimals_and_thousands_separators():
    chart = time_series(days([Decimal("1234.5"), Decimal("20"), None]), title="GMV", unit="CNY")
    assert chart.rows == [("11-01", "1,234.50"), ("11-02", "20.00"), ("11-03", "—")]
    assert [value for *_xy, _label, value in chart.points] == ["1,234.50", "20.00"]
    assert "total 1,254.50 CNY" in chart.summary


def test_a_series_of_whole_and_fractional_numbers_shares_one_format():
    chart = time_series(days([3, 7.5]), title="Rating", unit="points")
    assert [value for _label, value in chart.rows] == ["3.00", "7.50"]


def test_a_custom_value_format_is_used_everywhere():
    chart = time_series(
        days([1200, 3400]), title="GMV", unit="CNY", value_format=lambda v: f"¥{v / 100:.1f}k"
    )
    assert chart.rows == [("11-01", "¥12.0k"), ("11-02", "¥34.0k")]
    assert "total ¥46.0k" in chart.summary
    assert chart.points[1][3] == "¥34.0k"


@pytest.mark.parametrize("points", [[], days([None, None])], ids=["no points", "all gaps"])
def test_a_series_without_data_is_empty_with_empty_paths(points):
    chart = time_series(points, title="Plays", unit="plays")
    assert chart.empty
    assert chart.line_path == chart.area_path == ""
    assert chart.points == chart.y_ticks == chart.x_ticks == []


@pytest.mark.parametrize("bad", [-1, Decimal("-0.01"), -3.5])
def test_negative_values_are_refused(bad):
    with pytest.raises(ValueError, match="negative"):
        time_series(days([4, bad, 2]), title="Plays", unit="plays")


# --- template --------------------------------------------------------------------------------


def test_an_empty_chart_renders_no_data_yet_instead_of_an_svg():
    html = render(time_series([], title="Plays", unit="plays"))
    assert '<p class="empty">No data yet.</p>' in html
    assert "<svg" not in html
    assert "<table" not in html


def test_the_rendered_chart_is_an_image_with_its_summary_and_no_inline_style():
    chart = time_series(days([5, None, 9, 12]), title="Daily plays", unit="plays")
    html = render(chart)
    assert not re.search(r"\sstyle\s*=", html)
    assert "<script" not in html
    svg = re.search(r"<svg [^>]*>", html).group(0)
    assert 'role="img"' in svg
    assert f'aria-label="{chart.summary}"' in svg
    assert 'preserveAspectRatio="xMidYMid meet"' in svg
    assert f"<title>{chart.summary}</title>" in html
    assert html.count('class="ts-dot"') == 3
    assert "<title>11-04: 12</title>" in html
    assert html.count('class="ts-grid') == len(chart.y_ticks)


def test_the_data_table_has_one_row_per_point_and_a_toggle_to_show_it():
    chart = time_series(days([5, None, 9, 12]), title="Daily plays", unit="plays")
    html = render(chart)
    body = re.search(r"<tbody>(.*)</tbody>", html, re.S).group(1)
    assert body.count("<tr>") == 4
    assert '<th scope="row">11-02</th><td class="num">—</td>' in body
    assert '<details class="ts-data"><summary>Show the data</summary></details>' in html
    assert '<div class="ts-table visually-hidden">' in html


def test_coordinates_stay_plain_numbers_in_a_language_with_decimal_commas():
    chart = time_series(days([7, 13, 3]), title="Plays", unit="plays", width=633)
    assert any(x != int(x) for x, _label in chart.x_ticks)  # something to localise
    html = render(chart, language="de")
    assert not re.search(r'(x|y|cx|cy|x1|x2|y1|y2)="\d+,\d', html)
    assert f'cx="{chart.points[1][0]}"' in html


def test_the_template_tag_draws_the_chart():
    chart = time_series(days([1, 2]), title="Plays", unit="plays")
    html = Template("{% load charts %}{% time_series_chart chart %}").render(
        Context({"chart": chart})
    )
    assert 'class="ts-chart"' in html
    assert f'd="{chart.line_path}"' in html
