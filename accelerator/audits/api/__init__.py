"""Solutions and audits API (API.md, "Solutions and audits"), one module per sub-area of
``operations/``.

Each route: role gate → lookup through ``visible_to`` (404 otherwise) → schema → operation
→ an output schema. Handlers never commit: the request's unit of work does
(``core.unit_of_work``), and answers a concurrent change with 409. Every rule lives in
``operations`` and in the models' predicates.
"""

from accelerator.audits.api import (  # noqa: F401  (routes register on core.api.api)
    changes,
    conditions,
    preparation,
    review,
    solutions,
    workflow,
)
