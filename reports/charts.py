"""The report's charts as Vega-Lite specifications made with Altair, and their static SVG and PNG
renderings through vl-convert.

Why Vega-Lite: a specification is data (JSON) that travels with the report, so a reader can open
it in any Vega editor and see exactly how a figure was drawn; vl-convert bundles Vega and renders
it without a browser, for print and PDF. Nothing is fetched while rendering: every chart carries
its data inline, vl-convert is told that no base URL is allowed, and text is drawn with the
machine's fonts (no web fonts).

Each chart is built from one or two tables of the :class:`~rightsgraph.reports.model.Report`,
never from the store, so what is drawn is exactly what the tables print. A table that is absent
or empty gives no chart (and the renderers say so).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import networkx as nx
import vl_convert as vlc

from rightsgraph.reports.model import Report, Table
from rightsgraph.reports.text import render_text as text

#: d3 number and time locales by report language (bundled with vl-convert: nothing is fetched).
_LOCALES: dict[str, Any] = {"en": "en-GB", "fr": "fr-FR", "es": "es-ES"}
#: The Vega-Lite version Altair writes (``"6.4"``); vl-convert is asked for the same.
VEGA_LITE_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
#: Fixed seed of the network layouts: the same report draws the same picture every time.
LAYOUT_SEED = 20_301_000
#: Campaign milestones drawn on the members chart (10, 100, 1000 cities and territories).
MILESTONES = (10, 100, 1000)
#: Most series a chart colours before it groups the rest as "other".
MAX_SERIES = 8
#: Most bars per region in the gap chart (the largest shortfalls first).
MAX_GAP_BARS = 8
#: Most regions the gap chart draws (the ones with most initiatives first).
MAX_GAP_PANELS = 8
#: Most rows and columns of the heat map (the groups and categories with most initiatives).
MAX_HEAT_ROWS = 30
MAX_HEAT_COLUMNS = 40
#: Colour-blind-safe palette (Okabe–Ito), for communities and series.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#999999",
)
#: One generic family: vl-convert measures text much faster than with a list of fallbacks.
_FONT = "sans-serif"


class ChartError(Exception):
    """vl-convert could not render a specification (a bug in a chart builder, not bad input)."""


@dataclass(frozen=True)
class Chart:
    """One chart: ``key`` is stable (file names, HTML ids), ``title`` is in the report's
    language, ``tables`` name the tables it draws, ``spec`` is the Vega-Lite specification
    (without ``$schema``: the version is :data:`VEGA_LITE_VERSION`)."""

    key: str
    title: str
    tables: tuple[str, ...]
    spec: dict[str, Any]
    lang: str = "en"
    description: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def svg(self) -> str:
        """The chart as SVG text (cached). Raises :class:`ChartError`."""
        if "svg" not in self._cache:
            self._cache["svg"] = to_svg(self.spec, self.lang)
        return str(self._cache["svg"])

    def svg_inline(self) -> str:
        """The SVG ready to sit in an HTML page beside other charts: ids made unique to this
        chart, the XML declaration dropped, and a title for screen readers."""
        return inline_svg(self.svg(), prefix=f"{self.key}-", title=self.title)

    def png(self, *, scale: float = 2.0) -> bytes:
        """The chart as PNG bytes. Raises :class:`ChartError`."""
        return to_png(self.spec, self.lang, scale=scale)


# -------------------------------------------------------------------------------------------------
# Rendering
# -------------------------------------------------------------------------------------------------


def _vl_version() -> str | None:
    return VEGA_LITE_VERSION if VEGA_LITE_VERSION in vlc.get_vegalite_versions() else None


def to_svg(spec: Mapping[str, Any], lang: str = "en") -> str:
    """Render a Vega-Lite specification to SVG with vl-convert, offline (no URL may be fetched:
    ``allowed_base_urls=[]``). Raises :class:`ChartError` when vl-convert refuses the spec."""
    locale = _LOCALES.get(lang, "en-GB")
    try:
        return str(
            vlc.vegalite_to_svg(
                dict(spec),
                vl_version=_vl_version(),
                allowed_base_urls=[],
                format_locale=locale,
                time_format_locale=locale,
            )
        )
    except ValueError as exc:
        raise ChartError(f"vl-convert could not render the chart: {exc}") from exc


def to_png(spec: Mapping[str, Any], lang: str = "en", *, scale: float = 2.0) -> bytes:
    """Render a Vega-Lite specification to PNG (``scale`` times its size), offline. Raises
    :class:`ChartError`."""
    locale = _LOCALES.get(lang, "en-GB")
    try:
        return bytes(
            vlc.vegalite_to_png(
                dict(spec),
                vl_version=_vl_version(),
                scale=scale,
                allowed_base_urls=[],
                format_locale=locale,
                time_format_locale=locale,
            )
        )
    except ValueError as exc:
        raise ChartError(f"vl-convert could not render the chart: {exc}") from exc


_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(svg: str, *, prefix: str, title: str = "") -> str:
    """``svg`` made safe to inline beside other SVGs in one HTML document: every ``id`` (and
    the ``url(#…)``/``href="#…"`` that point at it) gets ``prefix`` so that two charts' clip
    paths never collide; an XML declaration is dropped; ``title`` becomes the SVG's accessible
    name (``role="img"`` and a ``<title>``)."""
    svg = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", svg)
    for old in sorted(set(_ID.findall(svg)), key=len, reverse=True):
        new = prefix + old
        svg = svg.replace(f'id="{old}"', f'id="{new}"')
        svg = svg.replace(f"url(#{old})", f"url(#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    if title:
        safe = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        svg = re.sub(
            r"<svg\b([^>]*)>",
            lambda m: f'<svg{m.group(1)} role="img" aria-label="{_attr(title)}">'
            f"<title>{safe}</title>",
            svg,
            count=1,
        )
    return svg


def _attr(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


# -------------------------------------------------------------------------------------------------
# Reading tables
# -------------------------------------------------------------------------------------------------


def _find(table: Table, *candidates: str) -> str | None:
    """The first of ``candidates`` that is a column of ``table``."""
    for name in candidates:
        if name in table.columns:
            return name
    return None


def _records(table: Table | None) -> list[dict[str, Any]]:
    return table.records() if table is not None else []


def _num(value: Any) -> float:
    """A cell as a number (``None`` and text that is not a number count as 0)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return 0.0 if isinstance(value, float) and math.isnan(value) else float(value)
    try:
        return float(str(value))
    except (TypeError, ValueError):
        return 0.0


def _label(record: Mapping[str, Any], label: str | None, key: str | None) -> str:
    """The label of a thing in a record (its label column, else the tail of its IRI/code)."""
    if label and record.get(label):
        return str(record[label])
    value = str(record.get(key or "", "") or "")
    return value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or "—"


def _pair(table: Table, stem: str) -> tuple[str | None, str | None]:
    """(key column, label column) of the thing called ``stem`` in ``table`` (``group``,
    ``category``, ``group_a``…)."""
    key = _find(table, stem, f"{stem}_iri", f"{stem}_code", stem.replace("_", ""))
    label = _find(table, f"{stem}_label", f"{stem}label", f"{stem}_name")
    return key, label


def _named(datasets: dict[str, list[dict[str, Any]]], name: str, rows: list[dict[str, Any]]
           ) -> alt.NamedData:
    """Rows a chart draws, as a named dataset: Altair then neither checks nor copies them
    (which costs more than the drawing); :func:`_base_config` puts them in the spec's
    top-level ``datasets``, where Vega-Lite looks names up."""
    datasets[name] = rows
    return alt.NamedData(name=name)


def _base_config(
    spec: alt.TopLevelMixin, datasets: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """The spec as a dict, with the report's fonts and without ``$schema`` (the one outside
    URL Altair writes; the version is :data:`VEGA_LITE_VERSION`). Altair's JSON-schema check
    is skipped: it costs more than drawing, and vl-convert refuses a bad spec anyway
    (:class:`ChartError`), which the tests see for every chart."""
    chart = spec.configure(font=_FONT, aria=False).configure_view(stroke=None)
    out: dict[str, Any] = chart.to_dict(validate=False)
    out.pop("$schema", None)
    out["datasets"] = datasets
    return out


# -------------------------------------------------------------------------------------------------
# The charts
# -------------------------------------------------------------------------------------------------


def heatmap(table: Table, lang: str, *, value: str = "lift") -> Chart | None:
    """Groups × rights categories: colour by lift (observed/expected; 1 is what independence
    predicts) or by count (``value="count"``), the count printed in every cell, tooltips with
    both. Keeps the :data:`MAX_HEAT_ROWS` groups and :data:`MAX_HEAT_COLUMNS` categories with
    most initiatives."""
    datasets: dict[str, list[dict[str, Any]]] = {}
    g_key, g_label = _pair(table, "group")
    c_key, c_label = _pair(table, "category")
    n_col = _find(table, "initiatives", "together", "count", "observed")
    if g_key is None or c_key is None or n_col is None or not table.rows:
        return None
    e_col = _find(table, "expected")
    l_col = _find(table, "lift")
    totals_g: dict[str, float] = defaultdict(float)
    totals_c: dict[str, float] = defaultdict(float)
    cells = []
    for r in table.records():
        group, category = _label(r, g_label, g_key), _label(r, c_label, c_key)
        n = _num(r.get(n_col))
        totals_g[group] += n
        totals_c[category] += n
        cells.append(
            {
                "group": group,
                "category": category,
                "n": n,
                "expected": round(_num(r.get(e_col)), 2) if e_col else None,
                "lift": round(_num(r.get(l_col)), 2) if l_col and r.get(l_col) is not None
                else None,
            }
        )
    rows = [g for g, _ in sorted(totals_g.items(), key=lambda kv: (-kv[1], kv[0]))][
        :MAX_HEAT_ROWS
    ]
    cols = [c for c, _ in sorted(totals_c.items(), key=lambda kv: (-kv[1], kv[0]))][
        :MAX_HEAT_COLUMNS
    ]
    keep_r, keep_c = set(rows), set(cols)
    data = [c for c in cells if c["group"] in keep_r and c["category"] in keep_c]
    by_lift = value == "lift" and l_col is not None
    colour = (
        alt.Color(
            "lift:Q",
            title=text("chart_lift", lang),
            # Lift 1 (chance) in the middle; 3 and more are all "much more often than chance".
            scale=alt.Scale(scheme="blueorange", domain=[0, 1, 3], clamp=True),
        )
        if by_lift
        else alt.Color(
            "n:Q", title=text("chart_initiatives", lang), scale=alt.Scale(scheme="blues")
        )
    )
    tooltip = [
        alt.Tooltip("group:N", title=text("chart_group", lang)),
        alt.Tooltip("category:N", title=text("chart_category", lang)),
        alt.Tooltip("n:Q", title=text("chart_initiatives", lang), format=",d"),
    ]
    if e_col:
        tooltip.append(alt.Tooltip("expected:Q", title=text("chart_expected", lang), format=".1f"))
    if l_col:
        tooltip.append(alt.Tooltip("lift:Q", title=text("chart_lift", lang), format=".2f"))
    x = alt.X("category:N", sort=cols, title=text("chart_category", lang),
              axis=alt.Axis(labelAngle=-45, labelLimit=180, orient="top"))
    y = alt.Y("group:N", sort=rows, title=text("chart_group", lang),
              axis=alt.Axis(labelLimit=200))
    base = alt.Chart(_named(datasets, "cells", data)).encode(x=x, y=y)
    rects = base.mark_rect(stroke="white").encode(color=colour, tooltip=tooltip)
    # White figures on the darkest cells (far below or far above chance), black elsewhere.
    dark = (
        "datum.lift != null && (datum.lift < 0.45 || datum.lift > 2.4)"
        if by_lift
        else f"datum.n > {max((_num(c['n']) for c in data), default=0.0) * 0.6}"
    )
    labels = base.mark_text(fontSize=9).encode(
        text=alt.Text("n:Q", format=",d"),
        color=alt.condition(dark, alt.value("white"), alt.value("#111111")),
        tooltip=tooltip,
    )
    title = text("chart_heatmap_title" if by_lift else "chart_heatmap_count_title", lang)
    spec = alt.layer(rects, labels).properties(
        title=alt.TitleParams(title, subtitle=text("chart_heatmap_subtitle", lang)),
        width=max(200, 18 * len(cols)),
        height=max(120, 18 * len(rows)),
    )
    return Chart(
        key="heatmap" if by_lift else "heatmap-count",
        title=title,
        tables=(table.name,),
        spec=_base_config(spec, datasets),
        lang=lang,
        description=text("chart_heatmap_subtitle", lang),
    )


def network(
    edges: Table, nodes: Table | None, lang: str, *, stem: str, key: str, title_key: str
) -> Chart | None:
    """A co-occurrence network drawn: nodes placed by networkx's ``spring_layout`` (fixed seed
    :data:`LAYOUT_SEED`, weighted by how often two things go together), sized by weighted
    degree and coloured by community (from the ``nodes`` table when there is one), edges as
    lines whose width is the number of initiatives the pair shares."""
    datasets: dict[str, list[dict[str, Any]]] = {}
    a_key, a_label = _pair(edges, f"{stem}_a")
    b_key, b_label = _pair(edges, f"{stem}_b")
    w_col = _find(edges, "together", "initiatives", "count", "weight")
    if a_key is None or b_key is None or w_col is None:
        return None
    l_col = _find(edges, "lift")
    graph = nx.Graph()
    names: dict[str, str] = {}
    for r in edges.records():
        weight = _num(r.get(w_col))
        a, b = str(r.get(a_key)), str(r.get(b_key))
        names.setdefault(a, _label(r, a_label, a_key))
        names.setdefault(b, _label(r, b_label, b_key))
        if a == b or weight <= 0:
            continue
        graph.add_edge(a, b, weight=weight, lift=_num(r.get(l_col)) if l_col else None)
    info: dict[str, dict[str, Any]] = {}
    if nodes is not None:
        n_key, n_label = _pair(nodes, stem)
        d_col = _find(nodes, "weighted_degree", "degree", "strength")
        c_col = _find(nodes, "community", "cluster")
        b_col = _find(nodes, "betweenness")
        if n_key is not None:
            for r in nodes.records():
                k = str(r.get(n_key))
                names.setdefault(k, _label(r, n_label, n_key))
                info[k] = {
                    "degree": _num(r.get(d_col)) if d_col else None,
                    "community": r.get(c_col) if c_col else None,
                    "betweenness": _num(r.get(b_col)) if b_col else None,
                }
    if graph.number_of_nodes() == 0:
        return None
    # k a little above networkx's default 1/sqrt(n) spreads the nodes so that labels overlap less.
    spread = 1.8 / math.sqrt(graph.number_of_nodes())
    positions = nx.spring_layout(
        graph, seed=LAYOUT_SEED, weight="weight", k=spread, iterations=200
    )
    node_rows = []
    for node in sorted(graph.nodes):
        px, py = (float(v) for v in positions[node])
        degree = info.get(node, {}).get("degree")
        if degree is None:
            degree = float(graph.degree(node, weight="weight"))
        community = info.get(node, {}).get("community")
        node_rows.append(
            {
                "name": names.get(node, node),
                "x": round(px, 4),
                "y": round(py, 4),
                "degree": round(float(degree), 2),
                "betweenness": round(float(info.get(node, {}).get("betweenness") or 0.0), 3),
                "community": "—" if community is None else str(community),
            }
        )
    edge_rows = [
        {
            "a": names.get(a, a),
            "b": names.get(b, b),
            "x": round(float(positions[a][0]), 4),
            "y": round(float(positions[a][1]), 4),
            "x2": round(float(positions[b][0]), 4),
            "y2": round(float(positions[b][1]), 4),
            "together": d["weight"],
            "lift": None if d["lift"] is None else round(d["lift"], 2),
        }
        for a, b, d in sorted(graph.edges(data=True))
    ]
    hidden = alt.Axis(labels=False, ticks=False, domain=False, grid=False, title=None)
    scale = alt.Scale(zero=False, nice=False, padding=30)
    x = alt.X("x:Q", axis=hidden, scale=scale)
    y = alt.Y("y:Q", axis=hidden, scale=scale)
    edge_tip = [
        alt.Tooltip("a:N", title=text(f"chart_{stem}", lang)),
        alt.Tooltip("b:N", title=text(f"chart_{stem}", lang)),
        alt.Tooltip("together:Q", title=text("chart_together", lang), format=",d"),
        alt.Tooltip("lift:Q", title=text("chart_lift", lang), format=".2f"),
    ]
    drawn_edges = (
        alt.Chart(_named(datasets, "edges", edge_rows))
        .mark_rule(color="#8a8a8a", opacity=0.55)
        .encode(
            x=x,
            y=y,
            x2="x2:Q",
            y2="y2:Q",
            strokeWidth=alt.StrokeWidth(
                "together:Q", title=text("chart_together", lang),
                scale=alt.Scale(range=[0.5, 6]), legend=None,
            ),
            tooltip=edge_tip,
        )
    )
    node_tip = [
        alt.Tooltip("name:N", title=text(f"chart_{stem}", lang)),
        alt.Tooltip("degree:Q", title=text("chart_weighted_degree", lang), format=",.0f"),
        alt.Tooltip("betweenness:Q", title=text("chart_betweenness", lang), format=".3f"),
        alt.Tooltip("community:N", title=text("chart_community", lang)),
    ]
    drawn_nodes = (
        alt.Chart(_named(datasets, "nodes", node_rows))
        .mark_circle(opacity=0.9, stroke="white", strokeWidth=1)
        .encode(
            x=x,
            y=y,
            size=alt.Size("degree:Q", title=text("chart_weighted_degree", lang),
                          scale=alt.Scale(range=[60, 900])),
            color=alt.Color("community:N", title=text("chart_community", lang),
                            scale=alt.Scale(range=list(PALETTE))),
            tooltip=node_tip,
        )
    )
    drawn_labels = (
        alt.Chart(_named(datasets, "nodes", node_rows))
        .mark_text(dy=-12, fontSize=10, color="#222222", limit=160)
        .encode(x=x, y=y, text="name:N")
    )
    title = text(title_key, lang)
    spec = alt.layer(drawn_edges, drawn_nodes, drawn_labels).properties(
        title=alt.TitleParams(title, subtitle=text("chart_network_subtitle", lang)),
        width=640,
        height=460,
    )
    return Chart(
        key=key,
        title=title,
        tables=tuple(t.name for t in (edges, nodes) if t is not None),
        spec=_base_config(spec, datasets),
        lang=lang,
        description=text("chart_network_subtitle", lang),
    )


def gaps(table: Table, lang: str) -> Chart | None:
    """Gaps per region: for each region, the rights categories (and groups) whose share of the
    region's initiatives falls furthest below their share of the whole campaign, as bars in
    percentage points (negative: under-served there). One panel per region."""
    datasets: dict[str, list[dict[str, Any]]] = {}
    r_key, r_label = _pair(table, "region")
    if r_key is None:
        r_key, r_label = _pair(table, "country")
    c_key, c_label = _pair(table, "concept")
    if c_key is None:
        c_key, c_label = _pair(table, "item")
    if c_key is None:
        c_key, c_label = _pair(table, "category")
    gap_col = _find(table, "gap", "difference")
    share_col = _find(table, "share")
    campaign_col = _find(table, "campaign_share", "overall_share")
    n_col = _find(table, "initiatives", "count")
    kind_col = _find(table, "kind", "dimension", "type")
    if r_key is None or c_key is None or (gap_col is None and not (share_col and campaign_col)):
        return None
    panels: dict[str, list[dict[str, Any]]] = defaultdict(list)
    sizes: dict[str, float] = defaultdict(float)
    for r in table.records():
        region = _label(r, r_label, r_key)
        share = _num(r.get(share_col)) if share_col else None
        overall = _num(r.get(campaign_col)) if campaign_col else None
        gap = _num(r.get(gap_col)) if gap_col else (share or 0.0) - (overall or 0.0)
        scale = 100.0  # shares are fractions (0.125); the chart speaks in percentage points
        kind = str(r.get(kind_col) or "") if kind_col else ""
        name = _label(r, c_label, c_key)
        panels[region].append(
            {
                "region": region,
                "item": f"{name}" if not kind else f"{name} ({_kind(kind, lang)})",
                "gap": round(gap * scale, 1),
                "share": None if share is None else round(share * scale, 1),
                "campaign": None if overall is None else round(overall * scale, 1),
                "n": _num(r.get(n_col)) if n_col else None,
                "sign": text("chart_below" if gap < 0 else "chart_above", lang),
            }
        )
        sizes[region] += _num(r.get(n_col)) if n_col else 1.0
    regions = [k for k, _ in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))][
        :MAX_GAP_PANELS
    ]
    data: list[dict[str, Any]] = []
    for region in regions:
        worst = sorted(panels[region], key=lambda d: (d["gap"], d["item"]))[:MAX_GAP_BARS]
        data.extend(d for d in worst if d["gap"] < 0)
    if not data:
        return None
    tooltip = [
        alt.Tooltip("region:N", title=text("chart_region", lang)),
        alt.Tooltip("item:N", title=text("chart_item", lang)),
        alt.Tooltip("share:Q", title=text("chart_share_here", lang), format=".1f"),
        alt.Tooltip("campaign:Q", title=text("chart_share_campaign", lang), format=".1f"),
        alt.Tooltip("gap:Q", title=text("chart_gap_pp", lang), format="+.1f"),
    ]
    bars = (
        alt.Chart(_named(datasets, "rows", data))
        .mark_bar(color=PALETTE[5])
        .encode(
            x=alt.X("gap:Q", title=text("chart_gap_pp", lang)),
            y=alt.Y("item:N", sort="x", title=None, axis=alt.Axis(labelLimit=220)),
            tooltip=tooltip,
        )
        .properties(width=260, height=alt.Step(16))
    )
    title = text("chart_gaps_title", lang)
    spec = (
        bars.facet(
            facet=alt.Facet("region:N", title=None, sort=regions,
                            header=alt.Header(labelFontWeight="bold", labelFontSize=12)),
            columns=2,
        )
        .resolve_scale(y="independent")
        .properties(title=alt.TitleParams(title, subtitle=text("chart_gaps_subtitle", lang)))
    )
    return Chart(
        key="gaps-by-region",
        title=title,
        tables=(table.name,),
        spec=_base_config(spec, datasets),
        lang=lang,
        description=text("chart_gaps_subtitle", lang),
    )


def _kind(kind: str, lang: str) -> str:
    k = kind.lower()
    if k.startswith("cat") or k.startswith("right"):
        return text("chart_kind_category", lang)
    if k.startswith("group"):
        return text("chart_kind_group", lang)
    return kind


def trend(table: Table, lang: str) -> Chart | None:
    """Initiatives started per year by rights category: stacked bars, the :data:`MAX_SERIES`
    categories with most initiatives in colour and the rest as "other"."""
    datasets: dict[str, list[dict[str, Any]]] = {}
    y_col = _find(table, "year", "start_year")
    c_key, c_label = _pair(table, "category")
    n_col = _find(table, "initiatives", "count")
    if y_col is None or n_col is None or not table.rows:
        return None
    totals: dict[str, float] = defaultdict(float)
    raw = []
    for r in table.records():
        if r.get(y_col) in (None, ""):
            continue
        cat = _label(r, c_label, c_key) if c_key else text("chart_all", lang)
        n = _num(r.get(n_col))
        totals[cat] += n
        raw.append((int(_num(r.get(y_col))), cat, n))
    if not raw:
        return None
    top = [c for c, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))][:MAX_SERIES]
    other = text("chart_other", lang)
    merged: dict[tuple[int, str], float] = defaultdict(float)
    for year, cat, n in raw:
        merged[(year, cat if cat in top else other)] += n
    order = top + ([other] if any(c == other for _, c in merged) else [])
    data = [
        {"year": y, "category": c, "n": n, "rank": order.index(c)}
        for (y, c), n in sorted(merged.items())
    ]
    spec = (
        alt.Chart(_named(datasets, "rows", data))
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=text("chart_year", lang), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(n):Q", title=text("chart_initiatives_started", lang)),
            color=alt.Color("category:N", title=text("chart_category", lang), sort=order,
                            scale=alt.Scale(domain=order, range=list(PALETTE)[: len(order)])),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("year:O", title=text("chart_year", lang)),
                alt.Tooltip("category:N", title=text("chart_category", lang)),
                alt.Tooltip("n:Q", title=text("chart_initiatives", lang), format=",d"),
            ],
        )
        .properties(
            title=text("chart_trend_title", lang),
            width=max(320, 28 * len({d["year"] for d in data})),
            height=260,
        )
    )
    return Chart(
        key="trend-by-year",
        title=text("chart_trend_title", lang),
        tables=(table.name,),
        spec=_base_config(spec, datasets),
        lang=lang,
    )


def members(table: Table, lang: str) -> Chart | None:
    """Members per campaign wave, cumulative, against the 10/100/1000 milestones (a log-like
    scale so that 10 and 1000 both show)."""
    datasets: dict[str, list[dict[str, Any]]] = {}
    w_col = _find(table, "wave", "wave_number")
    wl_col = _find(table, "wave_label")
    n_col = _find(table, "members", "joined", "new_members")
    c_col = _find(table, "cumulative", "total", "members_cumulative")
    if w_col is None or (n_col is None and c_col is None) or not table.rows:
        return None
    data = []
    running = 0.0
    for r in sorted(table.records(), key=lambda r: _num(r.get(w_col))):
        joined = _num(r.get(n_col)) if n_col else 0.0
        running = _num(r.get(c_col)) if c_col else running + joined
        wave = r.get(wl_col) if wl_col and r.get(wl_col) else r.get(w_col)
        data.append(
            {
                "wave": "—" if wave is None else str(wave),
                "joined": joined,
                "cumulative": running,
            }
        )
    waves: list[str] = [str(d["wave"]) for d in data]
    y_scale = alt.Scale(type="symlog", domain=[0, 1200])
    bars = (
        alt.Chart(_named(datasets, "rows", data))
        .mark_bar(color=PALETTE[0])
        .encode(
            x=alt.X("wave:N", sort=waves, title=text("chart_wave", lang),
                    axis=alt.Axis(labelAngle=0)),
            y=alt.Y("cumulative:Q", title=text("chart_members_cumulative", lang), scale=y_scale,
                    axis=alt.Axis(values=[0, 1, 10, 100, 1000], format=",d")),
            tooltip=[
                alt.Tooltip("wave:N", title=text("chart_wave", lang)),
                alt.Tooltip("joined:Q", title=text("chart_members_joined", lang), format=",d"),
                alt.Tooltip("cumulative:Q", title=text("chart_members_cumulative", lang),
                            format=",d"),
            ],
        )
    )
    values = bars.mark_text(dy=-6, fontSize=10, color="#222222").encode(
        text=alt.Text("cumulative:Q", format=",d")
    )
    marks = [
        {"target": m, "label": text("chart_milestone", lang, n=m)} for m in MILESTONES
    ]
    rules = (
        alt.Chart(_named(datasets, "milestones", marks))
        .mark_rule(color=PALETTE[5], strokeDash=[4, 3])
        .encode(y=alt.Y("target:Q", scale=y_scale))
    )
    rule_labels = (
        alt.Chart(_named(datasets, "milestones", marks))
        .mark_text(align="left", dx=4, dy=-6, color=PALETTE[5], fontSize=10)
        .encode(y=alt.Y("target:Q", scale=y_scale), x=alt.value(0), text="label:N")
    )
    title = text("chart_members_title", lang)
    spec = alt.layer(bars, values, rules, rule_labels).properties(
        title=alt.TitleParams(title, subtitle=text("chart_members_subtitle", lang)),
        width=max(280, 60 * len(data)),
        height=260,
    )
    return Chart(
        key="members-by-wave",
        title=title,
        tables=(table.name,),
        spec=_base_config(spec, datasets),
        lang=lang,
        description=text("chart_members_subtitle", lang),
    )


def _nonempty(report: Report, name: str) -> Table | None:
    table = report.tables.get(name)
    return table if table is not None and table.rows else None


def report_charts(report: Report) -> list[Chart]:
    """Every chart the report's tables allow, in reading order: the heat map of groups ×
    categories, the group and category networks, the gaps per region, the timeline and the
    members per wave. Tables that are missing or empty give no chart."""
    lang = report.lang
    charts: list[Chart | None] = []
    if (t := _nonempty(report, "group_category")) is not None:
        charts.append(heatmap(t, lang))
    if (t := _nonempty(report, "group_cooccurrence")) is not None:
        charts.append(
            network(t, report.tables.get("group_network"), lang, stem="group",
                    key="group-network", title_key="chart_group_network_title")
        )
    if (t := _nonempty(report, "category_cooccurrence")) is not None:
        charts.append(
            network(t, report.tables.get("category_network"), lang, stem="category",
                    key="category-network", title_key="chart_category_network_title")
        )
    if (t := _nonempty(report, "gaps_by_region")) is not None:
        charts.append(gaps(t, lang))
    if (t := _nonempty(report, "trend_by_year")) is not None:
        charts.append(trend(t, lang))
    if (t := _nonempty(report, "members_by_wave")) is not None:
        charts.append(members(t, lang))
    drawn = [c for c in charts if c is not None]
    draw_svgs(drawn)
    return drawn


def draw_svgs(charts: Sequence[Chart]) -> None:
    """Render (and cache) every chart's SVG, two at a time: vl-convert renders without the GIL,
    so on two cores the report's charts take about half the time. Raises :class:`ChartError`."""
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="report-chart") as pool:
        for future in [pool.submit(chart.svg) for chart in charts]:
            future.result()


def charts_by_table(charts: Iterable[Chart]) -> dict[str, list[Chart]]:
    """Charts keyed by the first table each draws (where the renderers place them)."""
    out: dict[str, list[Chart]] = defaultdict(list)
    for chart in charts:
        out[chart.tables[0]].append(chart)
    return dict(out)


def keys(charts: Sequence[Chart]) -> list[str]:
    return [c.key for c in charts]
