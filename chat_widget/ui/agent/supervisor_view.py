"""What the supervisor page shows, built in one call per view from ``chat_widget.supervision``.

Plain Python (dataclasses the Reflex state assigns as they are): tables with every cell
already written for the screen, chart geometry from :func:`charts.layout`, CSV links. The live
view re-checks the supervisor role in the same database session it reads the figures with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from chat_widget.domain.clock import BANK_ZONE, utcnow
from chat_widget.i18n import catalog
from chat_widget.supervision import Period
from chat_widget.supervision import live_figures as read_live
from chat_widget.supervision import period_report as read_period
from chat_widget.supervision.access import supervisor_of
from chat_widget.supervision.tables import (
    SECONDS,
    Figure,
    Table,
    display_cell,
    live_summary,
    live_tables,
    period_charts,
    period_summary,
    period_tables,
    ratings_note,
)
from chat_widget.ui.components.charts import ChartModel, layout
from chat_widget.web.supervisor_export import export_url


@dataclass
class RowView:
    key: str
    head: str
    cells: list[str] = field(default_factory=list)


@dataclass
class SectionView:
    name: str = ""
    title: str = ""
    help: str = ""
    note: str = ""
    first: str = ""  # the first column's title (row headers)
    columns: list[str] = field(default_factory=list)
    rows: list[RowView] = field(default_factory=list)
    totals: list[RowView] = field(default_factory=list)  # none or one
    charts: list[ChartModel] = field(default_factory=list)
    csv_url: str = ""
    download: str = ""


def _section(
    table: Table, tr: Mapping[str, str], locale: str, query: dict[str, str], **extra: Any
) -> SectionView:
    unit = " " + tr["supervisor.unit.minsec"]
    titles = [c.title + (unit if c.kind == SECONDS else "") for c in table.columns]

    def row(key: str, cells: tuple[Any, ...]) -> RowView:
        shown = [display_cell(v, c.kind, locale) for v, c in zip(cells, table.columns, strict=True)]
        return RowView(key, shown[0], shown[1:])

    return SectionView(
        name=table.name,
        title=table.title,
        first=titles[0],
        columns=titles[1:],
        rows=[row(f"r{i}", cells) for i, cells in enumerate(table.rows)],
        totals=[row("total", table.total)] if table.total else [],
        csv_url=export_url(table.name, {**query, "lang": locale}),
        download=tr["supervisor.download"].format(table=table.title),
        **extra,
    )


@dataclass
class LiveView:
    figures: list[Figure]
    sections: list[SectionView]
    updated: str


@dataclass
class PeriodView:
    figures: list[Figure]
    sections: list[SectionView]


def load_live(session: Session, *, token: str, locale: str) -> LiveView:
    """Re-checks the role (raises like ``supervisor_of``), then reads the live figures."""
    supervisor_of(session=session, token=token)
    tr = catalog(locale)
    live = read_live(session=session, now=utcnow())
    tables = live_tables(live, tr=tr)
    return LiveView(
        figures=list(live_summary(live, tr=tr)),
        sections=[
            _section(tables["queue"], tr, locale, {}),
            _section(tables["agents"], tr, locale, {}, help=tr["supervisor.agents_help"]),
        ],
        updated=tr["supervisor.updated"].format(
            time=live.at.astimezone(BANK_ZONE).strftime("%H:%M:%S")
        ),
    )


def load_period(session: Session, *, period: Period, locale: str) -> PeriodView:
    tr = catalog(locale)
    report = read_period(session=session, since=period.since, until=period.until)
    tables = period_tables(report, tr=tr, locale=locale)
    charts = period_charts(report, tr=tr, locale=locale)
    query = {"from": period.first.isoformat(), "to": period.last.isoformat()}
    notes = {"ratings": ratings_note(report.ratings, tr=tr, locale=locale)}
    description = tr["supervisor.chart_desc"]
    return PeriodView(
        figures=list(period_summary(report, tr=tr, locale=locale)),
        sections=[
            _section(
                table,
                tr,
                locale,
                query,
                help=tr.get(f"supervisor.{name}_help", ""),
                note=notes.get(name, ""),
                charts=[
                    layout(
                        chart_id=f"sv-chart-{c.name}",
                        title=c.title,
                        description=description,
                        categories=c.categories,
                        series=c.series,
                        values=c.values,
                        stacked=c.stacked,
                        unit=c.unit,
                        # The section's heading names a lone chart; two need their own titles.
                        caption=c.title if len(charts[name]) > 1 else "",
                    )
                    for c in charts[name]
                ],
            )
            for name, table in tables.items()
        ],
    )
