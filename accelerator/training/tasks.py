"""Training's background work: attendance imports run by the worker (``core.jobs``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accelerator.core.jobs import Job, job_handler
from accelerator.training.imports import KIND, run_import_job


@job_handler(KIND, _l("Attendance import"))
def attendance_import(job: Job) -> dict:
    """Import the stored file; the result is the report (imported, unchanged, errors)."""
    return run_import_job(job)
