"""Checking and writing an uploaded customer list, inline or as Celery tasks.

``start(upload)`` checks a small file at once and hands a large one to
``customers.check_import``; ``run(upload)`` does the same with the write
(``customers.run_import``). Both report ``processed_rows`` as they go, committed, so the
page's progress bar moves; the customers themselves are written in one transaction at
the end of ``write``, after the file was checked again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from celery import shared_task
from sqlalchemy import update

from channelfront.accounts.models import User
from channelfront.audit.service import record
from channelfront.celery_app import app_task
from channelfront.customers import csv_import
from channelfront.customers.models import CustomerImport
from channelfront.extensions import db
from channelfront.tenancy.scoping import tenant_scope

log = logging.getLogger(__name__)
CHECK_TASK = "customers.check_import"
RUN_TASK = "customers.run_import"


def _progress(import_id: int) -> csv_import.Progress:
    """Commit the rows checked so far (nothing else is pending at these points)."""

    def report(done: int, total: int) -> None:
        db.session.execute(
            update(CustomerImport)
            .where(CustomerImport.id == import_id)
            .values(processed_rows=done, total_rows=total)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()

    return report


def _store(upload: CustomerImport, result: csv_import.Check, status: str) -> None:
    upload.status = status
    upload.total_rows = result.total_rows
    upload.processed_rows = result.total_rows
    upload.counts = result.counts()
    upload.errors = result.error_dicts()
    upload.preview = result.preview()


def check(import_id: int) -> None:
    """Check a ``checking`` upload and store its counts, errors and preview."""
    upload = db.session.get(CustomerImport, import_id)
    if upload is None or upload.status != "checking":
        return
    result = csv_import.check_text(upload.content, upload.company_id, _progress(import_id))
    db.session.refresh(upload)
    _store(upload, result, "checked" if result.valid else "invalid")
    db.session.commit()


def _claim(import_id: int) -> bool:
    """Move a checked upload to ``importing``; False if it was not (a second click)."""
    claimed = db.session.execute(
        update(CustomerImport)
        .where(CustomerImport.id == import_id, CustomerImport.status == "checked")
        .values(status="importing", processed_rows=0)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


def run(import_id: int) -> None:
    """Write a claimed (``importing``) upload: all of it in one commit, or nothing."""
    upload = db.session.get(CustomerImport, import_id)
    if upload is None or upload.status != "importing":
        return
    content, company_id = upload.content, upload.company_id
    try:
        written = csv_import.write(content, company_id, _progress(import_id))
        upload = db.session.get(CustomerImport, import_id)
        assert upload is not None
        if not written.check.valid:
            # The customers changed since the preview and the file no longer fits.
            _store(upload, written.check, "invalid")
        else:
            _store(upload, written.check, "done")
            upload.finished_at = datetime.now(UTC)
            actor = db.session.get(User, upload.user_id)
            record(
                "customer.imported",
                upload,
                label=upload.filename,
                after={"file": upload.filename, **upload.counts},
                tenant_id=upload.tenant_id,
                company_id=company_id,
                actor=actor,
            )
        db.session.commit()
    except Exception:  # whatever broke, nothing was written: say so on the page
        log.exception("customer import %s failed", import_id)
        db.session.rollback()
        _fail(import_id)


def _fail(import_id: int) -> None:
    db.session.execute(
        update(CustomerImport)
        .where(CustomerImport.id == import_id)
        .values(status="failed", finished_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


@dataclass(frozen=True)
class Job:
    """What starting a check or a write needs, read before the commit that precedes it:
    the session is not touched again until the task has been handed over."""

    tenant_id: int
    import_id: int
    large: bool

    @classmethod
    def of(cls, upload: CustomerImport) -> Job:
        db.session.flush()
        large = upload.content.count("\n") > csv_import.INLINE_ROWS
        return cls(upload.tenant_id, upload.id, large)


def _hand_over(name: str, job: Job) -> bool:
    """Queue the task; False when the broker cannot take it (the caller runs it inline)."""
    try:
        app_task(name).delay(job.tenant_id, job.import_id)
    except Exception:  # broker down: doing it now beats leaving the page waiting
        log.warning("customer import %s runs inline: broker unavailable", job.import_id)
        return False
    return True


def start(job: Job) -> None:
    """Check a committed ``checking`` upload: inline when small, else by a task."""
    if not (job.large and _hand_over(CHECK_TASK, job)):
        check(job.import_id)


def start_run(job: Job) -> bool:
    """Claim a checked upload and write it: inline when small, else by a task."""
    if not _claim(job.import_id):
        return False
    if not (job.large and _hand_over(RUN_TASK, job)):
        run(job.import_id)
    return True


@shared_task(name=CHECK_TASK, acks_late=True)
def check_task(tenant_id: int, import_id: int) -> None:
    with tenant_scope(tenant_id):
        check(import_id)


@shared_task(name=RUN_TASK, acks_late=True)
def run_task(tenant_id: int, import_id: int) -> None:
    with tenant_scope(tenant_id):
        run(import_id)
