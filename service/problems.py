"""RFC 9457 problem details: every error answer of the service has this shape."""

from __future__ import annotations

from fastapi.responses import JSONResponse

PROBLEM = "application/problem+json"
PROBLEM_BASE = "https://w3id.org/rightsgraph/problems/"


def problem(
    status: int,
    title: str,
    detail: str,
    type_: str = "error",
    *,
    headers: dict[str, str] | None = None,
    **extra: object,
) -> JSONResponse:
    """An ``application/problem+json`` answer; ``extra`` members are added as extensions."""
    body: dict[str, object] = {
        "type": PROBLEM_BASE + type_,
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)
