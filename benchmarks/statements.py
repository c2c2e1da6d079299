"""A quarter's statement for one distributor with 1,000,000 order lines, on PostgreSQL.

Run from the repository root (PostgreSQL at 127.0.0.1:5432, user postgres)::

    .venv/bin/python benchmarks/statements.py                  # 1,000,000 lines
    .venv/bin/python benchmarks/statements.py --lines 100000

One run:

1. builds a fresh PostgreSQL database as the deploy step does (``flask db upgrade``,
   ``flask demo load``) and publishes a program on northwind (USD, New York time) with
   the demo distributor program's rules: commission by category in an exclusive
   group, a retroactive volume rebate, a SPIFF with a unit cap, MDF;
2. seeds the quarter 2026-Q3 (``statements_seed.py``): orders of every reseller
   enrolled on northwind, four lines each, with their invoices and one purchase fact
   per line; posts the facts through the engine (``incentives.Engine`` over an
   in-memory ledger) and copies the ledger entries and volumes it wrote into the
   ledger tables, as checkout would have written them one order at a time;
3. in a fresh process, times a plain SQL sum of the same order lines (three times),
   then closes the quarter as the beat task does (``close.close_one``: aggregate
   lines, one statement per beneficiary, the credit note, the commit), and reads the
   process's peak resident memory (``VmHWM``) against its size before the close;
4. checks that the volume the statement's rebate was computed on is the plain sum.

Prints the figures and the ratio (statement / plain sum); exits 1 when a check fails.
Figures go to ``benchmarks/out/statements.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import build, fresh_database, memory_kib, postgres_available, server_env
from catalog import make_app
from loadgen import HOST, ROOT, BenchmarkFailed, signed_in_client

QUARTER = "2026-Q3"
STAFF = "finance@northwind.example"
OUT = Path(__file__).resolve().parent / "out" / "statements.json"

PLAIN_SUM = """
SELECT count(*), coalesce(sum(l.total_minor), 0)
FROM order_line l JOIN purchase_order o ON o.id = l.order_id
WHERE o.tenant_id = %(tenant)s AND o.status = 'invoiced'
  AND o.created_at >= %(start)s AND o.created_at < %(end)s
"""


def quarter_bounds(zone: str) -> tuple[datetime, datetime]:
    """The instants the quarter starts and ends at, in the program's time zone."""
    from zoneinfo import ZoneInfo

    local = ZoneInfo(zone)
    return (
        datetime(2026, 7, 1, tzinfo=local).astimezone(UTC),
        datetime(2026, 10, 1, tzinfo=local).astimezone(UTC),
    )


def reset_peak() -> None:
    """Start the process's peak resident memory (VmHWM) again from its present size."""
    Path("/proc/self/clear_refs").write_text("5")


def distributor_pages(app: Any, statement_id: int) -> dict[str, Any]:
    """The distributor's staff read the statement: its page, then its whole CSV."""
    client = signed_in_client(app, STAFF)
    base = f"http://{HOST}"
    timings = {}
    for name, path in (("home", "/incentives"), ("page", f"/incentives/statements/{statement_id}")):
        client.get(path, base_url=base)  # warm: templates, caches
        began = time.perf_counter()
        response = client.get(path, base_url=base)
        timings[f"{name}_seconds"] = round(time.perf_counter() - began, 3)
        if response.status_code != 200:
            raise BenchmarkFailed(f"{path} answered {response.status_code}")
    reset_peak()
    before = memory_kib(os.getpid())["VmRSS"]
    began = time.perf_counter()
    response = client.get(f"/incentives/statements/{statement_id}.csv", base_url=base)
    size = rows = 0
    for chunk in response.response:
        size += len(chunk)
        rows += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
    response.close()
    timings["csv_seconds"] = round(time.perf_counter() - began, 3)
    timings["csv_rows"] = rows
    timings["csv_mib"] = round(size / 2**20, 1)
    timings["csv_rss_growth_mib"] = round((memory_kib(os.getpid())["VmHWM"] - before) / 1024, 1)
    return timings


def console_list() -> dict[str, float]:
    """The reads of the vendor console's statement list (every tenant), timed after a warm one."""
    from channelfront.statements import admin_queries

    reads = {
        "console_choices_seconds": admin_queries.beneficiary_choices,
        "console_count_seconds": lambda: admin_queries.statement_count(admin_queries.Filters()),
        "console_page_seconds": lambda: admin_queries.statements_page(
            admin_queries.Filters(), 1, 50
        ),
    }
    timings = {}
    for name, read in reads.items():
        read()
        began = time.perf_counter()
        read()
        timings[name] = round(time.perf_counter() - began, 3)
    return timings


def measure(database_url: str, tenant_id: int, program_id: int) -> dict[str, Any]:
    """In this (fresh) process: the plain sum three times, then the close; the figures."""
    from sqlalchemy import func, select

    from channelfront.extensions import db
    from channelfront.statements import close
    from channelfront.statements.models import LedgerEntry, Statement, VolumeEntry
    from channelfront.tenancy.scoping import tenant_scope

    app = make_app(database_url)
    period = close.parse_period(QUARTER, "quarterly")
    assert period is not None
    start, end = quarter_bounds("America/New_York")
    with app.app_context():
        connection = db.engine.raw_connection()
        sums = []
        for _ in range(3):
            began = time.perf_counter()
            cursor = connection.cursor()
            cursor.execute(PLAIN_SUM, {"tenant": tenant_id, "start": start, "end": end})
            lines, total = cursor.fetchone()
            sums.append(time.perf_counter() - began)
        connection.close()
        before = memory_kib(os.getpid())
        began = time.perf_counter()
        closed = close.close_one(close.Due(tenant_id, program_id, period), datetime.now(UTC))
        statement_seconds = time.perf_counter() - began
        after = memory_kib(os.getpid())
        with tenant_scope(tenant_id):
            statements = db.session.execute(
                select(Statement.beneficiary, Statement.total_minor, Statement.disposition).where(
                    Statement.program_id == program_id, Statement.period == QUARTER
                )
            ).all()
            volume = db.session.scalar(
                select(func.sum(VolumeEntry.amount_minor)).where(
                    VolumeEntry.program_id == program_id,
                    VolumeEntry.rule_id == "volume-rebate",
                    VolumeEntry.posting_start == period.start,
                )
            )
            entries = db.session.scalar(
                select(func.count(LedgerEntry.id)).where(
                    LedgerEntry.program_id == program_id,
                    LedgerEntry.posting_start == period.start,
                )
            )
            statement_id = db.session.scalar(
                select(Statement.id).where(
                    Statement.program_id == program_id,
                    Statement.period == QUARTER,
                    Statement.beneficiary == "northwind",
                )
            )
        pages = distributor_pages(app, statement_id) if statement_id is not None else {}
        pages.update(console_list())
    return {
        **pages,
        "closed": closed,
        "order_lines": int(lines),
        "lines_total_minor": int(total),
        "plain_sum_seconds": [round(s, 3) for s in sums],
        "statement_seconds": round(statement_seconds, 3),
        "ledger_entries": int(entries or 0),
        "rebate_volume_minor": int(volume or 0),
        "statements": [
            {"beneficiary": who, "total_minor": int(t), "disposition": d}
            for who, t, d in statements
        ],
        "rss_before_mib": round(before["VmRSS"] / 1024, 1),
        "rss_peak_mib": round(after["VmHWM"] / 1024, 1),
    }


def measure_in_child(database_url: str, tenant_id: int, program_id: int) -> dict[str, Any]:
    """``measure`` in a new interpreter, so its peak memory is the close's alone."""
    done = subprocess.run(
        [sys.executable, __file__, "measure", database_url, str(tenant_id), str(program_id)],
        cwd=ROOT,
        env=server_env(database_url),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchmarkFailed(f"the measuring process failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def checks(figures: dict[str, Any], lines: int) -> list[str]:
    problems = []
    if not figures["closed"]:
        problems.append("the quarter did not close")
    if figures["order_lines"] != lines:
        problems.append(f"the plain sum saw {figures['order_lines']} lines, not {lines}")
    if figures["rebate_volume_minor"] != figures["lines_total_minor"]:
        problems.append("the rebate's volume is not the sum of the order lines")
    if not any(s["beneficiary"] == "northwind" for s in figures["statements"]):
        problems.append("no statement for the distributor")
    return problems


def report(figures: dict[str, Any], seeded: dict[str, Any]) -> list[str]:
    plain = min(figures["plain_sum_seconds"])
    ratio = figures["statement_seconds"] / plain if plain else float("inf")
    distributor = next(s for s in figures["statements"] if s["beneficiary"] == "northwind")
    printed = [
        f"quarter {QUARTER} on northwind: {figures['order_lines']:,} order lines in "
        f"{seeded['orders']:,} orders, {figures['ledger_entries']:,} ledger entries",
        f"seeding: {seeded['seconds']:.0f} s (posting through the engine "
        f"{seeded['post_seconds']:.0f} s)",
        "plain SQL sum of the lines: "
        + ", ".join(f"{s:.3f}" for s in figures["plain_sum_seconds"])
        + " s",
        f"statement (close the quarter, commit): {figures['statement_seconds']:.3f} s",
        f"ratio statement / plain sum (fastest): {ratio:.1f}",
        f"distributor's statement: {distributor['total_minor'] / 100:,.2f} USD "
        f"({distributor['disposition']}); {len(figures['statements'])} statements",
        f"memory of the closing process: {figures['rss_before_mib']:.0f} MiB before, "
        f"peak {figures['rss_peak_mib']:.0f} MiB",
    ]
    if "csv_rows" not in figures:
        return printed
    return [
        *printed,
        f"distributor's pages (in-process): /incentives {figures['home_seconds']:.3f} s, "
        f"the statement {figures['page_seconds']:.3f} s",
        f"statement CSV: {figures['csv_rows']:,} rows, {figures['csv_mib']:.0f} MiB in "
        f"{figures['csv_seconds']:.1f} s, memory grew {figures['csv_rss_growth_mib']:.0f} MiB",
        f"vendor console's statement list (in-process reads): beneficiaries "
        f"{figures['console_choices_seconds']:.3f} s, count {figures['console_count_seconds']:.3f}"
        f" s, first page {figures['console_page_seconds']:.3f} s",
    ]


@click.group(invoke_without_command=True)
@click.option("--lines", default=1_000_000, show_default=True, help="Order lines in the quarter.")
@click.pass_context
def main(context: click.Context, lines: int) -> None:
    """Time a quarter's statement against a plain SQL sum of the same order lines."""
    if context.invoked_subcommand is not None:
        return
    from statements_seed import seed_quarter

    if not postgres_available():
        raise click.ClickException("PostgreSQL does not answer at 127.0.0.1:5432")
    with tempfile.TemporaryDirectory() as folder, fresh_database("postgresql", Path(folder)) as url:
        click.echo("building the demo database ...", err=True)
        build(server_env(url))
        app = make_app(url)
        seeded = seed_quarter(app, lines, QUARTER)
        figures = measure_in_child(url, seeded["tenant_id"], seeded["program_id"])
    lines_out = report(figures, seeded)
    click.echo("\n".join(lines_out))
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(
        json.dumps({"date": date.today().isoformat(), "seeded": seeded, **figures}, indent=2)
    )
    problems = checks(figures, lines)
    if problems:
        click.echo("FAILED: " + "; ".join(problems), err=True)
        sys.exit(1)


@main.command("measure", hidden=True)
@click.argument("database_url")
@click.argument("tenant_id", type=int)
@click.argument("program_id", type=int)
def measure_command(database_url: str, tenant_id: int, program_id: int) -> None:
    click.echo(json.dumps(measure(database_url, tenant_id, program_id)))


if __name__ == "__main__":
    main()
