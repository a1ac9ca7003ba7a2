"""Geometry of the server-rendered SVG bar charts: plain numbers in, rectangles and ticks out (no ORM)."""

import math
from dataclasses import dataclass

WIDTH = 860
HEIGHT = 320
MARGIN_LEFT = 64
MARGIN_RIGHT = 16
MARGIN_TOP = 16
MARGIN_BOTTOM = 40
TICKS = 5


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    css_class: str


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class Group:
    label: str
    label_x: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    baseline: float
    groups: tuple[Group, ...]
    ticks: tuple[Tick, ...]
    goal_y: float | None
    goal_value: int | None


def _nice_ceiling(value: float) -> int:
    """The smallest 1, 2 or 5 × 10^n at or above `value`, so the axis ticks are round numbers."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return int(step * magnitude)
    return int(10 * magnitude)


def grouped_bar_chart(rows, series, *, goal: int | None = None) -> BarChart:
    """`rows` is a list of (label, {series_key: value}); `series` the (key, css_class) pairs drawn per row."""
    values = [value or 0 for _label, row in rows for key, _css in series for value in (row.get(key),)]
    top = _nice_ceiling(max([*values, goal or 0, 1]))
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    baseline = MARGIN_TOP + plot_height
    slot = plot_width / max(len(rows), 1)
    bar_width = slot * 0.8 / max(len(series), 1)

    def y_of(value):
        return baseline - plot_height * (value / top)

    groups = []
    for index, (label, row) in enumerate(rows):
        left = MARGIN_LEFT + index * slot + slot * 0.1
        bars = []
        for position, (key, css_class) in enumerate(series):
            value = row.get(key)
            if value is None:
                continue
            y = y_of(value)
            bars.append(Bar(left + position * bar_width, y, bar_width * 0.92, baseline - y, value, css_class))
        groups.append(Group(str(label), MARGIN_LEFT + index * slot + slot / 2, tuple(bars)))
    ticks = tuple(Tick(y_of(top * step / TICKS), int(top * step / TICKS)) for step in range(TICKS + 1))
    return BarChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=MARGIN_LEFT,
        plot_right=WIDTH - MARGIN_RIGHT,
        baseline=baseline,
        groups=tuple(groups),
        ticks=ticks,
        goal_y=y_of(goal) if goal else None,
        goal_value=goal,
    )
