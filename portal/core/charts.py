"""Chart geometry for server-rendered SVG: pure functions that turn a series of numbers into
coordinates, path strings, tick labels and an accessible summary. Nothing here knows about
templates or requests; ``templates/includes/time_series_chart.html`` draws the result.

The page runs under a strict Content Security Policy, so everything the template needs is an SVG
attribute value (``d``, ``x``, ``y`` …) computed here; colours and line styles come from CSS classes.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Number = float | int | Decimal

MARGIN_LEFT = 56  # room for the y tick labels; widened when the labels need more
MARGIN_RIGHT = 10  # widened to half the last x label so it is never clipped
MARGIN_TOP = 10
MARGIN_BOTTOM = 26
MAX_X_TICKS = 8
TICK_GAP = 8  # between the y tick labels and the plot
X_LABEL_AIR = 12  # the least space between two x labels
X_LABEL_OFFSET = 17  # baseline of the x tick labels, below the plot
# Approximate advance widths at the 11px tick font, to reserve room for the labels.
DIGIT_WIDTH = 6.2
NARROW_WIDTH = 3.2  # , . : and the like
NARROW = set(",.:;'|!il ")
MISSING = "—"

DEFAULT_SUMMARY = (
    "{title} from {start} to {end}: total {total} {unit}, highest {max} on {max_label}."
)
NICE_MULTIPLES = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))


@dataclass(frozen=True)
class Point:
    label: str  # the x label as shown, e.g. "11-03"
    value: Number | None  # None: no data that day, drawn as a gap


@dataclass(frozen=True)
class TimeSeriesChart:
    title: str
    unit: str
    width: int
    height: int
    line_path: str  # "M x y L x y …", a new "M" after each gap
    area_path: str  # one closed "M … Z" shape per run of data, down to the zero line
    points: list[tuple[float, float, str, str]]  # (x, y, label, formatted value), data only
    y_ticks: list[tuple[float, str]]  # (y, label), from 0 up to the axis maximum
    x_ticks: list[tuple[float, str]]  # (x, label), at most MAX_X_TICKS, first and last included
    summary: str
    rows: list[tuple[str, str]]  # (label, formatted value or "—") for the data table
    empty: bool
    plot_left: float = MARGIN_LEFT
    plot_right: float = 0.0
    plot_top: float = MARGIN_TOP
    plot_bottom: float = 0.0

    @property
    def y_label_x(self) -> float:
        """Where the y tick labels end (they are right-aligned against the plot)."""
        return self.plot_left - TICK_GAP

    @property
    def x_label_y(self) -> float:
        """The baseline of the x tick labels."""
        return self.plot_bottom + X_LABEL_OFFSET


def series_format(values: Sequence[Number]) -> Callable[[Any], str]:
    """The default value format, one for a whole series so that 3 and 7.5 do not show as "3"
    and "7.50": thousands separators, and two decimals for every value as soon as one of them is
    a Decimal (an amount) or a fractional float."""
    if any(isinstance(v, Decimal) or not _is_whole(v) for v in values):
        return lambda value: f"{value:,.2f}"
    return lambda value: f"{int(value):,}"


def nice_ticks(max_value: Number, *, whole: bool = False) -> list[Decimal]:
    """Tick values from 0 to a "nice" maximum >= ``max_value``: 4 or 5 of them, evenly spaced by
    1, 2, 2.5 or 5 × 10ⁿ. With ``whole`` (counts such as plays) the step is a whole number (so
    never 2.5; a maximum of 9 or 10 gets the six ticks 0, 2 … 10 rather than three) and small
    maxima get the axis 0-4. A maximum of 0 gets the axis 0-1 (0-4 when whole), so that a flat
    series still sits on a readable scale."""
    top = _decimal(max_value)
    if top < 0 or not top.is_finite():
        raise ValueError(f"The axis maximum must be a non-negative number, not {max_value!r}.")
    if whole:
        top = max(top, Decimal(4))
    elif top == 0:
        top = Decimal(1)
    exponent = top.adjusted() - 1  # the first step tried gives >= 10 intervals, too many
    previous = None
    while True:
        for multiple in NICE_MULTIPLES:
            step = multiple.scaleb(exponent)
            if whole and step != step.to_integral_value():
                continue  # no 0.5 or 2.5 plays
            intervals = math.ceil(top / step)
            if intervals <= 4:
                if intervals < 3 and previous is not None and previous[1] == 5:
                    step, intervals = previous  # whole 9-10: 0, 2 … 10 reads better than 0, 5, 10
                return [_plain(step * i) for i in range(intervals + 1)]
            previous = (step, intervals)
        exponent += 1


def time_series(
    points: Sequence[Point],
    *,
    title: str,
    unit: str,
    width: int = 640,
    height: int = 220,
    value_format: Callable[[Any], str] | None = None,
    summary_template: str | None = None,
) -> TimeSeriesChart:
    """The geometry of a line chart of ``points`` (in order, one per x position, None for a gap).

    ``summary_template`` is a format string with ``{title}``, ``{unit}``, ``{start}``, ``{end}``,
    ``{total}``, ``{max}`` and ``{max_label}``, so that callers can pass a translated sentence;
    numbers in it (and in the dots' tooltips and the data table) are formatted with
    ``value_format``, by default :func:`series_format`. Values must be non-negative numbers."""
    for point in points:
        _check(point.value)
    fmt = value_format or series_format([p.value for p in points if p.value is not None])
    rows = [(p.label, MISSING if p.value is None else fmt(p.value)) for p in points]
    data = [(i, p) for i, p in enumerate(points) if p.value is not None]
    if not data:
        return TimeSeriesChart(
            title=title,
            unit=unit,
            width=width,
            height=height,
            line_path="",
            area_path="",
            points=[],
            y_ticks=[],
            x_ticks=[],
            summary="",
            rows=rows,
            empty=True,
            plot_right=width - MARGIN_RIGHT,
            plot_bottom=height - MARGIN_BOTTOM,
        )

    values = [p.value for _i, p in data]
    highest = max(values)
    ticks = nice_ticks(highest, whole=all(_is_whole(v) for v in values))
    tick_labels = _tick_labels(ticks)
    axis_max = float(ticks[-1])

    left = max(MARGIN_LEFT, math.ceil(max(map(_text_width, tick_labels)) + TICK_GAP + 4))
    right = max(MARGIN_RIGHT, math.ceil(_text_width(points[-1].label) / 2) + 2)
    plot_left, plot_right = float(left), float(width - right)
    plot_top, plot_bottom = float(MARGIN_TOP), float(height - MARGIN_BOTTOM)

    def x_at(index: int) -> float:
        if len(points) == 1:
            return round((plot_left + plot_right) / 2, 1)
        return round(plot_left + index * (plot_right - plot_left) / (len(points) - 1), 1)

    def y_at(value: Number) -> float:
        return round(plot_bottom - float(value) / axis_max * (plot_bottom - plot_top), 1)

    coordinates = {i: (x_at(i), y_at(p.value)) for i, p in data}
    runs = _runs([i for i, _p in data])
    line_path = " ".join(
        " ".join(
            f"{'M' if n == 0 else 'L'} {_n(coordinates[i][0])} {_n(coordinates[i][1])}"
            for n, i in enumerate(run)
        )
        for run in runs
    )
    area_path = " ".join(
        f"M {_n(coordinates[run[0]][0])} {_n(plot_bottom)} "
        + " ".join(f"L {_n(coordinates[i][0])} {_n(coordinates[i][1])}" for i in run)
        + f" L {_n(coordinates[run[-1]][0])} {_n(plot_bottom)} Z"
        for run in runs
    )

    # Room for each x label and some air, in positions (one position = one point).
    label_width = max(_text_width(p.label) for p in points) + X_LABEL_AIR
    gap = label_width / ((plot_right - plot_left) / (len(points) - 1)) if len(points) > 1 else 0
    max_point = next(p for _i, p in data if p.value == highest)
    summary = str(summary_template or DEFAULT_SUMMARY).format(
        title=title,
        unit=unit,
        start=points[0].label,
        end=points[-1].label,
        total=fmt(_total(values)),
        max=fmt(highest),
        max_label=max_point.label,
    )
    return TimeSeriesChart(
        title=title,
        unit=unit,
        width=width,
        height=height,
        line_path=line_path,
        area_path=area_path,
        points=[(*coordinates[i], p.label, fmt(p.value)) for i, p in data],
        y_ticks=[(y_at(t), label) for t, label in zip(ticks, tick_labels, strict=True)],
        x_ticks=[(x_at(i), points[i].label) for i in x_tick_indices(len(points), min_gap=gap)],
        summary=summary,
        rows=rows,
        empty=False,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
    )


def x_tick_indices(count: int, limit: int = MAX_X_TICKS, min_gap: float = 0.0) -> list[int]:
    """Which of ``count`` positions get an x label: every k-th one (a regular step reads better
    than uneven gaps), at most ``limit`` of them, always the first and the last, and no two
    closer than ``min_gap`` positions (what the label width needs). The regular tick just before
    the last is dropped when it would crowd it (half a step or less)."""
    step = math.ceil((count - 1) / (limit - 1)) if count > limit else 1
    step = max(step, math.ceil(min_gap))
    if step == 1:
        return list(range(count))
    indices = list(range(0, count, step))
    last = count - 1
    if indices[-1] != last:
        if len(indices) > 1 and last - indices[-1] <= max(step / 2, min_gap):
            indices.pop()
        indices.append(last)
    return indices


def _check(value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"Chart values must be numbers or None, not {value!r}.")
    if not _decimal(value).is_finite():
        raise ValueError(f"Chart values must be finite, not {value!r}.")
    if value < 0:
        raise ValueError(f"Chart values must not be negative, not {value!r}.")


def _decimal(value: Number) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _plain(value: Decimal) -> Decimal:
    """Without exponent or trailing zeros: 1.0E+3 → 1000, 0.50 → 0.5."""
    return Decimal(int(value)) if value == value.to_integral_value() else value.normalize()


def _is_whole(value: Number) -> bool:
    return _decimal(value) == _decimal(value).to_integral_value()


def _total(values: list[Number]) -> Number:
    try:
        return sum(values)
    except TypeError:  # Decimal and float do not add: count in Decimal
        return sum(map(_decimal, values), Decimal(0))


def _tick_labels(ticks: list[Decimal]) -> list[str]:
    """Thousands separators and as many decimals as the step needs (0.25 → two, 500 → none)."""
    step = ticks[1] - ticks[0]
    decimals = max(0, -step.normalize().as_tuple().exponent)
    return [f"{tick:,.{decimals}f}" for tick in ticks]


def _text_width(text: str) -> float:
    return sum(NARROW_WIDTH if ch in NARROW else DIGIT_WIDTH for ch in text)


def _runs(indices: list[int]) -> list[list[int]]:
    """Consecutive indices grouped: [0, 1, 2, 5, 6] → [[0, 1, 2], [5, 6]]."""
    runs: list[list[int]] = []
    for i in indices:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _n(coordinate: float) -> str:
    """A coordinate for a path string: one decimal, none when it is whole ("56", "61.3")."""
    text = f"{coordinate:.1f}"
    return text.removesuffix(".0")
