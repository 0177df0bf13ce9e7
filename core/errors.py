"""One exception hierarchy for the whole project.

The CLI maps these to exit codes and one readable line; the HTTP service maps them to RFC 9457
problem+json answers. Library code raises them and never prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class RightsGraphError(Exception):
    """Base of every error the project raises on purpose."""

    #: HTTP status the service answers with for this error.
    status: int = 400
    #: Short, stable problem type slug (``https://w3id.org/rightsgraph/problems/{type}``).
    type: str = "error"


class InputError(RightsGraphError):
    """The input cannot be read at all: wrong encoding, syntax error, unknown format, too large.

    ``line``/``row``/``column`` locate the problem where it is known.
    """

    status = 400
    type = "unreadable-input"

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.row = row
        self.column = column

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            shown = self.column if self.column.isdigit() else repr(self.column)
            where.append(f"column {shown}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class TooLargeError(InputError):
    """A file, a field or a request body is over its size limit."""

    status = 413
    type = "too-large"


class UnsupportedFormatError(InputError):
    """The input's format (extension or media type) is not one we read."""

    status = 415
    type = "unsupported-format"


class QuerySyntaxError(RightsGraphError):
    """A SPARQL query or update does not parse."""

    status = 400
    type = "query-syntax"


class QueryEvaluationError(RightsGraphError):
    """A query parsed but could not be evaluated (e.g. a ``SERVICE`` call failed)."""

    status = 400
    type = "query-evaluation"


class QueryTimeoutError(RightsGraphError):
    """A query ran past its deadline and was stopped."""

    status = 503
    type = "query-timeout"


class NotFoundError(RightsGraphError):
    """A named query, graph or resource does not exist."""

    status = 404
    type = "not-found"


class StoreError(RightsGraphError):
    """The store cannot be opened or written (disk, corruption)."""

    status = 503
    type = "store-error"


class StoreLockedError(StoreError):
    """Another process (usually ``rightsgraph serve``) holds the store's write lock."""

    type = "store-locked"


class RegistryUnavailableError(RightsGraphError):
    """An external registry (the Wikidata Query Service) cannot be reached, keeps refusing
    (429/503 past the retries) or answers with something that is not a SPARQL result.

    Callers catch it to go on with the offline registries (GeoNames, ISO 3166) alone.
    """

    status = 503
    type = "registry-unavailable"


@dataclass
class Problem:
    """One validation problem, located in the submitted file.

    ``severity`` is ``Violation``, ``Warning`` or ``Info``; ``message`` is in the submitter's
    language; ``row`` (tabular input) or ``line`` (text input) point back into the file.
    """

    severity: str
    message: str
    focus: str | None = None
    path: str | None = None
    value: str | None = None
    row: int | None = None
    line: int | None = None
    field: str | None = None
    shape: str | None = None
    constraint: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class ValidationFailed(RightsGraphError):
    """A submission was read but does not conform; nothing was written."""

    problems: list[Problem] = field(default_factory=list)
    status = 422
    type = "validation-failed"

    def __str__(self) -> str:
        n = sum(1 for p in self.problems if p.severity == "Violation")
        return f"the submission does not conform: {n} violation(s)"
