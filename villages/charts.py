"""Geometry of the server-rendered SVG bar charts: plain numbers in, rectangles, marks and ticks out (no ORM).

A chart tells the truth about what it does not know: a value of None is "not published" and gets a mark of
its own, never a zero bar; years that are missing from the axis (2009, then 2013) get a break mark between
their neighbours; and every series is drawn on an axis scaled to it, so a series of tens is not flattened
under one of thousands (the tallest bar always reaches at least half the plot height).
"""

import math
from dataclasses import dataclass

WIDTH = 860
HEIGHT = 320
MARGIN_LEFT = 64
MARGIN_RIGHT = 16
MARGIN_TOP = 24
MARGIN_BOTTOM = 40
TICKS = 5
# Round tops of the value axis, per power of ten: consecutive steps differ by at most a factor of two, so the
# tallest bar is always above half of the axis.
NICE_STEPS = (1, 2, 2.5, 4, 5, 10)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    css_class: str


@dataclass(frozen=True)
class NotPublished:
    """Where a series has no figure for a year: a hatched slot with the words, instead of a bar."""

    x: float
    y: float
    width: float
    height: float
    label_x: float
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
    not_published: tuple[NotPublished, ...] = ()


@dataclass(frozen=True)
class AxisBreak:
    """A jump in the year axis between two drawn years, e.g. from 2009 to 2013 ("2010–2012" left out)."""

    x: float
    first_missing: int
    last_missing: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    baseline: float
    groups: tuple[Group, ...]
    ticks: tuple[Tick, ...]
    goal_y: float | None
    goal_value: int | None
    axis_breaks: tuple[AxisBreak, ...] = ()

    @property
    def plot_height(self) -> float:
        return self.baseline - self.plot_top


def nice_ceiling(value: float) -> int:
    """The smallest round number (1, 2, 2.5, 4 or 5 × 10^n; whole numbers up to 10) at or above `value`."""
    if value <= 1:
        return 1
    if value <= 5:
        return math.ceil(value)
    if value <= 10:
        return 10
    magnitude = 10 ** math.floor(math.log10(value))
    for step in NICE_STEPS:
        if step * magnitude >= value:
            return int(step * magnitude)
    return int(10 * magnitude)


def _tick_values(top: int) -> list[int]:
    """Whole-number ticks from 0 to `top`: every unit up to 5, else five equal steps (round by construction)."""
    if top <= TICKS:
        return list(range(top + 1))
    step = top / TICKS
    return [round(step * index) for index in range(TICKS + 1)]


def _axis_breaks(labels, slot: float) -> tuple[AxisBreak, ...]:
    breaks = []
    for index in range(1, len(labels)):
        previous, current = labels[index - 1], labels[index]
        if isinstance(previous, int) and isinstance(current, int) and current - previous > 1:
            breaks.append(AxisBreak(MARGIN_LEFT + index * slot, previous + 1, current - 1))
    return tuple(breaks)


def grouped_bar_chart(rows, series, *, goal: int | None = None) -> BarChart:
    """`rows` is a list of (year, {series_key: value or None}); `series` the (key, css_class) pairs per row.

    A value of None is drawn as "not published"; a key absent from a row draws nothing for it.
    """
    values = [row[key] or 0 for _label, row in rows for key, _css in series if row.get(key) is not None]
    top = nice_ceiling(max([*values, goal or 0, 1]))
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
        bars, marks = [], []
        for position, (key, css_class) in enumerate(series):
            if key not in row:
                continue
            value = row[key]
            x = left + position * bar_width
            if value is None:
                marks.append(
                    NotPublished(x, MARGIN_TOP, bar_width * 0.92, plot_height, x + bar_width * 0.46, css_class)
                )
                continue
            y = y_of(value)
            bars.append(Bar(x, y, bar_width * 0.92, baseline - y, value, css_class))
        groups.append(Group(str(label), MARGIN_LEFT + index * slot + slot / 2, tuple(bars), tuple(marks)))
    ticks = tuple(Tick(y_of(value), value) for value in _tick_values(top))
    return BarChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=MARGIN_LEFT,
        plot_right=WIDTH - MARGIN_RIGHT,
        plot_top=MARGIN_TOP,
        baseline=baseline,
        groups=tuple(groups),
        ticks=ticks,
        goal_y=y_of(goal) if goal else None,
        goal_value=goal,
        axis_breaks=_axis_breaks([label for label, _row in rows], slot),
    )


def consecutive_years(counts: dict[int, int]) -> list[tuple[int, dict]]:
    """The registry's yearly counts from its first to its last year, a year without any counted as 0 (it is a
    true zero: the registry holds every approved assessment), as rows for `grouped_bar_chart`."""
    if not counts:
        return []
    return [(year, {"registry": counts.get(year, 0)}) for year in range(min(counts), max(counts) + 1)]
