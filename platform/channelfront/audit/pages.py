"""The audit log page and its CSV download, the same for every audience."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Response, abort, current_app, request, stream_with_context
from flask_babel import gettext as _
from sqlalchemy import Select

from channelfront.audit import display, labels, queries
from channelfront.audit.models import AuditEvent
from channelfront.extensions import db
from channelfront.orders.export import safe_cell
from channelfront.theming.views import render
from channelfront.web.params import ParamError

BATCH = 1000
CHUNK = 64 * 1024


def _header() -> list[str]:
    return [
        _("Date (UTC)"),
        _("Who"),
        _("Action"),
        _("Record"),
        _("Record id"),
        _("Name"),
        _("Before"),
        _("After"),
    ]


def _when(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _row(event: AuditEvent) -> list[str]:
    return [
        _when(event.at),
        event.actor_label,
        labels.action_label(event.action),
        labels.subject_label(event.subject_type),
        event.subject_id,
        event.subject_label,
        display.summary(event, "before"),
        display.summary(event, "after"),
    ]


def csv_chunks(stmt: Select[tuple[AuditEvent]]) -> Iterator[str]:
    """The events as CSV text (UTF-8 with a BOM), formulas defused, in batches."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([safe_cell(cell) for cell in _header()])
    result = db.session.scalars(stmt.execution_options(yield_per=BATCH))
    for event in result:
        writer.writerow([safe_cell(cell) for cell in _row(event)])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    result.close()
    yield buffer.getvalue()


def _csv_response(reader: queries.Reader, filters: queries.AuditFilters, name: str) -> Response:
    stmt = queries.events(reader, filters)
    filename = f"audit-{name}-{datetime.now(UTC):%Y%m%d}.csv"
    return Response(
        stream_with_context(csv_chunks(stmt)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def audit_log(
    reader: queries.Reader | None, template: str, endpoint: str, name: str, **context: Any
) -> Response | tuple[str, int]:
    """The reader's filtered events as a page, or as CSV with ``format=csv``.

    ``name`` goes into the CSV's file name; a bad filter is a 400 naming it.
    """
    if reader is None:
        abort(403, description=_("Your role cannot read the audit log."))
    context.update(
        endpoint=endpoint,
        args=request.args,
        actions=sorted(
            ((key, str(label)) for key, label in labels.ACTION_LABELS.items()),
            key=lambda item: item[1],
        ),
        subjects=sorted(
            ((key, str(label)) for key, label in labels.SUBJECT_LABELS.items()),
            key=lambda item: item[1],
        ),
        action_label=labels.action_label,
        subject_label=labels.subject_label,
        changes=display.changes,
    )
    try:
        output = (request.args.get("format") or "").strip()
        if output not in ("", "csv"):
            raise ParamError("format", _("The format can only be csv."))
        filters = queries.parse_filters(request.args)
        if output == "csv":
            return _csv_response(reader, filters, name)
        size = current_app.config.get("AUDIT_PAGE_SIZE", queries.PER_PAGE)
        page = queries.page_of(reader, filters, per_page=size)
    except ParamError as error:
        return render(template, page=None, error=error, **context), 400
    return render(template, page=page, error=None, **context), 200
