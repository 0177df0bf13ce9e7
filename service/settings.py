"""Service settings, from ``RIGHTSGRAPH_*`` environment variables (pydantic-settings).

Read once per process through :func:`get_settings`; tests build their own ``Settings`` and pass
them to the app factory instead of touching the environment.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rightsgraph.iri import DEFAULT_BASE


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RIGHTSGRAPH_", extra="ignore")

    #: The embedded store folder.
    store: Path = Path("var/store")
    #: The base of every IRI the service mints and serves.
    base_iri: str = DEFAULT_BASE
    #: Bearer token for updates, Graph Store writes and any submission; unset = no writes over HTTP.
    admin_token: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    #: Deadline of a query in seconds; a request's ``timeout`` may only lower it (admin: raise it).
    query_timeout: float = 30.0
    #: Highest deadline an admin may ask for.
    admin_query_timeout: float = 600.0
    #: Most rows a SELECT answer carries; a capped answer says so in ``RightsGraph-Result-Capped``.
    max_rows: int = 100_000
    #: Largest request body (queries, updates, uploads), bytes.
    max_body_bytes: int = 5_000_000
    #: Queries one client may have running at once before getting 429.
    max_concurrent_per_client: int = 4
    #: Endpoints that ``SERVICE`` may call (never loopback or private addresses).
    service_allowlist: list[str] = ["https://query.wikidata.org/sparql"]
    #: Where ``SERVICE <https://query.wikidata.org/sparql>`` really goes (a mirror, or a loopback
    #: fixture in tests): the operator's endpoint, trusted even on loopback. Also read by the
    #: Wikidata registry client (``RIGHTSGRAPH_WIKIDATA_ENDPOINT``).
    wikidata_endpoint: str = "https://query.wikidata.org/sparql"
    #: Origins allowed by CORS for queries.
    cors_origins: list[str] = ["*"]
    #: Answer reads from an in-memory copy of the embedded store (RIGHTSGRAPH_MEMORY_READS).
    memory_reads: bool = Field(
        default=True,
        description=(
            "Keep an in-memory copy of the embedded store's live data in the store worker and "
            "answer every read from it (aggregates run 3 to 9 times faster than on disk). The "
            "disk stays the source of truth: each write commits there first and updates the "
            "copy before it returns. The copy costs about 0.4 GB of memory per million triples "
            "and is built in the background at start (about 10 s per million triples; reads "
            "go to disk meanwhile). Set RIGHTSGRAPH_MEMORY_READS=false to read from disk."
        ),
    )

    #: Bytes the response cache of query answers may hold (RIGHTSGRAPH_RESULT_CACHE_BYTES).
    result_cache_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        description="Bytes of query answers the service keeps, keyed by the store revision, to "
        "answer a repeated query without running it (0 turns the cache off).",
    )
    #: Answers larger than this are never kept (RIGHTSGRAPH_RESULT_CACHE_ENTRY_BYTES).
    result_cache_entry_bytes: int = Field(
        default=4 * 1024 * 1024,
        ge=0,
        description="The largest answer the response cache keeps, in bytes.",
    )

    @field_validator("store")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        """A relative store path means relative to where the service was started: fix it now,
        so that the store, its token file and report log never move with the working folder."""
        return value.expanduser().resolve()

    @field_validator("wikidata_endpoint")
    @classmethod
    def _http_endpoint(cls, value: str) -> str:
        """An absolute http(s) URL (checked once, at start-up, rather than on every query)."""
        from rightsgraph.service.guard import wikidata_routes

        wikidata_routes(value)  # raises ValueError, which pydantic reports with the field name
        return value.strip()

    def service_routes(self) -> dict[str, str]:
        """``SERVICE`` endpoints to rewrite: the public Wikidata endpoint to the configured one."""
        from rightsgraph.service.guard import wikidata_routes

        return wikidata_routes(self.wikidata_endpoint)

    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def check_safe(self) -> None:
        """Refuse settings that would expose an unprotected service.

        Raises ``ValueError`` when the service would listen beyond loopback without an admin token.
        """
        if not self.is_loopback() and self.admin_token is None:
            raise ValueError(
                f"refusing to listen on {self.host} without RIGHTSGRAPH_ADMIN_TOKEN: "
                "set an admin token or listen on 127.0.0.1"
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
