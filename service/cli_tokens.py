"""``rightsgraph token create|list|revoke``: territory tokens for the submissions API.

Kept apart from ``cli.py`` so that the token commands and their tests live with the token store
(``service/tokens.py``). The commands touch only ``DIR/tokens.json``, never the databases, so they
work while ``rightsgraph serve`` holds the store; the server sees the change at the next request.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rightsgraph.errors import InputError
from rightsgraph.service import tokens


def add_token_commands(sub: Any) -> None:
    """Add ``token`` and its sub-commands to the ``rightsgraph`` sub-parsers (``sub`` is what
    ``ArgumentParser.add_subparsers`` returned)."""
    s = sub.add_parser(
        "token",
        help="manage territory tokens for the submissions API",
        description="Territory tokens let a territory send its own submissions over HTTP "
        "(Authorization: Bearer TOKEN). Only their SHA-256 is stored, in DIR/tokens.json.",
    )
    actions = s.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    c = actions.add_parser("create", help="make a token for one territory (shown once)")
    c.add_argument("--territory", required=True, metavar="KEY", help="e.g. es-barcelona")
    c.add_argument("--note", help="who holds it, for the list (never the token)")
    c.add_argument("--format", choices=("text", "json"), default="text")
    ls = actions.add_parser("list", help="list the tokens (never the tokens themselves)")
    ls.add_argument("--format", choices=("text", "json"), default="text")
    r = actions.add_parser("revoke", help="revoke a token by its id")
    r.add_argument("id", help="the token id shown by `token create` and `token list`")


def cmd_token(args: argparse.Namespace) -> int:
    """Run ``token create|list|revoke``; returns the exit code.

    Raises ``InputError`` (bad territory key), ``NotFoundError`` (unknown id) and
    ``TokenFileError`` (unreadable token file), which ``cli.main`` turns into one line.
    """
    from rightsgraph.store import store_path

    folder = store_path(args.store)
    action = args.token_command
    if action == "create":
        record, token = tokens.create_token(folder, args.territory, note=args.note)
        if args.format == "json":
            print(json.dumps({**record.public(), "token": token}, ensure_ascii=False, indent=2))
        else:
            print(f"token {record.id} for territory {record.territory}:")
            print(f"  {token}")
            print(
                "Give it to the territory now: it is not stored and cannot be shown again.",
                file=sys.stderr,
            )
        return 0
    if action == "list":
        records = tokens.list_tokens(folder)
        if args.format == "json":
            print(json.dumps([r.public() for r in records], ensure_ascii=False, indent=2))
            return 0
        if not records:
            print("no tokens")
        for r in records:
            state = f"revoked {r.revoked}" if r.revoked else "active"
            note = f"  {r.note}" if r.note else ""
            print(f"{r.id}  {r.territory:32}  created {r.created}  {state}{note}")
        return 0
    if action == "revoke":
        record = tokens.revoke_token(folder, args.id)
        print(f"token {record.id} of {record.territory} revoked {record.revoked}")
        return 0
    raise InputError(f"unknown token action {action!r}")
