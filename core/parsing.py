"""One process-wide lock around rdflib's SPARQL parser.

rdflib parses SPARQL with pyparsing, whose grammar objects keep state while they parse and are
not safe to use from two threads at once (RDFLib/rdflib#1282). The service parses SPARQL in its
worker threads in two places: the ``SERVICE`` guard (``service/guard.py``) and pySHACL's
SHACL-SPARQL constraints during submission validation (``shapes/validate.py``). Two submissions
validated at the same moment broke the parser for the rest of the process, and every later
submission failed with a 500. Every rdflib SPARQL parse in the service takes this lock.
"""

from __future__ import annotations

import threading

#: Held while rdflib parses (or pySHACL validates, which parses on first use of a constraint).
RDFLIB_SPARQL = threading.RLock()

__all__ = ["RDFLIB_SPARQL"]
