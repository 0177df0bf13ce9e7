#!/usr/bin/env python3
"""Reconcile a CSV of names against a reconciliation service, the way OpenRefine does.

    python scripts/reconcile_csv.py names.csv --service http://127.0.0.1:8000/api/reconcile \\
        [-o reconciled.csv] [--batch-size N] [--limit 3] [--lang en|fr|es]

The input has a ``name`` column and optionally ``country`` (ISO 3166-1 code or a country name)
and ``type`` (``territory``, ``initiative``, ``category``, ``group``, or a type id from the
service's manifest; empty: any type); other columns are copied as they are. The output adds:

- ``id``: the chosen entity: the candidate the service marks as a match, else the best candidate
  (so that a person can check it), else empty;
- ``candidate``: its name; ``score``: its score; ``match``: ``true`` only when the service says
  the candidate is a certain match (``false`` means: review it).

Like OpenRefine, the client reads the service manifest first (it must speak version 0.2), then
sends the rows in batches (``batchSize`` from the manifest unless ``--batch-size`` is smaller) as
a form field ``queries`` in a POST, retrying after a 429 or 503 as ``Retry-After`` says. Needs
only the standard library and httpx. Exit status: 0 done, 1 the service failed or refused a
batch, 2 bad input.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import httpx

#: Short names people write in the ``type`` column, as the local names of the types' ids.
TYPE_ALIASES = {
    "territory": "territory",
    "territories": "territory",
    "initiative": "initiative",
    "initiatives": "initiative",
    "category": "rightscategory",
    "rightscategory": "rightscategory",
    "right": "rightscategory",
    "group": "rightsholdergroup",
    "rightsholdergroup": "rightsholdergroup",
}
OUTPUT_COLUMNS = ("id", "candidate", "score", "match")
DEFAULT_BATCH = 10
ATTEMPTS = 4


class ClientError(Exception):
    """The service cannot be used or answered with an error (exit status 1)."""


class InputProblem(Exception):
    """The CSV or the options cannot be used (exit status 2)."""


def _squash(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def type_ids(manifest: dict[str, Any]) -> dict[str, str]:
    """Every way of writing a type that the manifest declares -> the type's id."""
    known: dict[str, str] = {}
    for item in manifest.get("defaultTypes", []):
        type_id = str(item.get("id", ""))
        local = re.split(r"[#/]", type_id)[-1]
        for spelling in (type_id, local, str(item.get("name", ""))):
            if spelling:
                known[_squash(spelling)] = type_id
    for alias, local in TYPE_ALIASES.items():
        if local in known:
            known[alias] = known[local]
    return known


def post(client: httpx.Client, url: str, data: dict[str, str]) -> Any:
    """POST a form and return the JSON answer, retrying on 429 and 503. Raises ``ClientError``."""
    for attempt in range(ATTEMPTS):
        try:
            response = client.post(url, data=data)
        except httpx.HTTPError as exc:
            raise ClientError(f"cannot reach {url}: {exc}") from None
        if response.status_code in (429, 503) and attempt + 1 < ATTEMPTS:
            wait = response.headers.get("retry-after", "")
            time.sleep(min(float(wait), 30.0) if wait.isdigit() else 2.0**attempt)
            continue
        if response.status_code != 200:
            raise ClientError(f"{url} answered {response.status_code}: {_detail(response)}")
        return response.json()
    raise ClientError(f"{url} kept answering {response.status_code}")


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict) and "detail" in body:
        where = f" ({body['where']})" if body.get("where") else ""
        return f"{body['detail']}{where}"
    return str(body)[:300]


def read_manifest(client: httpx.Client, service: str) -> dict[str, Any]:
    """The manifest; raises ``ClientError`` unless the service speaks version 0.2."""
    try:
        response = client.get(service)
    except httpx.HTTPError as exc:
        raise ClientError(f"cannot reach {service}: {exc}") from None
    if response.status_code != 200:
        raise ClientError(f"{service} answered {response.status_code}: {_detail(response)}")
    manifest = response.json()
    if "0.2" not in manifest.get("versions", []):
        raise ClientError(f"{service} does not speak the Reconciliation API 0.2")
    return dict(manifest)


def build_query(row: dict[str, str], types: dict[str, str], limit: int) -> dict[str, Any] | None:
    """The reconciliation query of one row (None for a row without a name). Raises
    ``InputProblem`` for a type the service does not have."""
    name = (row.get("name") or "").strip()
    if not name:
        return None
    query: dict[str, Any] = {"query": name, "limit": limit}
    kind = (row.get("type") or "").strip()
    if kind:
        type_id = types.get(_squash(kind)) or types.get(kind)
        if type_id is None:
            raise InputProblem(f"unknown type {kind!r}; use one of {', '.join(sorted(types))}")
        query["type"] = type_id
    country = (row.get("country") or "").strip()
    if country:
        query["properties"] = [{"pid": "country", "v": country}]
    return query


def chosen(result: Sequence[dict[str, Any]]) -> dict[str, str]:
    """The output columns for one result: the matched candidate, else the best one."""
    if not result:
        return {"id": "", "candidate": "", "score": "", "match": "false"}
    pick = next((c for c in result if c.get("match")), result[0])
    return {
        "id": str(pick["id"]),
        "candidate": str(pick.get("name", "")),
        "score": f"{float(pick['score']):g}",
        "match": "true" if pick.get("match") else "false",
    }


def batches(items: Sequence[tuple[int, dict[str, Any]]], size: int) -> Iterator[dict[str, Any]]:
    for start in range(0, len(items), size):
        yield {f"q{i}": query for i, query in items[start : start + size]}


def reconcile(
    rows: list[dict[str, str]],
    service: str,
    *,
    batch_size: int | None = None,
    limit: int = 3,
    lang: str | None = None,
    timeout: float = 60.0,
) -> list[dict[str, str]]:
    """Reconcile ``rows`` against ``service``; returns the rows with the output columns added.
    Raises ``ClientError`` and ``InputProblem``."""
    headers = {"Accept-Language": lang} if lang else {}
    with httpx.Client(timeout=timeout, headers=headers) as client:
        manifest = read_manifest(client, service)
        types = type_ids(manifest)
        allowed = int(manifest.get("batchSize") or DEFAULT_BATCH)
        size = max(1, min(batch_size or allowed, allowed))
        queries: list[tuple[int, dict[str, Any]]] = []
        for number, row in enumerate(rows):
            query = build_query(row, types, limit)
            if query is not None:
                queries.append((number, query))
        results: dict[str, list[dict[str, Any]]] = {}
        for batch in batches(queries, size):
            answer = post(client, service, {"queries": json.dumps(batch, ensure_ascii=False)})
            for key in batch:
                results[key] = list(answer.get(key, {}).get("result", []))
    return [{**row, **chosen(results.get(f"q{i}", []))} for i, row in enumerate(rows)]


def read_rows(source: TextIO) -> tuple[list[str], list[dict[str, str]]]:
    """The CSV's columns and rows. Raises ``InputProblem`` without a ``name`` column."""
    reader = csv.DictReader(source)
    columns = list(reader.fieldnames or [])
    if "name" not in columns:
        raise InputProblem("the CSV needs a 'name' column (and may have 'country' and 'type')")
    return columns, [dict(row) for row in reader]


def write_rows(sink: TextIO, columns: list[str], rows: list[dict[str, str]]) -> None:
    fields = columns + [c for c in OUTPUT_COLUMNS if c not in columns]
    writer = csv.DictWriter(sink, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", type=Path, help="the CSV of names (columns name, country, type)")
    parser.add_argument("--service", required=True, help="the reconciliation endpoint's URL")
    parser.add_argument("-o", "--output", type=Path, help="where to write (default: stdout)")
    parser.add_argument("--batch-size", type=int, help="queries per request (at most batchSize)")
    parser.add_argument("--limit", type=int, default=3, help="candidates asked per name")
    parser.add_argument("--lang", help="language of the names returned (en, fr, es)")
    args = parser.parse_args(argv)
    try:
        with args.csv.open(encoding="utf-8-sig", newline="") as source:
            columns, rows = read_rows(source)
        if args.limit < 1 or (args.batch_size is not None and args.batch_size < 1):
            raise InputProblem("--limit and --batch-size must be at least 1")
        out = reconcile(
            rows, args.service, batch_size=args.batch_size, limit=args.limit, lang=args.lang
        )
    except (InputProblem, OSError, UnicodeDecodeError, csv.Error) as exc:
        sys.stderr.write(f"reconcile_csv: {exc}\n")
        return 2
    except ClientError as exc:
        sys.stderr.write(f"reconcile_csv: {exc}\n")
        return 1
    if args.output is None:
        write_rows(sys.stdout, columns, out)
    else:
        with args.output.open("w", encoding="utf-8", newline="") as sink:
            write_rows(sink, columns, out)
    matched = sum(1 for row in out if row["match"] == "true")
    sys.stderr.write(f"reconcile_csv: {len(out)} rows, {matched} matched\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
