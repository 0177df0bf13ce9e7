"""Territory tokens: who may send a territory's submissions over HTTP.

A territory token lets its holder submit (and validate) files for one territory only, so that a
local government can update its own graph without the admin token. Tokens live in
``DIR/tokens.json`` in the store folder, next to the databases, so that a store and its tokens
move together; ``rightsgraph token create|list|revoke`` manages them while the server runs (the
file is not under the store's lock, and the server re-reads it when it changes).

Only a hash of each token is kept. A token is ``rgt_`` followed by 32 random bytes
(``secrets.token_urlsafe(32)``: 256 bits), and the file keeps the plain SHA-256 of it. A salt or
a slow key-derivation function (bcrypt, scrypt, Argon2) protects secrets that people choose and
that can be guessed; a 256-bit random token cannot be guessed or found in a precomputed table, so
neither would add any safety, while a slow function would slow down every request. Whoever reads
the file learns which territories have tokens, never a token. The clear token is shown once, by
:func:`create_token`, and never written or logged anywhere.

The file is replaced atomically (a temporary file in the same folder, ``fsync``, then
``os.replace``), so a reader sees the old or the new file, never half of one; writers take an
exclusive lock on ``DIR/tokens.json.lock`` so that two ``token`` commands do not lose each other's
change.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from rightsgraph.errors import InputError, NotFoundError, StoreError

log = logging.getLogger(__name__)

#: The file, in the store folder.
TOKENS_FILE = "tokens.json"
#: Every territory token starts with this, so that a leaked one is recognisable (and scannable).
TOKEN_PREFIX = "rgt_"
_FORMAT = "rightsgraph-tokens/1"
#: A territory key: ``{cc}-{slug}`` as made by ``rightsgraph.iri.territory_key``.
_KEY = re.compile(r"^[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")


class TokenFileError(StoreError):
    """The token file exists but cannot be read or written (corrupt, permissions, disk)."""

    type = "token-file"


@dataclass(frozen=True)
class TokenRecord:
    """One token as stored: never the token itself, only its SHA-256."""

    id: str
    territory: str
    sha256: str
    created: str
    revoked: str | None = None
    note: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None

    def public(self) -> dict[str, object]:
        """What ``token list`` shows: everything but the hash (which is useless to show)."""
        return {k: v for k, v in asdict(self).items() if k != "sha256"}


def tokens_path(store_dir: str | os.PathLike[str]) -> Path:
    return Path(store_dir) / TOKENS_FILE


def is_territory_key(key: str) -> bool:
    """True for a well-formed territory key such as ``es-barcelona``.

    >>> is_territory_key("es-barcelona"), is_territory_key("es-barcelona/../x")
    (True, False)
    """
    return bool(_KEY.match(key))


def check_territory_key(key: str) -> str:
    """The key itself, or ``InputError`` when it is not ``{cc}-{slug}`` (e.g. ``es-barcelona``)."""
    if not is_territory_key(key):
        raise InputError(
            f"{key!r} is not a territory key: write the ISO 3166-1 country code in lower case, "
            "a dash and the slug of the name, e.g. es-barcelona"
        )
    return key


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# -- reading -------------------------------------------------------------------------------------
def _parse(text: str, path: Path) -> list[TokenRecord]:
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError(f"not a {_FORMAT} file")
        return [
            TokenRecord(
                id=str(item["id"]),
                territory=str(item["territory"]),
                sha256=str(item["sha256"]),
                created=str(item["created"]),
                revoked=None if item.get("revoked") is None else str(item["revoked"]),
                note=None if item.get("note") is None else str(item["note"]),
            )
            for item in data["tokens"]
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise TokenFileError(f"the token file {path} cannot be read: {exc}") from None


def load_tokens(store_dir: str | os.PathLike[str]) -> list[TokenRecord]:
    """Every token record, revoked ones included; none when the file does not exist yet.

    Raises ``TokenFileError`` when the file exists but is unreadable or corrupt.
    """
    path = tokens_path(store_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise TokenFileError(f"the token file {path} cannot be read: {exc}") from None
    return _parse(text, path)


def list_tokens(store_dir: str | os.PathLike[str]) -> list[TokenRecord]:
    """Every token, oldest first. Raises ``TokenFileError``."""
    return sorted(load_tokens(store_dir), key=lambda r: (r.created, r.id))


# -- writing -------------------------------------------------------------------------------------
@contextmanager
def _locked(store_dir: Path) -> Iterator[None]:
    """An exclusive lock for a read-modify-write of the token file (POSIX ``flock``)."""
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
        handle = open(store_dir / (TOKENS_FILE + ".lock"), "a+b")  # noqa: SIM115
    except OSError as exc:
        raise TokenFileError(f"cannot lock the token file in {store_dir}: {exc}") from None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def _write(store_dir: Path, records: list[TokenRecord]) -> None:
    """Replace the file atomically; it is readable by its owner only."""
    path = tokens_path(store_dir)
    body = json.dumps(
        {"format": _FORMAT, "hash": "sha256", "tokens": [asdict(r) for r in records]},
        ensure_ascii=False,
        indent=2,
    )
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tokens-", suffix=".json", dir=store_dir)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            os.fchmod(fh.fileno(), 0o600)
            fh.write(body + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
        directory = os.open(store_dir, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError as exc:
        raise TokenFileError(f"the token file {path} could not be written: {exc}") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def create_token(
    store_dir: str | os.PathLike[str], territory: str, *, note: str | None = None
) -> tuple[TokenRecord, str]:
    """Make a token for ``territory`` and store its hash; returns the record and the clear token,
    which the caller shows once to the person who will use it.

    Raises ``InputError`` for a malformed territory key and ``TokenFileError`` when the file cannot
    be read or written.
    """
    check_territory_key(territory)
    folder = Path(store_dir)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with _locked(folder):
        records = load_tokens(folder)
        taken = {r.id for r in records}
        token_id = "t" + secrets.token_hex(6)
        while token_id in taken:
            token_id = "t" + secrets.token_hex(6)
        record = TokenRecord(
            id=token_id,
            territory=territory,
            sha256=hash_token(token),
            created=_now(),
            note=note.strip() if note and note.strip() else None,
        )
        _write(folder, [*records, record])
    log.info("created token %s for territory %s", record.id, territory)
    return record, token


def revoke_token(store_dir: str | os.PathLike[str], token_id: str) -> TokenRecord:
    """Revoke a token (it stays in the file, marked with the time, for the record); revoking it
    again changes nothing.

    Raises ``NotFoundError`` for an unknown id and ``TokenFileError`` when the file cannot be
    read or written.
    """
    folder = Path(store_dir)
    with _locked(folder):
        records = load_tokens(folder)
        for i, record in enumerate(records):
            if record.id == token_id:
                if record.active:
                    record = replace(record, revoked=_now())
                    records[i] = record
                    _write(folder, records)
                    log.info("revoked token %s of territory %s", record.id, record.territory)
                return record
    raise NotFoundError(f"no token has the id {token_id!r} (see `rightsgraph token list`)")


# -- checking ------------------------------------------------------------------------------------
_cache: dict[Path, tuple[tuple[int, int, int], list[TokenRecord]]] = {}
_cache_lock = threading.Lock()


def _current(store_dir: Path) -> list[TokenRecord]:
    """The records, re-read only when the file changed (``os.replace`` gives it a new inode)."""
    path = tokens_path(store_dir)
    try:
        st = path.stat()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise TokenFileError(f"the token file {path} cannot be read: {exc}") from None
    stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
    with _cache_lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        records = load_tokens(store_dir)
        _cache[path] = (stamp, records)
        return records


def authenticate(store_dir: str | os.PathLike[str], token: str) -> TokenRecord | None:
    """The active record of ``token``, or ``None`` for an unknown or revoked token.

    Every stored hash is compared in constant time. Raises ``TokenFileError`` when the file is
    corrupt (every territory token is then refused, never accepted).
    """
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest = hash_token(token)
    found: TokenRecord | None = None
    for record in _current(Path(store_dir)):
        if hmac.compare_digest(digest, record.sha256) and record.active:
            found = record
    return found


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
