"""The web UI: home, query editor, browse pages and search, in English, French and Spanish.

Every figure on these pages is a SPARQL aggregate run through the query engine (so the pages obey
the same deadlines and row caps as the endpoint); values from the request reach the queries only
as typed terms through ``substitutions``, never pasted into the text (the only terms written into
a text are this module's constants and IRIs the store has just returned, serialised by
pyoxigraph).

The same SPARQL runs on the embedded store and on Virtuoso 7.2.5 (``serve --endpoint``) and
gives the same pages: parameters stay outside sub-SELECTs (the remote store binds them there
only) and are projected (both backends bind only projected variables); labels of the concepts
(countries, regions, levels, statuses, types) are read once and joined here rather than with
label patterns per row (Virtuoso refuses such queries as too costly); and rows are ordered here
when the order is by an aggregate's alias, which Virtuoso does not order as pyoxigraph does.
See docs/decisions/0006 for the engine's other quirks. Templates are Jinja2 with autoescaping
on, because labels are user-submitted. Entity links point at the IRI's path on this service,
where the linked-data router answers (``/id/territory/es-barcelona``, ``/vocab/rights/housing``).

The front-end libraries are committed under ``static/vendor/`` (``make vendor``): nothing is
loaded from a CDN. The only outside URL a page names is the OpenStreetMap tile template, and the
map works without it (circle markers over a land outline shipped with the page).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, StrictUndefined

from rightsgraph import iri
from rightsgraph.errors import InputError
from rightsgraph.namespaces import prefixes
from rightsgraph.queries.catalog import NamedQuery, catalog
from rightsgraph.service.deps import EngineDep, SettingsDep
from rightsgraph.service.engine import QueryEngine
from rightsgraph.service.i18n import LANGUAGES, request_language
from rightsgraph.service.routers.sparql import CAPPED_HEADER
from rightsgraph.service.settings import Settings
from rightsgraph.service.ui_text import LANGUAGE_NAMES, translator
from rightsgraph.store.base import SelectResult, Term

router = APIRouter(tags=["pages"])

#: OpenStreetMap's tile URL template: the one outside address a page names (see the module doc).
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
#: The attribution OpenStreetMap's tile usage policy asks for, with its required link.
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
#: Rows per page of the initiatives list.
PAGE_SIZE = 50
#: Most rows any page asks for: pages are for reading, the endpoint is for bulk.
PAGE_MAX_ROWS = 5000
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
_TERRITORY_KEY = re.compile(r"^(example/)?[a-z]{2}-[a-z0-9][a-z0-9-]{0,80}$")
_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

HtmlQuery = Annotated[str | None, Query(max_length=100)]


# -------------------------------------------------------------------------------------------------
# Static files and templates
# -------------------------------------------------------------------------------------------------


def static_dir() -> Path:
    """The packaged ``static/`` folder (CSS, JS, vendored libraries)."""
    return Path(str(files("rightsgraph.service") / "static"))


def mount_static(app: FastAPI) -> None:
    """Serve ``/static`` from the package. A router cannot mount an app, so ``create_app`` calls
    this once. Raises ``RuntimeError`` when the folder is missing from the installation."""
    app.mount("/static", StaticFiles(directory=static_dir(), check_dir=True), name="static")


def offline_docs(app: FastAPI, path: str = "/docs") -> None:
    """Serve the OpenAPI documentation with the vendored Swagger UI instead of FastAPI's default
    page, which loads Swagger UI from a CDN. Call on an app built with ``docs_url=None`` (and
    ``redoc_url=None``: ReDoc too comes from a CDN), after :func:`mount_static`."""
    from fastapi.openapi.docs import get_swagger_ui_html

    openapi_url = app.openapi_url or "/openapi.json"

    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
            # The validator badge would load an image from validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None},
        )

    app.add_api_route(path, docs, include_in_schema=False, response_class=HTMLResponse)


@lru_cache(maxsize=1)
def templates() -> Environment:
    """The Jinja2 environment: autoescaping always on (labels are user-submitted), and a
    missing variable is an error rather than an empty string."""
    env = Environment(
        loader=PackageLoader("rightsgraph.service", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = thousands
    return env


def thousands(number: object, lang: str) -> str:
    """A whole number as each language writes it: 1,000 (en), 1 000 (fr, narrow no-break
    space), 1000 and 10 000 (es: no separator in four-digit numbers)."""
    try:
        value = int(str(number))
    except ValueError:
        return str(number)
    if lang == "en":
        return f"{value:,}"
    if lang == "es" and abs(value) < 10_000:
        return str(value)
    return f"{value:,}".replace(",", "\u202f")


def _render(request: Request, template: str, lang: str, **context: Any) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    base = _base(settings)
    params = {k: v for k, v in request.query_params.items() if k != "lang"}

    def url_with(**changes: object) -> str:
        """This page's URL with some query parameters changed (``None`` removes one)."""
        merged: dict[str, object] = {**params, "lang": lang}
        for key, value in changes.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return request.url.path + "?" + urlencode(merged)

    def link(target: str | None) -> str | None:
        """The local path of an IRI under the base, with the page's language; else ``None``."""
        if not target or not target.startswith(base):
            return None
        return "/" + target[len(base) :] + "?" + urlencode({"lang": lang})

    def href(path: str, **query: object) -> str:
        return path + "?" + urlencode({**{k: v for k, v in query.items() if v is not None},
                                       "lang": lang})

    switch = [
        {"code": code, "name": LANGUAGE_NAMES[code], "url": url_with(lang=code),
         "current": code == lang}
        for code in LANGUAGES
    ]
    html = templates().get_template(template).render(
        lang=lang,
        _=translator(lang),
        languages=switch,
        url_with=url_with,
        link=link,
        href=href,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(
        html,
        headers={"Content-Language": lang, "Vary": "Accept-Language"},
    )


# -------------------------------------------------------------------------------------------------
# Running queries
# -------------------------------------------------------------------------------------------------


def _base(settings: Settings) -> str:
    return settings.base_iri if settings.base_iri.endswith("/") else settings.base_iri + "/"


_PREFIXES = """PREFIX rg: <https://w3id.org/rightsgraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#>
"""


def _label(var: str, out: str, predicate: str = "skos:prefLabel|rdfs:label") -> str:
    """OPTIONAL patterns for the label of ``?var`` in the page's language (``?lang``), else in
    English, else in any language; select it with :func:`_pick`."""
    return f"""
  OPTIONAL {{ ?{var} {predicate} ?{out}_1 . FILTER(LANG(?{out}_1) = ?lang) }}
  OPTIONAL {{ ?{var} {predicate} ?{out}_2 . FILTER(LANG(?{out}_2) = "en") }}
  OPTIONAL {{ ?{var} {predicate} ?{out}_3 . FILTER(!BOUND(?{out}_1) && !BOUND(?{out}_2)) }}"""


def _pick(out: str) -> str:
    return f"(SAMPLE(COALESCE(?{out}_1, ?{out}_2, ?{out}_3)) AS ?{out})"


def _no_examples(var: str) -> str:
    return f"FILTER NOT EXISTS {{ ?{var} rg:isExample true }}"


Row = dict[str, Any]


def _run(
    engine: QueryEngine,
    settings: Settings,
    text: str,
    substitutions: Mapping[str, Term] | None = None,
) -> tuple[list[Row], bool]:
    """Rows of a SELECT as dicts of Python values (IRIs and strings as ``str``, integers as
    ``int``, absent as ``None``) and whether the engine capped the answer. Raises what
    :meth:`QueryEngine.query` raises (syntax, evaluation, deadline)."""
    result = engine.query(
        iri.rebase(_PREFIXES + text, base=_base(settings)),
        substitutions=substitutions,
        max_rows=min(PAGE_MAX_ROWS, settings.max_rows),
    )
    if not isinstance(result, SelectResult):
        raise TypeError("the pages only run SELECT queries")
    rows = [
        {name: _python(term) for name, term in zip(result.variables, row, strict=True)}
        for row in result.rows
    ]
    return rows, result.capped


def _python(term: Term | None) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        if term.datatype == _XSD_INTEGER:
            try:
                return int(term.value)
            except ValueError:
                return term.value
        return term.value
    return term.value


def _lang(lang: str) -> dict[str, Term]:
    return {"lang": ox.Literal(lang)}


def _concept(settings: Settings, scheme: str, code: str | None, name: str) -> ox.NamedNode | None:
    """The IRI of a concept from a code given in the URL. Raises ``InputError`` for a code
    that is not a concept code."""
    if code is None or code == "":
        return None
    if not _CODE.match(code):
        raise InputError(f"{name}: {code!r} is not a code (lower-case letters, digits and -)")
    return ox.NamedNode(f"{_base(settings)}vocab/{scheme}/{code}")


def _tail(value: str | None) -> str | None:
    return value.rsplit("/", 1)[-1] if value else None


# -------------------------------------------------------------------------------------------------
# Home
# -------------------------------------------------------------------------------------------------

#: Stands for "no UCLG region recorded" in the counts by region (never stored).
NO_REGION = "urn:x-rightsgraph:no-region"
_WITHDRAWN = "<https://w3id.org/rightsgraph/vocab/membership-status/withdrawn>"
_METROPOLIS = "<https://w3id.org/rightsgraph/vocab/uclg-regions/metropolis>"
_MEMBER = (
    "?membership a rg:Membership ; rg:member ?territory ; rg:membershipStatus ?status . "
    f"FILTER(?status != {_WITHDRAWN})"
)


def _home_queries(examples: bool) -> dict[str, str]:
    ex_t = "" if examples else _no_examples("territory")
    ex_i = "" if examples else _no_examples("initiative")
    return {
        "totals": f"""
SELECT ?territories ?members ?undated ?initiatives ?examples WHERE {{
  {{ SELECT (COUNT(DISTINCT ?territory) AS ?territories) WHERE {{
      ?territory a rg:Territory . {ex_t} }} }}
  {{ SELECT (COUNT(DISTINCT ?territory) AS ?members) WHERE {{ {_MEMBER} {ex_t} }} }}
  {{ SELECT (COUNT(DISTINCT ?territory) AS ?undated) WHERE {{
      {_MEMBER} {ex_t} FILTER NOT EXISTS {{ ?membership rg:joinedOn ?joined }} }} }}
  {{ SELECT (COUNT(DISTINCT ?initiative) AS ?initiatives) WHERE {{
      ?initiative a rg:Initiative . {ex_i} }} }}
  {{ SELECT (COUNT(DISTINCT ?territory) AS ?examples) WHERE {{
      ?territory a rg:Territory ; rg:isExample true . }} }}
}}""",
        "timeline": f"""
SELECT ?month (COUNT(DISTINCT ?territory) AS ?joined) WHERE {{
  {_MEMBER} {ex_t}
  ?membership rg:joinedOn ?date .
  BIND(SUBSTR(STR(?date), 1, 7) AS ?month)
}}
GROUP BY ?month ORDER BY ?month""",
        "milestones": f"""
SELECT ?milestone ?target ?date ?lang {_pick("label")} WHERE {{
  ?campaign rg:milestone ?milestone .
  ?milestone rg:targetCount ?target .
  OPTIONAL {{ ?milestone rg:targetDate ?date }}
  {_label("milestone", "label")}
}}
GROUP BY ?milestone ?target ?date ?lang ORDER BY ?target""",
        # Counted by region in one pass: a territory without a region (the Metropolis section
        # aside) counts under NO_REGION; the regions and their labels come from _REGIONS.
        # (The first form, a UNION of the regions and a branch with BIND(<NO_REGION>), gave
        # every row the same region on Virtuoso 7.2.5.)
        "regions": f"""
SELECT ?region (COUNT(DISTINCT ?territory) AS ?territories)
       (COUNT(DISTINCT ?member) AS ?members) (COUNT(DISTINCT ?initiative) AS ?initiatives)
WHERE {{
  ?territory a rg:Territory . {ex_t}
  OPTIONAL {{ ?territory rg:uclgRegion ?someRegion . FILTER(?someRegion != {_METROPOLIS}) }}
  BIND(COALESCE(?someRegion, <{NO_REGION}>) AS ?region)
  OPTIONAL {{ ?membership rg:member ?territory ; rg:membershipStatus ?status .
             FILTER(?status != {_WITHDRAWN}) BIND(?territory AS ?member) }}
  OPTIONAL {{ ?initiative rg:ledBy ?territory }}
}}
GROUP BY ?region""",
        "points": f"""
SELECT ?territory ?lat ?long ?country ?example ?status ?initiatives ?lang {_pick("label")}
       {_pick("statusLabel")} WHERE {{
  {{ SELECT ?territory ?lat ?long (COUNT(DISTINCT ?initiative) AS ?initiatives) WHERE {{
      ?territory a rg:Territory ; wgs:lat ?lat ; wgs:long ?long . {ex_t}
      OPTIONAL {{ ?initiative rg:ledBy ?territory }}
    }} GROUP BY ?territory ?lat ?long }}
  OPTIONAL {{ ?territory rg:countryCode ?country }}
  OPTIONAL {{ ?territory rg:isExample ?example }}
  OPTIONAL {{ ?membership rg:member ?territory ; rg:membershipStatus ?status .
             {_label("status", "statusLabel")} }}
  {_label("territory", "label", "rdfs:label")}
}}
GROUP BY ?territory ?lat ?long ?country ?example ?status ?initiatives ?lang""",
        # The 8 latest start days up to today: the 8 latest initiatives started on them, so
        # "recent" labels only those (labelling every initiative to sort them took most of
        # the page's time at 1,000 territories).
        "days": f"""
SELECT DISTINCT ?day ?today WHERE {{
  ?initiative schema:startDate ?date ; a rg:Initiative . {ex_i}
  BIND(STR(?date) AS ?day)
  FILTER(?day <= ?today)
}}
ORDER BY DESC(?day)
LIMIT 8""",
        # Not grouped: Virtuoso 7.2.5 does not order by an aggregate's alias (?title) as
        # pyoxigraph does, and LIMIT then keeps other initiatives. By the title's text: it
        # orders labels in different languages by their tag first.
        "recent": f"""
SELECT ?initiative ?start ?leader ?example ?today ?since ?lang ?title ?leaderLabel
WHERE {{
  {{ ?initiative schema:startDate ?start .
     FILTER(STR(?start) <= ?today && STR(?start) >= ?since) }}
  ?initiative a rg:Initiative . {ex_i}
{_LATEST}""",
        # The same with the initiatives without a start date, when fewer than 8 days have one.
        "latest": f"""
SELECT ?initiative ?start ?leader ?example ?today ?lang ?title ?leaderLabel
WHERE {{
  ?initiative a rg:Initiative . {ex_i}
  OPTIONAL {{ ?initiative schema:startDate ?start }}
  FILTER(!BOUND(?start) || STR(?start) <= ?today)
{_LATEST}""",
    }


#: The end of the queries of the latest initiatives: leader, labels and order.
_LATEST = f"""
  OPTIONAL {{ ?initiative rg:ledBy ?leader . {_label("leader", "leaderLabel")} }}
  OPTIONAL {{ ?initiative rg:isExample ?example }}
  {_label("initiative", "title")}
  BIND(COALESCE(?title_1, ?title_2, ?title_3) AS ?title)
  BIND(COALESCE(?leaderLabel_1, ?leaderLabel_2, ?leaderLabel_3) AS ?leaderLabel)
}}
ORDER BY DESC(STR(?start)) STR(?title) ?initiative
LIMIT 8"""


#: Colours of the membership statuses, on the map and in its legend (colour-blind safe).
STATUS_COLOURS = {
    "confirmed": "#1b7837",
    "form-received": "#2166ac",
    "pledge-received": "#e08214",
    "withdrawn": "#8c8c8c",
    "": "#762a83",
}


@dataclass
class Chart:
    """A log-scale chart of members over time against the milestones, drawn as SVG by the
    template from the coordinates computed here (no JavaScript, so it renders anywhere)."""

    width: int = 760
    height: int = 330
    left: int = 52
    right: int = 150
    top: int = 18
    bottom: int = 36
    start: date = date(2022, 1, 1)
    end: date = date(2031, 1, 1)
    members_path: str = ""
    member_points: list[dict[str, Any]] = field(default_factory=list)
    y_ticks: list[dict[str, Any]] = field(default_factory=list)
    x_ticks: list[dict[str, Any]] = field(default_factory=list)
    milestones: list[dict[str, Any]] = field(default_factory=list)
    today: dict[str, Any] = field(default_factory=dict)

    @property
    def plot_right(self) -> float:
        return self.width - self.right

    @property
    def plot_bottom(self) -> float:
        return self.height - self.bottom

    def x(self, day: date) -> float:
        span = (self.end - self.start).days
        offset = min(max((day - self.start).days, 0), span)
        return round(self.left + offset / span * (self.plot_right - self.left), 1)

    def y(self, count: float) -> float:
        """Log scale from 1 (bottom) to 1000 (top); counts below 1 sit on the bottom."""
        share = math.log10(max(count, 1)) / 3
        return round(self.plot_bottom - min(share, 1.0) * (self.plot_bottom - self.top), 1)


def _parse_date(text: str | None, *, end_of_year: bool = False) -> date | None:
    """A date from ``xsd:date`` or ``xsd:gYear`` text (a year alone means its last day when
    ``end_of_year``: "by 2030")."""
    if not text:
        return None
    try:
        if re.fullmatch(r"\d{4}", text):
            return date(int(text), 12, 31) if end_of_year else date(int(text), 1, 1)
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def build_chart(
    timeline: list[Row], milestones: list[Row], total: int, today: date, _: Callable[..., str]
) -> Chart:
    """Lay out the chart: the cumulative members by joining month as a step line, the
    milestones as dashed targets (with a marker on their date when they have one), and today's
    total (which counts members without a joining date too)."""
    chart = Chart()
    if today >= chart.end:
        chart.end = date(today.year + 1, 1, 1)
    chart.y_ticks = [
        {"value": v, "y": chart.y(v), "major": v in (1, 10, 100, 1000)}
        for v in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
    ]
    chart.x_ticks = [
        {"label": str(year), "x": chart.x(date(year, 1, 1))}
        for year in range(chart.start.year, chart.end.year + 1)
    ]
    cumulative = 0
    points: list[tuple[float, float]] = []
    for row in timeline:
        month = _parse_date(f"{row['month']}-01") if row.get("month") else None
        if month is None:
            continue
        cumulative += int(row["joined"] or 0)
        x, y = chart.x(month), chart.y(cumulative)
        if points:
            points.append((x, points[-1][1]))
        points.append((x, y))
        chart.member_points.append(
            {"x": x, "y": y, "month": row["month"], "joined": row["joined"], "total": cumulative}
        )
    if points:
        points.append((chart.x(today), points[-1][1]))
        chart.members_path = "M" + " L".join(f"{x},{y}" for x, y in points)
    chart.today = {
        "x": chart.x(today),
        "y": chart.y(total),
        "total": total,
        "label": _("chart_now", n=total),
    }
    for row in milestones:
        target = int(row["target"])
        when = _parse_date(row.get("date"), end_of_year=True)
        chart.milestones.append(
            {
                "target": target,
                "y": chart.y(target),
                "label": row.get("label") or str(target),
                "x": chart.x(when) if when else None,
                "date": row.get("date"),
                "reached": total >= target,
            }
        )
    return chart


@router.get("/", response_class=HTMLResponse, operation_id="page_home", include_in_schema=False)
def home(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    examples: Annotated[str, Query(pattern="^(0|1)$")] = "1",
) -> HTMLResponse:
    """The home page: campaign progress, map, counts by region, latest initiatives, search."""
    lang = request_language(request)
    _ = translator(lang)
    show_examples = examples == "1"
    today = date.today()
    queries = _home_queries(show_examples)
    subs = _lang(lang)
    totals = _run(engine, settings, queries["totals"])[0][0]
    timeline, _capped = _run(engine, settings, queries["timeline"])
    milestones, _capped = _run(engine, settings, queries["milestones"], subs)
    counted, _capped = _run(engine, settings, queries["regions"])
    regions = _region_rows(counted, _run(engine, settings, _REGIONS, subs)[0])
    points, _capped = _run(engine, settings, queries["points"], subs)
    dated = {"today": ox.Literal(today.isoformat())}
    days, _capped = _run(engine, settings, queries["days"], dated)
    if len(days) == 8:
        since = {**subs, **dated, "since": ox.Literal(str(days[-1]["day"]))}
        latest, _capped = _run(engine, settings, queries["recent"], since)
    else:
        latest, _capped = _run(engine, settings, queries["latest"], {**subs, **dated})
    members = int(totals["members"] or 0)
    chart = build_chart(timeline, milestones, members, today, _)
    progress = [
        {
            "target": m["target"],
            "label": m["label"],
            "date": m["date"],
            "percent": min(100.0, round(100 * members / m["target"], 1)),
            "reached": m["reached"],
        }
        for m in chart.milestones
    ]
    base = _base(settings)
    map_points = [
        {
            "lat": float(p["lat"]),
            "lon": float(p["long"]),
            "label": p["label"] or _tail(p["territory"]),
            "country": p["country"],
            "url": ("/" + p["territory"][len(base) :] + "?lang=" + lang)
            if p["territory"].startswith(base)
            else None,
            "status": _tail(p["status"]) or "",
            "statusLabel": p["statusLabel"] or _("map_no_status"),
            "initiatives": p["initiatives"],
            "example": p["example"] == "true",
        }
        for p in sorted(points, key=lambda p: str(p["territory"]))
        if _is_number(p["lat"]) and _is_number(p["long"])
    ]
    legend = [
        {"code": code, "colour": colour, "label": label}
        for code, colour in STATUS_COLOURS.items()
        if (label := next((p["statusLabel"] for p in map_points if p["status"] == code), None))
    ]
    return _render(
        request,
        "page_home.html",
        lang,
        totals=totals,
        members=members,
        chart=chart,
        timeline=chart.member_points,
        progress=progress,
        regions=regions,
        no_region=NO_REGION,
        latest=latest,
        map_points=map_points,
        map_missing=max(int(totals["territories"] or 0) - len(map_points), 0),
        legend=legend,
        status_colours=STATUS_COLOURS,
        show_examples=show_examples,
        tiles=OSM_TILES,
        attribution=OSM_ATTRIBUTION,
    )


def _region_rows(counted: list[Row], labelled: list[Row]) -> list[Row]:
    """The rows of the counts by region: every UCLG region but Metropolis (zero when it has no
    territory) and the "no region" row when a territory has none, by territories (most first)
    then label, as ``ORDER BY DESC(?territories) ?label`` orders them on pyoxigraph."""
    counts = {row["region"]: row for row in counted}
    zero = {"territories": 0, "members": 0, "initiatives": 0}
    rows: list[Row] = []
    for region in labelled:
        if "<" + region["region"] + ">" == _METROPOLIS:
            continue
        found = counts.get(region["region"], zero)
        rows.append({**zero, **found, "region": region["region"], "label": region["label"]})
    if NO_REGION in counts:
        rows.append({**counts[NO_REGION], "label": None})
    rows.sort(key=lambda r: (-int(r["territories"] or 0), _ordered(r["label"])))
    return rows


def _is_number(text: Any) -> bool:
    try:
        return math.isfinite(float(text))
    except (TypeError, ValueError):
        return False


# -------------------------------------------------------------------------------------------------
# Search
# -------------------------------------------------------------------------------------------------

#: Ordered by the label's text, not by the ?label alias: Virtuoso 7.2.5 orders the alias of
#: an aggregate otherwise (language tag first); the IRI breaks ties alike on both backends.
_SEARCH = f"""
SELECT ?kind ?item ?example ?q ?lang {_pick("label")} WHERE {{
  {{ ?item a rg:Territory . BIND("territory" AS ?kind) }}
  UNION
  {{ ?item a rg:Initiative . BIND("initiative" AS ?kind) }}
  ?item rdfs:label|skos:altLabel|dcterms:description ?text .
  FILTER(CONTAINS(LCASE(STR(?text)), LCASE(?q)))
  OPTIONAL {{ ?item rg:isExample ?example }}
  {_label("item", "label")}
}}
GROUP BY ?kind ?item ?example ?q ?lang
ORDER BY DESC(?kind) STR(SAMPLE(COALESCE(?label_1, ?label_2, ?label_3))) ?item
LIMIT 200"""


@router.get("/search", response_class=HTMLResponse, operation_id="page_search",
            include_in_schema=False)
def search(
    request: Request, engine: EngineDep, settings: SettingsDep, q: HtmlQuery = None
) -> HTMLResponse:
    """Territories and initiatives whose name, title or description contains the words."""
    lang = request_language(request)
    words = " ".join((q or "").split())
    results: list[Row] = []
    capped = False
    if len(words) >= 2:
        results, capped = _run(
            engine, settings, _SEARCH, {**_lang(lang), "q": ox.Literal(words)}
        )
    return _render(
        request, "page_search.html", lang, q=words, results=results, capped=capped,
        searched=len(words) >= 2,
    )


# -------------------------------------------------------------------------------------------------
# Query editor
# -------------------------------------------------------------------------------------------------


def editor_text(query: NamedQuery, lang: str) -> str:
    """A named question as it opens in the editor: a comment with its summary and, when it has
    parameters, a ``VALUES`` row with their defaults as the first pattern of the outer ``WHERE``
    (the language parameter takes the page's language), so that the example runs as it is."""
    lines = [f"# {query.summary}"]
    values: dict[str, str] = {}
    for parameter in query.parameters:
        raw = lang if parameter.name == "lang" else query.defaults.get(parameter.name)
        if raw is None:
            lines.append(f"# ?{parameter.variable}: set a value ({parameter.type})")
            continue
        try:
            values[parameter.variable] = str(parameter.bind(iri.rebase(raw)))
        except InputError:
            lines.append(f"# ?{parameter.variable}: set a value ({parameter.type})")
    text = query.text
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#+"))
    if values:
        match = re.search(r"\bWHERE\s*\{", body, flags=re.IGNORECASE)
        if match:
            names = " ".join(f"?{v}" for v in values)
            terms = " ".join(values.values())
            row = f"\n  VALUES ({names}) {{ ({terms}) }}"
            body = body[: match.end()] + row + body[match.end() :]
    return "\n".join(lines) + "\n" + body.lstrip("\n")


@router.get("/query", response_class=HTMLResponse, operation_id="page_query",
            include_in_schema=False)
def query_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    """YASGUI on this service's endpoint, with the project's prefixes and the named questions."""
    lang = request_language(request)
    _ = translator(lang)
    known = prefixes(_base(settings))
    examples = [
        {"name": name, "summary": q.summary_in(lang), "description": q.description_in(lang),
         "text": editor_text(q, lang)}
        for name, q in sorted(catalog().items())
    ]
    prefix_lines = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in known.items())
    default_query = (
        f"{prefix_lines}\n\n# {_('query_default_comment')}\n"
        "SELECT ?territory ?name WHERE {\n"
        "  ?territory a rg:Territory ;\n"
        "             rdfs:label ?name .\n"
        f'  FILTER(LANG(?name) = "{lang}")\n'
        "}\nORDER BY ?name\nLIMIT 10\n"
    )
    config = {
        "endpoint": "/sparql",
        "prefixesUrl": "/query/prefixes.json",
        "prefixes": known,
        "defaultQuery": default_query,
        "examples": examples,
        "cappedText": _("results_capped"),
        "cappedHeader": CAPPED_HEADER,
    }
    return _render(request, "page_query.html", lang, config=config, examples=examples,
                   prefixes=known)


@router.get("/query/prefixes.json", operation_id="query_prefixes", include_in_schema=False)
def query_prefixes(settings: SettingsDep) -> JSONResponse:
    """The project's prefixes in prefix.cc's format, for the editor's prefix autocompletion."""
    return JSONResponse(prefixes(_base(settings)))


# -------------------------------------------------------------------------------------------------
# Browse: territories
# -------------------------------------------------------------------------------------------------


def _territories_query(region: bool) -> str:
    """The territories with the IRIs of their country code, region, level and status, their
    own label and their number of initiatives, counted before anything is joined. The labels
    of the concepts come from :func:`_concept_labels` (a few hundred concepts, once), not from
    label patterns per territory: Virtuoso 7.2.5 refuses the query with five label clusters
    (``The estimated execution time 1294 (sec) exceeds the limit of 400 (sec)``). The region
    is matched outside the sub-SELECT, where the remote store binds parameters."""
    region_pattern = "?territory rg:uclgRegion ?region ." if region else ""
    region_var = "?region" if region else ""
    return f"""
SELECT ?territory ?country ?example ?initiatives ?lang {region_var} {_pick("label")}
       (SAMPLE(?shownRegion) AS ?regionIri) (SAMPLE(?level) AS ?levelIri)
       (SAMPLE(?status) AS ?statusIri)
WHERE {{
  {{ SELECT ?territory (COUNT(DISTINCT ?initiative) AS ?initiatives) WHERE {{
      ?territory a rg:Territory .
      OPTIONAL {{ ?initiative rg:ledBy ?territory }}
    }} GROUP BY ?territory }}
  {region_pattern}
  OPTIONAL {{ ?territory rg:countryCode ?country }}
  OPTIONAL {{ ?territory rg:isExample ?example }}
  OPTIONAL {{ ?territory rg:uclgRegion ?shownRegion . FILTER(?shownRegion != {_METROPOLIS}) }}
  OPTIONAL {{ ?territory rg:level ?level }}
  OPTIONAL {{ ?membership rg:member ?territory ; rg:membershipStatus ?status }}
  {_label("territory", "label")}
}}
GROUP BY ?territory ?country ?example ?initiatives ?lang {region_var}"""


def _concept_labels_query(classes: tuple[str, ...]) -> str:
    """The label of every concept of ``classes`` (this module's constants, ``rg:`` names) in
    the page's language (else English, else any), and the notation of the countries: the
    pages join them in Python (see :func:`_territories_query`)."""
    members = " UNION ".join(f"{{ ?concept a {c} }}" for c in classes)
    return f"""
SELECT ?concept ?notation ?lang {_pick("label")} WHERE {{
  {members}
  OPTIONAL {{ ?concept a rg:Country ; skos:notation ?notation }}
  {_label("concept", "label")}
}}
GROUP BY ?concept ?notation ?lang"""


#: The concepts the territories list names, and those the initiatives list names.
_TERRITORY_CONCEPTS = ("rg:Country", "rg:UclgRegion", "rg:TerritoryLevel", "rg:MembershipStatus")
_INITIATIVE_CONCEPTS = ("rg:InitiativeType", "rg:InitiativeStatus")


def _concept_labels(
    engine: QueryEngine, settings: Settings, lang: str, classes: tuple[str, ...]
) -> tuple[dict[str, str], dict[str, str]]:
    """The labels of the concepts of ``classes`` by IRI, and of the countries by their ISO
    code."""
    rows, _capped = _run(engine, settings, _concept_labels_query(classes), _lang(lang))
    by_iri = {r["concept"]: r["label"] for r in rows if r["label"] is not None}
    by_code = {
        r["notation"]: r["label"] for r in rows if r["notation"] and r["label"] is not None
    }
    return by_iri, by_code


def _ordered(value: Any) -> tuple[bool, str]:
    """A sort key that orders as SPARQL's ORDER BY does here: unbound first, then the text
    by code point (pyoxigraph compares strings by their UTF-8 bytes, which is the same)."""
    return (value is not None, "" if value is None else str(value))


_REGIONS = f"""
SELECT ?region ?lang {_pick("label")} WHERE {{
  ?region a rg:UclgRegion . {_label("region", "label")}
}}
GROUP BY ?region ?lang ORDER BY ?label"""


@router.get("/browse/territories", response_class=HTMLResponse,
            operation_id="page_browse_territories", include_in_schema=False)
def browse_territories(
    request: Request, engine: EngineDep, settings: SettingsDep, region: HtmlQuery = None
) -> HTMLResponse:
    """Every territory with its country, region, level, campaign status and initiatives.
    Raises ``InputError`` (400) for a region that is not a code."""
    lang = request_language(request)
    region_iri = _concept(settings, "uclg-regions", region, "region")
    subs: dict[str, Term] = {**_lang(lang)}
    if region_iri is not None:
        subs["region"] = region_iri
    rows, capped = _run(engine, settings, _territories_query(region_iri is not None), subs)
    labels, countries = _concept_labels(engine, settings, lang, _TERRITORY_CONCEPTS)
    for row in rows:
        row["countryLabel"] = countries.get(row["country"]) if row["country"] else None
        row["regionLabel"] = labels.get(row["regionIri"]) if row["regionIri"] else None
        row["levelLabel"] = labels.get(row["levelIri"]) if row["levelIri"] else None
        row["statusLabel"] = labels.get(row["statusIri"]) if row["statusIri"] else None
    rows.sort(key=lambda r: (_ordered(r["countryLabel"]), _ordered(r["label"]), r["territory"]))
    regions, _capped = _run(engine, settings, _REGIONS, _lang(lang))
    for row in regions:
        row["code"] = _tail(row["region"])
    return _render(
        request, "page_browse_territories.html", lang, rows=rows, capped=capped,
        regions=regions, region=region or "", status_colours=STATUS_COLOURS, tail=_tail,
    )


# -------------------------------------------------------------------------------------------------
# Browse: initiatives
# -------------------------------------------------------------------------------------------------

#: URL filter -> (concept scheme, property linking an initiative to it). Rights and groups
#: include narrower concepts: a filter on a family finds the initiatives of its categories.
_INITIATIVE_FILTERS = {
    "right": ("rights", "rg:addressesRight/skos:broader*"),
    "group": ("groups", "rg:targetsGroup/skos:broader*"),
    "instrument": ("instruments", "rg:implementsInstrument"),
    "type": ("initiative-types", "rg:initiativeType"),
    "territory": ("", "rg:ledBy"),
}


#: A concept's sub-tree as fixed chains of skos:broader (0 to 3 links: the packaged schemes
#: are two levels deep), for a second hierarchical filter.
_SUBTREE = (
    "FILTER(?{v}_ = ?{v} || EXISTS {{ ?{v}_ skos:broader ?{v} }}"
    " || EXISTS {{ ?{v}_ skos:broader/skos:broader ?{v} }}"
    " || EXISTS {{ ?{v}_ skos:broader/skos:broader/skos:broader ?{v} }})"
)


def _filter_pattern(name: str, filters: list[str]) -> str:
    """The pattern of one filter of the initiatives list. Only the first hierarchical filter
    (rights, groups) uses ``skos:broader*``; a second one tests fixed chains, because
    Virtuoso 7.2.5 finds nothing when two transitive paths are joined (docs/decisions/0006,
    as ``territories_by_category_and_group`` does)."""
    path = _INITIATIVE_FILTERS[name][1]
    hierarchical = [f for f in filters if _INITIATIVE_FILTERS[f][1].endswith("skos:broader*")]
    if name in hierarchical[1:]:
        direct = path.removesuffix("/skos:broader*")
        return f"?initiative {direct} ?{name}_ . {_SUBTREE.format(v=name)}"
    return f"?initiative {path} ?{name} ."


def _initiatives_query(filters: list[str], *, count: bool, offset: int = 0) -> str:
    """The count of the initiatives matching ``filters`` (``count``), else the IRIs of one
    page of them in title order. Both have the filters at the top of the pattern, where the
    remote store binds parameters (it leaves sub-SELECTs alone, so a page chosen in a
    sub-SELECT was the first 50 of every filter value on Virtuoso); the page's details come
    from :func:`_initiative_details`."""
    patterns = " ".join(_filter_pattern(f, filters) for f in filters)
    # A parameter must be projected for either backend to bind it.
    variables = " ".join(f"?{f}" for f in filters)
    if count:
        return f"""
SELECT {variables} (COUNT(DISTINCT ?initiative) AS ?n) WHERE {{
  ?initiative a rg:Initiative . {patterns}
}} GROUP BY {variables}""" if filters else """
SELECT (COUNT(DISTINCT ?initiative) AS ?n) WHERE { ?initiative a rg:Initiative . }"""
    return f"""
SELECT DISTINCT ?initiative ?sortKey ?lang {variables} WHERE {{
  ?initiative a rg:Initiative . {patterns}
  {_label("initiative", "sort")}
  BIND(LCASE(STR(COALESCE(?sort_1, ?sort_2, ?sort_3))) AS ?sortKey)
}}
ORDER BY ?sortKey ?initiative LIMIT {PAGE_SIZE} OFFSET {int(offset)}"""


def _initiative_details(initiatives: list[str]) -> str:
    """The details of the initiatives of one page. Their IRIs are the ones the store has just
    returned, written as pyoxigraph serialises them (``<...>`` with escapes), in a ``VALUES``
    block: a parameter binds one term only. Type and status labels come from
    :func:`_concept_labels` (more label clusters make Virtuoso 7.2.5 refuse the query as too
    costly)."""
    values = " ".join(str(ox.NamedNode(i)) for i in initiatives)
    return f"""
SELECT ?initiative ?start ?leader ?example ?lang {_pick("title")} {_pick("leaderLabel")}
       (SAMPLE(?type) AS ?typeIri) (SAMPLE(?status) AS ?statusIri)
       (COUNT(DISTINCT ?right_) AS ?rights) (COUNT(DISTINCT ?group_) AS ?groups)
WHERE {{
  VALUES ?initiative {{ {values} }}
  OPTIONAL {{ ?initiative schema:startDate ?start }}
  OPTIONAL {{ ?initiative rg:isExample ?example }}
  OPTIONAL {{ ?initiative rg:ledBy ?leader . {_label("leader", "leaderLabel")} }}
  OPTIONAL {{ ?initiative rg:initiativeType ?type }}
  OPTIONAL {{ ?initiative rg:status ?status }}
  OPTIONAL {{ ?initiative rg:addressesRight ?right_ }}
  OPTIONAL {{ ?initiative rg:targetsGroup ?group_ }}
  {_label("initiative", "title")}
}}
GROUP BY ?initiative ?start ?leader ?example ?lang"""


#: The labels of one resource (a filter's concept, or a territory) with their languages; the
#: page picks one with :func:`_pick_label`. (The label patterns of :func:`_label` on a resource
#: given as a parameter make Virtuoso 7.2.5 refuse the query: "The estimated execution time
#: 1325 (sec) exceeds the limit of 400 (sec)".)
_RESOURCE_LABELS = """
SELECT ?resource ?label (LANG(?label) AS ?language) WHERE {
  ?resource skos:prefLabel|rdfs:label ?label .
}"""


def _pick_label(rows: list[Row], lang: str) -> str | None:
    """The label in ``lang``, else in English, else the first in code-point order (so that
    both backends pick the same one), as :func:`_label` and :func:`_pick` choose in SPARQL."""
    labels = sorted((str(r["language"] or ""), str(r["label"])) for r in rows if r["label"])
    for wanted in (lang, "en"):
        chosen = [text for language, text in labels if language == wanted]
        if chosen:
            return min(chosen)
    return min((text for _language, text in labels), default=None)


def _resource_label(
    engine: QueryEngine, settings: Settings, resource: ox.NamedNode, lang: str
) -> str | None:
    rows, _capped = _run(engine, settings, _RESOURCE_LABELS, {"resource": resource})
    return _pick_label(rows, lang)


@router.get("/browse/initiatives", response_class=HTMLResponse,
            operation_id="page_browse_initiatives", include_in_schema=False)
def browse_initiatives(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    right: HtmlQuery = None,
    group: HtmlQuery = None,
    instrument: HtmlQuery = None,
    type: HtmlQuery = None,
    territory: HtmlQuery = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """Initiatives, 50 a page, optionally filtered by right, group, instrument, type or leading
    territory. Raises ``InputError`` (400) for a filter value that is not a code."""
    lang = request_language(request)
    subs: dict[str, Term] = {}
    active: list[dict[str, Any]] = []
    given = {"right": right, "group": group, "instrument": instrument, "type": type}
    for name, value in given.items():
        concept = _concept(settings, _INITIATIVE_FILTERS[name][0], value, name)
        if concept is not None:
            subs[name] = concept
            shown = _resource_label(engine, settings, concept, lang) or value
            active.append({"name": name, "label": shown})
    filters = list(subs)
    if territory:
        if not _TERRITORY_KEY.match(territory):
            raise InputError(f"territory: {territory!r} is not a territory key like es-barcelona")
        subs["territory"] = ox.NamedNode(iri.rebase(iri.territory(territory), base=_base(settings)))
        filters.append("territory")
        shown = _resource_label(engine, settings, subs["territory"], lang) or territory
        active.append({"name": "territory", "label": shown})
    count_rows, _capped = _run(
        engine, settings, _initiatives_query(filters, count=True), subs
    )
    total = int(count_rows[0]["n"]) if count_rows else 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(page, pages)
    chosen, capped = _run(
        engine, settings,
        _initiatives_query(filters, count=False, offset=(page - 1) * PAGE_SIZE),
        {**subs, **_lang(lang)},
    )
    order = list(dict.fromkeys(row["initiative"] for row in chosen))
    rows: list[Row] = []
    if order:
        rows, _capped = _run(engine, settings, _initiative_details(order), _lang(lang))
        labels, _countries = _concept_labels(engine, settings, lang, _INITIATIVE_CONCEPTS)
        for row in rows:
            row["typeLabel"] = labels.get(row["typeIri"]) if row["typeIri"] else None
            row["statusLabel"] = labels.get(row["statusIri"]) if row["statusIri"] else None
        rank = {initiative: n for n, initiative in enumerate(order)}
        rows.sort(key=lambda r: rank[r["initiative"]])
    return _render(
        request, "page_browse_initiatives.html", lang, rows=rows, capped=capped, total=total,
        page=page, pages=pages, active=active,
    )


# -------------------------------------------------------------------------------------------------
# Browse: rights, groups (SKOS hierarchies) and instruments
# -------------------------------------------------------------------------------------------------

def _concepts_query(scheme: str, prop: str) -> str:
    """The concepts of a scheme with the initiatives (and their territories) linked to them or
    to a narrower concept, counted in a sub-SELECT before the labels are joined. ``scheme`` and
    ``prop`` are this module's constants (never from the request), written into the text: the
    remote store binds parameters outside sub-SELECTs only."""
    return f"""
SELECT ?concept ?broader ?top ?notation ?article ?initiatives ?territories ?lang
       {_pick("label")} {_pick("definition")}
WHERE {{
  {{ SELECT ?concept (COUNT(DISTINCT ?initiative) AS ?initiatives)
           (COUNT(DISTINCT ?territory) AS ?territories) WHERE {{
      ?concept skos:inScheme <{scheme}> .
      OPTIONAL {{ ?narrower skos:broader* ?concept . ?initiative <{prop}> ?narrower .
                 OPTIONAL {{ ?initiative rg:ledBy ?territory }} }}
    }} GROUP BY ?concept }}
  FILTER NOT EXISTS {{ ?concept owl:deprecated true }}
  OPTIONAL {{ ?concept skos:broader ?broader }}
  OPTIONAL {{ ?concept skos:topConceptOf ?top }}
  OPTIONAL {{ ?concept skos:notation ?notation . FILTER(!STRSTARTS(STR(?notation), "GCA-")) }}
  OPTIONAL {{ ?concept rg:charterAgendaArticle ?article }}
  {_label("concept", "label")}
  {_label("concept", "definition", "skos:definition")}
}}
GROUP BY ?concept ?broader ?top ?notation ?article ?initiatives ?territories ?lang"""


_VOCAB = "https://w3id.org/rightsgraph/vocab/"


def _concept_page(
    request: Request, engine: QueryEngine, settings: Settings, scheme: str, prop: str,
    filter_name: str, title: str, lead: str,
) -> HTMLResponse:
    lang = request_language(request)
    rows, capped = _run(engine, settings, _concepts_query(_VOCAB + scheme, prop), _lang(lang))
    # By label as pyoxigraph orders it (Virtuoso orders an aggregate's alias otherwise).
    rows.sort(key=lambda r: (_ordered(r["label"]), r["concept"]))
    unique: dict[str, Row] = {}
    for row in rows:
        unique.setdefault(row["concept"], row)
    for row in unique.values():
        row["code"] = _tail(row["concept"])
    tops = [r for r in unique.values() if r["top"] or not r["broader"]]
    sections: list[dict[str, Any]] = []
    for top in tops:
        children = [r for r in unique.values() if r["broader"] == top["concept"]]
        sections.append({"head": top, "rows": children})
    orphans = [r for r in unique.values()
               if r["broader"] and r["broader"] not in {t["concept"] for t in tops}]
    if orphans:
        sections.append({"head": None, "rows": orphans})
    return _render(
        request, "page_browse_concepts.html", lang, sections=sections, capped=capped,
        total=len(unique), filter_name=filter_name, title_key=title, lead_key=lead,
    )


_ONTOLOGY = "https://w3id.org/rightsgraph/ontology#"


@router.get("/browse/rights", response_class=HTMLResponse, operation_id="page_browse_rights",
            include_in_schema=False)
def browse_rights(request: Request, engine: EngineDep, settings: SettingsDep) -> HTMLResponse:
    """The rights categories by family, with the initiatives addressing each."""
    return _concept_page(request, engine, settings, "rights", _ONTOLOGY + "addressesRight",
                         "right", "rights_title", "rights_lead")


@router.get("/browse/groups", response_class=HTMLResponse, operation_id="page_browse_groups",
            include_in_schema=False)
def browse_groups(request: Request, engine: EngineDep, settings: SettingsDep) -> HTMLResponse:
    """The rights-holder groups, with the initiatives serving each."""
    return _concept_page(request, engine, settings, "groups", _ONTOLOGY + "targetsGroup",
                         "group", "groups_title", "groups_lead")


_INSTRUMENTS = f"""
SELECT ?instrument ?identifier ?issued ?example ?lang {_pick("label")} {_pick("typeLabel")}
       (GROUP_CONCAT(DISTINCT ?abbreviation; separator="\\n") AS ?shorts)
       (SAMPLE(?type) AS ?typeIri)
       (COUNT(DISTINCT ?initiative) AS ?initiatives) (COUNT(DISTINCT ?territory) AS ?territories)
WHERE {{
  ?instrument a rg:Instrument .
  FILTER NOT EXISTS {{ ?instrument owl:deprecated true }}
  OPTIONAL {{ ?instrument dcterms:identifier ?identifier }}
  OPTIONAL {{ ?instrument dcterms:issued ?issued }}
  OPTIONAL {{ ?instrument rg:isExample ?example }}
  OPTIONAL {{ ?instrument skos:altLabel ?abbreviation .
             FILTER(LANG(?abbreviation) = "" || LANG(?abbreviation) = ?lang) }}
  OPTIONAL {{ ?instrument a ?type .
             FILTER(?type IN (rg:Treaty, rg:Declaration, rg:Resolution, rg:Report, rg:Charter,
                              rg:Agenda))
             {_label("type", "typeLabel", "rdfs:label")} }}
  OPTIONAL {{ ?initiative rg:implementsInstrument ?instrument .
             OPTIONAL {{ ?initiative rg:ledBy ?territory }} }}
  {_label("instrument", "label")}
}}
GROUP BY ?instrument ?identifier ?issued ?example ?lang
ORDER BY ?typeLabel ?issued ?label"""


@router.get("/browse/instruments", response_class=HTMLResponse,
            operation_id="page_browse_instruments", include_in_schema=False)
def browse_instruments(
    request: Request, engine: EngineDep, settings: SettingsDep
) -> HTMLResponse:
    """Human rights instruments by kind, with the initiatives implementing each."""
    lang = request_language(request)
    rows, capped = _run(engine, settings, _INSTRUMENTS, _lang(lang))
    unique: dict[str, Row] = {}
    for row in rows:
        row["code"] = _tail(row["instrument"])
        # The short name is the shortest alternative label, when it is short enough to be one.
        shorts = sorted((row["shorts"] or "").split("\n"), key=lambda s: (len(s), s))
        row["short"] = shorts[0] if shorts and 0 < len(shorts[0]) <= 24 else None
        unique.setdefault(row["instrument"], row)
    order = ["Treaty", "Declaration", "Resolution", "Report", "Charter", "Agenda"]
    # Ordered here by kind, then as ORDER BY ?typeLabel ?issued ?label orders them on
    # pyoxigraph (ISO dates and years as text): Virtuoso 7.2.5 orders an aggregate's alias
    # otherwise.
    ranked = sorted(
        unique.values(),
        key=lambda r: (
            order.index(k) if (k := (r["typeIri"] or "#").rsplit("#", 1)[-1]) in order
            else len(order),
            _ordered(r["typeLabel"]), _ordered(r["issued"]), _ordered(r["label"]),
            r["instrument"],
        ),
    )
    kinds: dict[str, list[Row]] = {}
    for row in ranked:
        kinds.setdefault(row["typeLabel"] or "", []).append(row)
    return _render(
        request, "page_browse_instruments.html", lang, kinds=kinds, capped=capped,
        total=len(unique),
    )


# -------------------------------------------------------------------------------------------------
# Reports
# -------------------------------------------------------------------------------------------------

#: The options of the reports form: every region, rights category, group, instrument and wave,
#: and the countries that have a territory in the graph (by their ISO code).
_REPORT_OPTIONS = f"""
SELECT ?kind ?item ?code ?lang {_pick("label")} WHERE {{
  {{ ?item a rg:UclgRegion . BIND("region" AS ?kind) }}
  UNION
  {{ ?item skos:inScheme <https://w3id.org/rightsgraph/vocab/rights> .
     FILTER NOT EXISTS {{ ?item owl:deprecated true }} BIND("category" AS ?kind) }}
  UNION
  {{ ?item skos:inScheme <https://w3id.org/rightsgraph/vocab/groups> .
     FILTER NOT EXISTS {{ ?item owl:deprecated true }} BIND("group" AS ?kind) }}
  UNION
  {{ ?item a rg:Instrument . FILTER NOT EXISTS {{ ?item owl:deprecated true }}
     BIND("instrument" AS ?kind) }}
  UNION
  {{ {{ SELECT DISTINCT ?code WHERE {{ ?territory a rg:Territory ; rg:countryCode ?code }} }}
     ?item a rg:Country ; skos:notation ?code . BIND("country" AS ?kind) }}
  UNION
  {{ ?item a rg:CampaignWave ; rg:waveNumber ?code . BIND("wave" AS ?kind) }}
  {_label("item", "label")}
}}
GROUP BY ?kind ?item ?code ?lang"""

#: The form's lists: (query parameter, kind in the options query, label key in reports.text).
_REPORT_SELECTS = (
    ("region", "region", "filter_regions"),
    ("country", "country", "filter_countries"),
    ("category", "category", "filter_categories"),
    ("group", "group", "filter_groups"),
    ("instrument", "instrument", "filter_instruments"),
    ("wave", "wave", "filter_waves"),
)


@router.get("/reports", response_class=HTMLResponse, operation_id="page_reports",
            include_in_schema=False)
def reports_page(request: Request, engine: EngineDep, settings: SettingsDep) -> HTMLResponse:
    """The reports page: the filters as a form (options from the vocabularies), the HTML report
    of ``GET /api/reports/intersectionality`` shown inline, and links to every format. A bad
    filter is shown on the page (status 400) instead of a report."""
    from rightsgraph.reports.text import render_text
    from rightsgraph.service.routers.reports import parse_filters

    lang = request_language(request)
    params = request.query_params
    rows, _capped = _run(engine, settings, _REPORT_OPTIONS, _lang(lang))
    options: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        kind = row["kind"]
        if kind in ("country", "wave"):
            value = str(row["code"])
            label = f"{row['label']} ({value})" if kind == "country" and row["label"] else value
            if kind == "wave" and row["label"]:
                label = str(row["label"])
        else:
            value = _tail(row["item"]) or ""
            label = row["label"] or value
        options.setdefault(kind, []).append({"value": value, "label": label})
    for kind, items in options.items():
        if kind == "wave":
            items.sort(key=lambda o: int(o["value"]) if o["value"].isdigit() else 0)
        else:
            items.sort(key=lambda o: o["label"].casefold())

    def many(name: str) -> list[str]:
        return [v for value in params.getlist(name) for v in value.replace(",", " ").split()]

    def year(name: str) -> int | None:
        value = (params.get(name) or "").strip()
        if not value:
            return None
        if not value.isdigit():
            raise InputError(f"{name}: {value!r} is not a year")
        return int(value)

    error = None
    chosen: dict[str, list[str]] = {name: many(name) for name, _k, _l in _REPORT_SELECTS}
    territories = many("territory")
    examples = (params.get("examples") or "true").lower() not in ("false", "0", "no")
    year_from = year_to = None
    try:
        year_from, year_to = year("from"), year("to")
        waves = []
        for w in chosen["wave"]:
            if not w.isdigit():
                raise InputError(f"wave: {w!r} is not a wave number")
            waves.append(int(w))
        parse_filters(
            regions=chosen["region"], countries=chosen["country"], territories=territories,
            categories=chosen["category"], groups=chosen["group"],
            instruments=chosen["instrument"], year_from=year_from, year_to=year_to,
            waves=waves, include_examples=examples,
        )
        for name, kind, _label_key in _REPORT_SELECTS:
            known = {o["value"] for o in options.get(kind, [])}
            unknown = [v for v in chosen[name] if v.upper() not in known and v not in known]
            if unknown:
                raise InputError(f"{name}: {', '.join(unknown)} is not in the graph")
    except InputError as exc:
        error = str(exc)
    query: list[tuple[str, str]] = [
        (name, value) for name, values in chosen.items() for value in values
    ]
    query += [("territory", t) for t in territories]
    query += [(name, str(value)) for name, value in (("from", year_from), ("to", year_to))
              if value is not None]
    if not examples:
        query.append(("examples", "false"))
    api = "/api/reports/intersectionality?"

    def api_url(fmt: str) -> str:
        return api + urlencode([*query, ("format", fmt), ("lang", lang)])

    selects = [
        {
            "name": name,
            "label": render_text(label_key, lang),
            "options": options.get(kind, []),
            "selected": set(chosen[name]),
        }
        for name, kind, label_key in _REPORT_SELECTS
    ]
    downloads = [
        {"format": fmt, "url": api_url(fmt), "label": render_text(f"ui_format_{fmt}", lang)}
        for fmt in ("html", "pdf", "md", "csv", "json")
    ]
    response = _render(
        request, "page_reports.html", lang,
        rt=lambda key, **values: render_text(key, lang, **values),
        selects=selects, territories=territories, year_from=year_from, year_to=year_to,
        examples=examples, error=error, frame_url=api_url("html"), downloads=downloads,
    )
    if error:
        response.status_code = 400
    return response
