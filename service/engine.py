"""The query engine between the HTTP routers and the store: deadlines, row caps, revisions.

Routers never call the store directly for queries: they go through :class:`QueryEngine`, which
owns the policy (how long a query may run, how many rows an answer may carry) so that every
entry point (the SPARQL endpoint, named questions, pages, reports) applies the same rules.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from itertools import islice

from rightsgraph.service.settings import Settings
from rightsgraph.store.base import QueryResult, SelectResult, Store, Term
from rightsgraph.store.isolated import IsolatedStore


class QueryEngine:
    """Runs queries and updates against one store under the service's limits.

    With an :class:`IsolatedStore` (what ``rightsgraph serve`` uses) a query past its deadline is
    really stopped: the store worker is killed and restarted. With an in-process store only the
    row cap applies.
    """

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def revision(self) -> int:
        return self.store.revision()

    def deadline(self, requested: float | None, *, admin: bool = False) -> float:
        """The deadline a request gets: ``requested`` may lower the default; only an admin may
        raise it, up to ``admin_query_timeout``."""
        default = self.settings.query_timeout
        if requested is None or requested <= 0:
            return default
        ceiling = self.settings.admin_query_timeout if admin else default
        return min(requested, ceiling)

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        """Run a query. Raises ``QuerySyntaxError``, ``QueryEvaluationError``,
        ``QueryTimeoutError`` (past the deadline; the work is stopped) or ``StoreError``."""
        limit = self.settings.max_rows if max_rows is None else max_rows
        if isinstance(self.store, IsolatedStore):
            return self.store.query(
                sparql,
                substitutions=substitutions,
                default_graph=default_graph,
                named_graphs=named_graphs,
                timeout=timeout if timeout is not None else self.settings.query_timeout,
                max_rows=limit,
            )
        # An in-process store (tests, embedding): the cap holds, the deadline cannot be enforced.
        result = self.store.query(
            sparql,
            substitutions=substitutions,
            default_graph=default_graph,
            named_graphs=named_graphs,
        )
        if isinstance(result, SelectResult):
            return _capped(result, limit)
        return result

    def update(self, sparql: str) -> None:
        self.store.update(sparql)


def _capped(result: SelectResult, limit: int) -> SelectResult:
    """Stop after ``limit`` rows; ``capped`` becomes true only if a row was actually dropped."""
    source = result.rows
    first = list(islice(source, limit))
    extra = next(source, None)
    capped = SelectResult(variables=result.variables, rows=iter(()), capped=extra is not None)

    def rows() -> Iterator[tuple[Term | None, ...]]:
        yield from first

    capped.rows = rows()
    return capped
