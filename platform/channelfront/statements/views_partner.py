"""Incentive pages on the storefront host.

Distributor staff: `/incentives` (open statements with the estimate of volume rules,
MDF fund balance, closed statements, a chart of the last eight periods). Buyers,
approvers and company admins of a reseller: `/commissions` (their statements,
renewal commissions, credit notes). Both: a statement's lines (`/statements/<id>`,
`/open?program=&period=`) and its CSV. Anyone else's statement is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import ceil
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from channelfront.accounts.models import UserKind
from channelfront.catalog.params import ParamError
from channelfront.catalog.views import current_terms
from channelfront.i18n.formatting import Money
from channelfront.orders.view_support import BUYING_ROLES, storefront_only, tenant_row
from channelfront.statements import csv_export, history, labels, open_period, partners, queries
from channelfront.statements.queries import LineView, ProgramInfo, Viewer
from channelfront.theming.views import render
from channelfront.web.params import page_number
from incentives.periods import Period

bp = Blueprint("incentives", __name__)
bp.before_request(storefront_only)
bp.add_app_template_global(history.period_label, "period_label")
bp.add_app_template_global(labels.rule_label, "rule_label")

PREFIX = {"distributor": "/incentives", "reseller": "/commissions"}
EXAMPLES = {"monthly": "2025-03", "quarterly": "2025-Q1", "semiannual": "2025-H1", "annual": "2025"}


def _viewer(audience: str) -> Viewer:
    tenant = tenant_row()
    if audience == "distributor":
        if current_user.kind != UserKind.DISTRIBUTOR:
            abort(403, description=_("Incentive statements are for the distributor's staff."))
        return Viewer(tenant.id, partners.distributor_id(tenant), audience)
    if current_user.kind != UserKind.RESELLER or current_user.role not in BUYING_ROLES:
        abort(
            403,
            description=_(
                "Commissions are for buyers, approvers and administrators of reseller accounts."
            ),
        )
    company_id = current_terms().enrollment.company_id
    return Viewer(tenant.id, partners.reseller_id(company_id), audience, company_id)


# -- query string -----------------------------------------------------------------------------


def _page_arg() -> int:
    return page_number(request.args)


def _program_arg(programs: dict[int, ProgramInfo], required: bool) -> ProgramInfo | None:
    code = (request.args.get("program") or "").strip()
    if not code:
        if required:
            raise ParamError("program", _("Choose a program."))
        return None
    found = queries.by_code(programs, code)
    if found is None or found.engine is None:  # a draft never published has no statements
        raise ParamError(
            "program", _("There is no program with the code “%(code)s”.", code=code[:40])
        )
    return found


def _period_arg(program: ProgramInfo) -> Period:
    key = (request.args.get("period") or "").strip()
    kind = program.period_kind
    period = history.period_for(key, kind) if kind else None
    if period is None:
        example = EXAMPLES.get(kind or "", "2025-Q1")
        raise ParamError(
            "period",
            _(
                "Write the period as this program's statements name it, e.g. %(example)s.",
                example=example,
            ),
        )
    return period


def _checked(read: Callable[[], Any]) -> Any:
    try:
        return read()
    except ParamError as error:
        abort(400, description=f"{error.field}: {error.message}")


# -- what the templates use -----------------------------------------------------------------------


@dataclass(frozen=True)
class Links:
    """URLs of one audience's pages, so the templates serve both."""

    audience: str
    company_id: int | None

    def url(self, name: str, /, **values: Any) -> str:
        return url_for(f"incentives.{self.audience}_{name}", **values)

    def order(self, line: LineView) -> str | None:
        """Where a line's source order is shown to this reader, if anywhere."""
        if line.order_number is None:
            return None
        if self.audience == "distributor":
            # Distributor staff see orders through their invoices (order pages are the reseller's).
            if line.invoice_number:
                return url_for("invoices.detail", number=line.invoice_number)
            return None
        if line.order_company_id == self.company_id:
            return url_for("orders.detail", number=line.order_number)
        return None

    def order_number(self, line: LineView) -> str | None:
        if self.audience == "reseller" and line.order_company_id != self.company_id:
            return None  # another reseller's order: not ours to show
        return line.order_number


def _statements_per_page() -> int:
    return int(current_app.config.get("STATEMENTS_PAGE_SIZE", 20))


def _lines_per_page() -> int:
    return int(current_app.config.get("STATEMENT_LINES_PAGE_SIZE", 200))


def _pages(total: int, per_page: int, page: int) -> tuple[int, int]:
    pages = max(1, ceil(total / per_page))
    return min(page, pages), pages


# -- pages ---------------------------------------------------------------------------------------


def home(audience: str) -> str:
    viewer = _viewer(audience)
    programs = queries.programs(viewer)
    page = _checked(_page_arg)
    program = _checked(lambda: _program_arg(programs, required=False))
    program_id = program.id if program else None
    total = queries.closed_count(viewer, program_id)
    page, pages = _pages(total, _statements_per_page(), page)
    closed = queries.closed_page(viewer, programs, page, _statements_per_page(), program_id)
    context: dict[str, Any] = {
        "links": Links(audience, viewer.company_id),
        "open_statements": open_period.open_statements(viewer, programs),
        "closed": closed,
        "total": total,
        "page": page,
        "pages": pages,
        "program": program,
        "programs": [p for p in programs.values() if p.engine is not None],
        "preview_lines": open_period.PREVIEW_LINES,
    }
    if audience == "distributor":
        context["funds"] = queries.fund_balances(viewer, programs)
        context["chart"] = history.bar_chart(queries.recent_totals(viewer, 8, program_id))
        return render("statements/incentives.html", **context)
    notes = queries.credit_notes(viewer, programs)
    context["credit_notes"] = notes
    context["available"] = _available(notes, tenant_row().currency)
    return render("statements/commissions.html", **context)


def _available(notes: list[queries.CreditNoteView], currency: str) -> Money:
    return Money(
        sum(n.remaining.minor for n in notes if n.remaining.currency == currency), currency
    )


def statement_page(audience: str, statement_id: int) -> str:
    viewer = _viewer(audience)
    programs = queries.programs(viewer)
    view = queries.statement(viewer, programs, statement_id)
    if view is None:
        abort(404)
    page = _checked(_page_arg)
    count = queries.line_count(viewer, view.program.id, view.start)
    page, pages = _pages(count, _lines_per_page(), page)
    return render(
        "statements/statement.html",
        links=Links(audience, viewer.company_id),
        statement=view,
        accruals=[],
        lines=queries.lines_page(viewer, view.program, view.start, page, _lines_per_page()),
        line_count=count,
        page=page,
        pages=pages,
        csv_url=Links(audience, viewer.company_id).url("statement_csv", statement_id=view.id),
        page_url=lambda n: Links(audience, viewer.company_id).url(
            "statement", statement_id=view.id, page=n
        ),
    )


def _open(audience: str) -> tuple[Viewer, open_period.OpenStatement | None, ProgramInfo, Period]:
    viewer = _viewer(audience)
    programs = queries.programs(viewer)
    program = _checked(lambda: _program_arg(programs, required=True))
    period = _checked(lambda: _period_arg(program))
    return (
        viewer,
        open_period.open_statement(viewer, programs, program, period.start),
        program,
        period,
    )


def _closed_instead(viewer: Viewer, program: ProgramInfo, period: Period) -> int:
    """An open-statement address for a period that has closed since: its statement."""
    closed = queries.closed_id(viewer, program.id, period.start)
    if closed is None:
        abort(404)
    return closed


def open_page(audience: str) -> Any:
    viewer, found, program, period = _open(audience)
    links = Links(audience, viewer.company_id)
    if found is None:
        closed = _closed_instead(viewer, program, period)
        return redirect(links.url("statement", statement_id=closed), 303)
    page = _checked(_page_arg)
    page, pages = _pages(found.line_count, _lines_per_page(), page)
    view = found.statement
    return render(
        "statements/statement.html",
        links=links,
        statement=view,
        accruals=found.accruals,
        lines=queries.lines_page(viewer, program, view.start, page, _lines_per_page()),
        line_count=found.line_count,
        page=page,
        pages=pages,
        csv_url=links.url("open_csv", program=program.code, period=view.period),
        page_url=lambda n: links.url("open", program=program.code, period=view.period, page=n),
    )


def _csv(viewer: Viewer, view: queries.StatementView) -> Response:
    lines = queries.lines_query(viewer, view.program.id, view.start)
    company = viewer.company_id if viewer.audience == "reseller" else None
    return Response(
        stream_with_context(csv_export.csv_chunks(view, lines, viewer.tenant_id, company)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{csv_export.filename(view)}"',
            "Cache-Control": "no-store",
        },
    )


def statement_csv(audience: str, statement_id: int) -> Response:
    viewer = _viewer(audience)
    view = queries.statement(viewer, queries.programs(viewer), statement_id)
    if view is None:
        abort(404)
    return _csv(viewer, view)


def open_csv(audience: str) -> Any:
    viewer, found, program, period = _open(audience)
    if found is None:
        closed = _closed_instead(viewer, program, period)
        return redirect(
            Links(audience, viewer.company_id).url("statement_csv", statement_id=closed), 303
        )
    return _csv(viewer, found.statement)


ROUTES: list[tuple[str, str, Callable[..., Any]]] = [
    ("", "home", home),
    ("/statements/<int:statement_id>", "statement", statement_page),
    ("/statements/<int:statement_id>.csv", "statement_csv", statement_csv),
    ("/open", "open", open_page),
    ("/open.csv", "open_csv", open_csv),
]

for _audience, _prefix in PREFIX.items():
    for _path, _name, _view in ROUTES:
        bp.add_url_rule(
            _prefix + _path,
            endpoint=f"{_audience}_{_name}",
            view_func=login_required(_view),
            defaults={"audience": _audience},
            methods=["GET"],
        )
