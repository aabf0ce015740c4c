"""Chart geometry from data (no browser needed) and the console's role-filtered links."""

from __future__ import annotations

from chat_widget.i18n import catalog
from chat_widget.ui.components.charts import (
    BOTTOM,
    HEIGHT,
    LEFT,
    MAX_BAR,
    RIGHT,
    TOP,
    WIDTH,
    layout,
    nice_scale,
)
from chat_widget.ui.components.console_links import links_for

PLOT_H = HEIGHT - TOP - BOTTOM


def test_nice_scale_steps_are_1_2_5() -> None:
    assert nice_scale(0) == (1.0, 1.0)
    assert nice_scale(7) == (8.0, 2.0)
    assert nice_scale(100) == (100.0, 50.0)
    assert nice_scale(101) == (150.0, 50.0)
    assert nice_scale(4) == (4.0, 1.0)
    assert nice_scale(1) == (1.0, 0.5)
    assert nice_scale(1, whole=True) == (1.0, 1.0)  # counts: no tick at 0.5
    top, step = nice_scale(0.3)
    assert (round(top, 9), round(step, 9)) == (0.3, 0.1)


def test_grouped_bars_scale_to_the_highest_value_and_skip_zeros() -> None:
    chart = layout(
        chart_id="c",
        title="T",
        description="D",
        categories=["a", "b"],
        series=["x", "y"],
        values=[[2, 4], [0, 1]],
        unit="min",
    )
    assert not chart.empty
    assert [t.label for t in chart.ticks] == ["0 min", "1 min", "2 min", "3 min", "4 min"]
    assert [b.key for b in chart.bars] == ["b0-0", "b0-1", "b1-1"]
    tallest = chart.bars[1]
    assert float(tallest.height) == PLOT_H
    assert float(tallest.y) == TOP
    assert float(chart.bars[0].height) == PLOT_H / 2
    assert chart.bars[0].label == "x, a: 2 min"
    assert float(chart.bars[0].x) >= LEFT
    assert [(i.label, i.fill) for i in chart.legend] == [("x", "#0b5cad"), ("y", "#b34700")]


def test_stacked_bars_sit_on_each_other() -> None:
    chart = layout(
        chart_id="c",
        title="T",
        description="D",
        categories=["a"],
        series=["x", "y"],
        values=[[1, 3]],
        stacked=True,
    )
    low, high = chart.bars
    assert float(low.y) + 0.05 >= float(high.y) + float(high.height) - 0.05
    assert float(low.height) + float(high.height) == PLOT_H
    assert low.x == high.x and low.width == high.width
    # One category: the bar keeps a readable width, centred in the plot.
    assert float(low.width) == MAX_BAR
    assert float(low.x) + MAX_BAR / 2 == (LEFT + WIDTH - RIGHT) / 2


def test_no_data_is_an_empty_chart_and_labels_thin_out() -> None:
    empty = layout(
        chart_id="c", title="T", description="D", categories=["a"], series=["x"], values=[[0]]
    )
    assert empty.empty and empty.bars == [] and empty.ticks == []
    hours = [f"{h:02d}" for h in range(24)]
    chart = layout(
        chart_id="c",
        title="T",
        description="D",
        categories=hours,
        series=["<b>x</b>"],
        values=[[1]] * 24,
    )
    assert [label.label for label in chart.labels] == hours[::2]
    assert chart.bars[0].label == "<b>x</b>, 00: 1"  # text, drawn as text


def test_console_links_follow_the_roles() -> None:
    tr = catalog("fr")
    agent = links_for(["agent"], tr, "/agent")
    assert [link.href for link in agent] == ["/agent", "/agent/meetings"]
    assert agent[0].current
    nadia = links_for(["supervisor", "agent"], tr, "/agent/supervisor")
    assert [(link.href, link.label, link.current) for link in nadia] == [
        ("/agent", "Console des conseillers", False),
        ("/agent/meetings", "Rendez-vous vidéo", False),
        ("/agent/supervisor", "Vue superviseur", True),
    ]
    admin = links_for(["admin"], tr)
    assert [link.href for link in admin] == ["/agent/claims", "/agent/supervisor"]
