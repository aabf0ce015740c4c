"""Bar charts drawn on the server as SVG elements, from data; no chart library, no script.

:func:`layout` (plain Python, testable without a browser) turns categories × series into bar
rectangles, axis ticks and labels in a fixed coordinate space; :func:`bar_chart` renders that
model with Reflex SVG elements, which scale to the width they get. Every text is a text child
(React escapes it), so a label can never become markup. The SVG is an image with a title and
a description; each chart is meant to sit next to a table of the same figures (its accessible
alternative), and each bar carries its own ``<title>`` for pointer users.

Colours: five dark hues that keep at least 3:1 against white (WCAG 1.4.11) and differ in
lightness as well as hue; stacked segments are separated by a white gap, so they stay apart
in greyscale too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import reflex as rx

PALETTE = ("#0b5cad", "#b34700", "#2e7d32", "#6a3d9a", "#4d4d4d")
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 32
#: At most this many category labels under the axis (the table lists every category).
MAX_LABELS = 16
#: A bar (or a group of bars) is never wider than this, however few the categories.
MAX_BAR = 56.0


@dataclass
class Bar:
    key: str
    x: str
    y: str
    width: str
    height: str
    fill: str
    label: str


@dataclass
class Tick:
    key: str
    y: str
    label: str


@dataclass
class AxisLabel:
    key: str
    x: str
    label: str


@dataclass
class LegendItem:
    label: str
    fill: str


@dataclass
class ChartModel:
    id: str = ""
    title: str = ""
    caption: str = ""  # shown above the chart; '' when a heading already says it
    description: str = ""
    view_box: str = f"0 0 {WIDTH} {HEIGHT}"
    baseline: str = str(HEIGHT - BOTTOM)
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    labels: list[AxisLabel] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)
    empty: bool = True


def _n(value: float) -> str:
    return f"{value:.1f}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def nice_scale(highest: float, ticks: int = 4, *, whole: bool = False) -> tuple[float, float]:
    """(top of the axis, step between ticks): a 1, 2 or 5 × 10ⁿ step, the top ≥ ``highest``.
    ``whole``: the values are counts, so no tick falls between two whole numbers."""
    if highest <= 0:
        return 1.0, 1.0
    rough = highest / ticks
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    if whole:
        step = max(step, 1.0)
    return step * math.ceil(highest / step - 1e-9), step


def layout(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[float]],
    stacked: bool = False,
    unit: str = "",
    caption: str = "",
) -> ChartModel:
    """``values[c][s]``: the value of series ``s`` for category ``c``."""
    heights = [sum(row) if stacked else max(row, default=0) for row in values]
    highest = max(heights, default=0)
    model = ChartModel(id=chart_id, title=title, caption=caption, description=description)
    model.legend = [LegendItem(name, PALETTE[i % len(PALETTE)]) for i, name in enumerate(series)]
    if not categories or highest <= 0:
        return model
    model.empty = False
    whole = all(float(v).is_integer() for row in values for v in row)
    top, step = nice_scale(highest, whole=whole)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h

    def y_of(value: float) -> float:
        return base - plot_h * value / top

    suffix = f" {unit}" if unit else ""
    count = int(round(top / step))
    model.ticks = [
        Tick(f"t{i}", _n(y_of(i * step)), _number(round(i * step, 6)) + suffix)
        for i in range(count + 1)
    ]
    slot = plot_w / len(categories)
    inner = min(slot - min(8.0, slot * 0.2), MAX_BAR)
    every = max(1, math.ceil(len(categories) / MAX_LABELS))
    bars: list[Bar] = []
    for c, (category, row) in enumerate(zip(categories, values, strict=True)):
        x0 = LEFT + c * slot + (slot - inner) / 2
        if c % every == 0:
            model.labels.append(AxisLabel(f"l{c}", _n(x0 + inner / 2), category))
        running = 0.0
        for s, value in enumerate(row):
            if value <= 0:
                continue
            fill = PALETTE[s % len(PALETTE)]
            label = f"{series[s]}, {category}: {_number(value)}{suffix}"
            if stacked:
                y_top, y_bottom = y_of(running + value), y_of(running)
                running += value
                bars.append(
                    Bar(
                        f"b{c}-{s}", _n(x0), _n(y_top), _n(inner), _n(y_bottom - y_top), fill, label
                    )
                )
            else:
                width = inner / len(row)
                y_top = y_of(value)
                bars.append(
                    Bar(
                        f"b{c}-{s}",
                        _n(x0 + s * width),
                        _n(y_top),
                        _n(max(width - 1, 1)),
                        _n(base - y_top),
                        fill,
                        label,
                    )
                )
    model.bars = bars
    return model


def bar_chart(chart: Any, *, empty_text: Any, legend_label: Any) -> rx.Component:
    """A :class:`ChartModel` var as a figure: the SVG (scrolls sideways on narrow screens,
    reachable with the keyboard) and its legend as a text list."""
    title_id = chart.id + "-t"
    desc_id = chart.id + "-d"
    svg = rx.el.svg(
        rx.el.svg.title(chart.title, id=title_id),
        rx.el.svg.desc(chart.description, id=desc_id),
        rx.foreach(
            chart.ticks,
            lambda t: rx.el.svg.g(
                rx.el.svg.line(
                    x1=str(LEFT), x2=str(WIDTH - RIGHT), y1=t.y, y2=t.y, class_name="sv-grid"
                ),
                rx.el.svg.text(t.label, x=str(LEFT - 6), y=t.y, dy="4", class_name="sv-tick"),
                key=t.key,
            ),
        ),
        rx.foreach(
            chart.bars,
            lambda b: rx.el.svg.rect(
                rx.el.svg.title(b.label),
                x=b.x,
                y=b.y,
                width=b.width,
                height=b.height,
                style={"fill": b.fill},
                class_name="sv-bar",
                key=b.key,
            ),
        ),
        rx.el.svg.line(
            x1=str(LEFT),
            x2=str(WIDTH - RIGHT),
            y1=chart.baseline,
            y2=chart.baseline,
            class_name="sv-axis",
        ),
        rx.foreach(
            chart.labels,
            lambda lab: rx.el.svg.text(
                lab.label, x=lab.x, y=str(HEIGHT - BOTTOM + 16), class_name="sv-label", key=lab.key
            ),
        ),
        view_box=chart.view_box,
        role="img",
        aria_labelledby=title_id + " " + desc_id,
        class_name="sv-svg",
        xmlns="http://www.w3.org/2000/svg",
    )
    return rx.el.figure(
        rx.cond(chart.caption != "", rx.el.figcaption(chart.caption, class_name="sv-caption")),
        rx.cond(
            chart.empty,
            rx.el.p(empty_text, class_name="cw-small"),
            rx.fragment(
                rx.el.div(
                    svg,
                    class_name="sv-scroll",
                    tab_index=0,
                    role="group",
                    aria_labelledby=title_id,
                ),
                rx.el.ul(
                    rx.foreach(
                        chart.legend,
                        lambda item: rx.el.li(
                            rx.el.span(
                                class_name="sv-swatch",
                                style={"background": item.fill},
                                aria_hidden="true",
                            ),
                            item.label,
                        ),
                    ),
                    aria_label=legend_label,
                    class_name="sv-legend",
                ),
            ),
        ),
        class_name="sv-figure",
    )
