"""Order history benchmark: 100,000 orders for one company, the history page and the CSV.

Run from the repository root::

    .venv/bin/python benchmarks/history.py                 # a few minutes
    .venv/bin/python benchmarks/history.py --no-postgres --duration 5

For each database (SQLite in a temporary folder; PostgreSQL on a fresh database at
127.0.0.1:5432 when it answers):

1. builds the demo (``flask db upgrade``, ``flask demo load``) and seeds 1,000 orders of
   Bluebird IT on northwind (2,000 end customers, 1 to 3 lines each, an invoice for
   every invoiced order) with bulk inserts;
2. counts the SQL statements of the history pages, in-process and signed in as
   buyer@bluebird.example: ``/orders``, a search, a status filter on page 3, a PO
   filter, and ``GET /api/v1/orders``; and times ``/orders`` (median and p95 of 40);
3. seeds up to 100,000 orders and does it again: the counts must not change;
4. exports ``/orders.csv`` (all 100,000 orders) in-process, reading the streamed
   response while ``tracemalloc`` records the peak of Python allocations;
5. serves the app with gunicorn (2 gthread workers x 4 threads) and loads ``/orders``,
   ``GET /api/v1/orders`` and ``/healthz`` with wrk (p95 from a Lua ``done`` hook);
6. serves it again with one worker and one thread, downloads ``/orders.csv`` over HTTP
   and reads the worker's peak resident memory (``VmHWM``) against its resident memory
   before (``VmRSS``): the export streams, so the growth must stay under 150 MB.

Prints the figures and writes them to ``benchmarks/out/history.json``. Needs ``wrk``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import asdict, dataclass
from pathlib import Path

import click
from benchdb import (
    api_token,
    build,
    children,
    fresh_database,
    memory_kib,
    postgres_available,
    run_wrk_with,
    served,
    server_env,
)
from catalog import make_app, recorded_statements
from history_seed import seed_orders
from loadgen import (
    BUYER,
    HOST,
    LUA_REPORT,
    ROOT,
    USER_AGENT,
    BenchmarkFailed,
    LoadResult,
    free_port,
    sign_in,
    signed_in_client,
)

sys.path.insert(0, str(ROOT / "platform"))  # this checkout's code, not an installed copy

MAX_STATEMENTS = 12
MAX_EXPORT_MB = 150
PAGES = [
    "/orders",
    "/orders?q=acme",
    "/orders?status=invoiced&page=3",
    "/orders?po=PO-00",
]
API_PAGE = "/api/v1/orders"


@dataclass
class InProcess:
    orders: int
    statements: dict[str, int]
    page_ms_median: float
    page_ms_p95: float


@dataclass
class Export:
    rows: int
    megabytes: float
    seconds: float
    peak_mb: float


@dataclass
class ServerExport:
    rows: int
    megabytes: float
    seconds: float
    rss_before_mb: float
    peak_mb: float
    growth_mb: float


@dataclass
class Result:
    database: str
    small: InProcess
    large: InProcess
    export: Export
    server_export: ServerExport
    loads: list[LoadResult]


def in_process(app, api_token_value: str, orders: int, samples: int = 40) -> InProcess:  # type: ignore[no-untyped-def]
    from channelfront.extensions import db

    client = signed_in_client(app)
    base = f"http://{HOST}"
    bearer = {"Authorization": f"Bearer {api_token_value}"}
    with app.app_context():
        engine = db.engine
    counts = {}
    for path in [*PAGES, API_PAGE]:
        headers = bearer if path == API_PAGE else {}
        client.get(path, base_url=base, headers=headers)  # warm: host map, templates
        with recorded_statements(engine) as statements:
            response = client.get(path, base_url=base, headers=headers)
        if response.status_code != 200:
            raise BenchmarkFailed(f"{path} answered {response.status_code}")
        if path != API_PAGE and b'class="data order-history"' not in response.data:
            raise BenchmarkFailed(f"{path} shows no orders")
        counts[path] = len(statements)
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        client.get("/orders", base_url=base)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return InProcess(
        orders=orders,
        statements=counts,
        page_ms_median=round(statistics.median(timings), 1),
        page_ms_p95=round(timings[int(len(timings) * 0.95) - 1], 1),
    )


def export_in_process(app) -> Export:  # type: ignore[no-untyped-def]
    """Read the whole streamed CSV through the test client; tracemalloc's peak meanwhile."""
    client = signed_in_client(app)
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get("/orders.csv", base_url=f"http://{HOST}", buffered=False)
    size = rows = 0
    try:
        for chunk in response.response:
            data = chunk if isinstance(chunk, bytes) else chunk.encode()
            size += len(data)
            rows += data.count(b"\n")
    finally:
        response.close()
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if response.status_code != 200:
        raise BenchmarkFailed(f"/orders.csv answered {response.status_code}")
    return Export(rows - 1, round(size / 1e6, 1), round(seconds, 1), round(peak / 2**20, 1))


def export_served(env: dict[str, str], workdir: Path) -> ServerExport:
    """Download /orders.csv from a one-worker, one-thread gunicorn; its memory around it."""
    port = free_port()
    with served(env, port, 1, 1, workdir / "gunicorn-export.log") as master:
        cookie = sign_in(port)
        (worker,) = children(master.pid)
        page = _download(port, "/orders", cookie)[0]  # warm: imports, templates, caches
        if page <= 0:
            raise BenchmarkFailed("/orders answered nothing")
        before = memory_kib(worker)
        started = time.perf_counter()
        size, rows = _download(port, "/orders.csv", cookie)
        seconds = time.perf_counter() - started
        after = memory_kib(worker)
    rss = before["VmRSS"] / 1024
    peak = after["VmHWM"] / 1024
    return ServerExport(
        rows=rows - 1,
        megabytes=round(size / 1e6, 1),
        seconds=round(seconds, 1),
        rss_before_mb=round(rss, 1),
        peak_mb=round(peak, 1),
        growth_mb=round(max(0.0, peak - rss), 1),
    )


def _download(port: int, path: str, cookie: str) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request(
            "GET", path, headers={"Host": HOST, "Cookie": cookie, "User-Agent": USER_AGENT}
        )
        response = conn.getresponse()
        if response.status != 200:
            raise BenchmarkFailed(f"{path} answered {response.status}")
        size = rows = 0
        while chunk := response.read(64 * 1024):
            size += len(chunk)
            rows += chunk.count(b"\n")
        return size, rows
    finally:
        conn.close()


def load(env: dict[str, str], workdir: Path, token: str, options: dict) -> list[LoadResult]:
    port = free_port()
    lua = workdir / "report.lua"
    lua.write_text(LUA_REPORT)
    results = []
    with served(env, port, options["workers"], options["threads"], workdir / "gunicorn.log"):
        cookie = sign_in(port)
        targets = [
            ("/orders", [f"Cookie: {cookie}", f"User-Agent: {USER_AGENT}"]),
            (API_PAGE, [f"Authorization: Bearer {token}"]),
            ("/healthz", []),
        ]
        for path, headers in targets:
            args = (port, path, headers)
            shape = (options["connections"], options["wrk_threads"], lua)
            if options["warmup"]:
                run_wrk_with(*args, options["warmup"], *shape)
            click.echo(f"Loading {path} for {options['duration']} s ...", err=True)
            results.append(run_wrk_with(*args, options["duration"], *shape))
    return results


def run_database(kind: str, workdir: Path, options: dict) -> Result:
    with fresh_database(kind, workdir) as url:
        env = server_env(url)
        click.echo(f"[{kind}] building {url.split('@')[-1]} ...", err=True)
        build(env)
        token = api_token(env, BUYER, "northwind")
        app = make_app(url)
        small = in_process(app, token, seed_orders(app, options["small"]))
        started = time.monotonic()
        total = seed_orders(app, options["orders"] - small.orders)
        click.echo(f"[{kind}] {total:,} orders after {time.monotonic() - started:.1f} s", err=True)
        large = in_process(app, token, total)
        click.echo(f"[{kind}] exporting {total:,} orders in-process ...", err=True)
        with contextlib.redirect_stdout(sys.stderr):
            export = export_in_process(app)
        loads = load(env, workdir, token, options)
        click.echo(f"[{kind}] exporting over HTTP ...", err=True)
        server_export = export_served(env, workdir)
    return Result(kind, small, large, export, server_export, loads)


def report(results: list[Result], meta: dict) -> list[str]:
    failures = []
    click.echo("")
    click.echo(
        f"Server: gunicorn, {meta['workers']} gthread workers x {meta['threads']} threads; "
        f"load: wrk -t{meta['wrk_threads']} -c{meta['connections']} -d{meta['duration']}s; "
        f"{meta['cpus']} CPUs shared by both; load average {meta['load_before']:.1f} before, "
        f"{meta['load_after']:.1f} after"
    )
    for result in results:
        small, large = result.small, result.large
        click.echo("")
        click.echo(f"== {result.database}: {large.orders:,} orders of one company ==")
        click.echo(f"SQL statements per page (budget {MAX_STATEMENTS}):")
        for path, count in large.statements.items():
            click.echo(
                f"  {path:<34} {small.statements[path]:>3} with {small.orders:,} orders, "
                f"{count:>3} with {large.orders:,}"
            )
            if count != small.statements[path]:
                failures.append(f"{result.database} {path}: {small.statements[path]} -> {count}")
            if count > MAX_STATEMENTS:
                failures.append(f"{result.database} {path}: {count} statements")
        click.echo(
            f"/orders in-process (one thread): median {small.page_ms_median} ms, "
            f"p95 {small.page_ms_p95} ms with {small.orders:,}; median "
            f"{large.page_ms_median} ms, p95 {large.page_ms_p95} ms with {large.orders:,}"
        )
        click.echo(f"{'endpoint':<18}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
        for load_result in result.loads:
            click.echo(
                f"{load_result.path:<18}{load_result.requests_per_second:>9.1f}"
                f"{load_result.p50_ms:>9.1f}{load_result.p95_ms:>9.1f}{load_result.p99_ms:>9.1f}"
            )
            if any(load_result.errors.values()):
                failures.append(f"{result.database} {load_result.path}: {load_result.errors}")
        export, served_export = result.export, result.server_export
        click.echo(
            f"/orders.csv in-process: {export.rows:,} orders, {export.megabytes} MB in "
            f"{export.seconds} s; tracemalloc peak {export.peak_mb} MB"
        )
        click.echo(
            f"/orders.csv served: {served_export.rows:,} orders, {served_export.megabytes} MB in "
            f"{served_export.seconds} s; worker RSS {served_export.rss_before_mb} MB before, "
            f"peak {served_export.peak_mb} MB: growth {served_export.growth_mb} MB "
            f"(budget {MAX_EXPORT_MB})"
        )
        for rows in (export.rows, served_export.rows):
            if rows != large.orders:
                failures.append(f"{result.database}: the CSV has {rows} orders")
        if max(export.peak_mb, served_export.growth_mb) >= MAX_EXPORT_MB:
            failures.append(f"{result.database}: the export took more than {MAX_EXPORT_MB} MB")
    return failures


@click.command()
@click.option("--orders", default=100_000, show_default=True, help="Orders of the company.")
@click.option("--small", default=1_000, show_default=True, help="Orders at the first count.")
@click.option("--duration", default=10, show_default=True, help="Seconds of load per endpoint.")
@click.option("--warmup", default=2, show_default=True, help="Seconds of unmeasured load first.")
@click.option("--connections", default=50, show_default=True, help="wrk connections.")
@click.option("--wrk-threads", default=2, show_default=True, help="wrk threads.")
@click.option("--workers", default=2, show_default=True, help="gunicorn gthread workers.")
@click.option("--threads", default=4, show_default=True, help="Threads per gunicorn worker.")
@click.option("--no-postgres", is_flag=True, help="SQLite only.")
@click.option("--keep", is_flag=True, help="Keep the temporary folder (SQLite files, logs).")
@click.option(
    "--json-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=ROOT / "benchmarks" / "out" / "history.json",
    show_default=True,
)
def main(json_out: Path, no_postgres: bool, keep: bool, **options: int) -> None:
    """The order history page, its SQL and the CSV export for a company with 100,000 orders."""
    if shutil.which("wrk") is None:
        raise click.ClickException("wrk is not installed (apt-get install -y wrk)")
    databases = ["sqlite"]
    if not no_postgres:
        if postgres_available():
            databases.append("postgresql")
        else:
            click.echo("PostgreSQL does not answer at 127.0.0.1:5432: SQLite only.", err=True)
    workdir = Path(tempfile.mkdtemp(prefix="cf-bench-history-"))
    load_before = os.getloadavg()[0]
    try:
        results = [run_database(kind, workdir, options) for kind in databases]
    finally:
        if keep:
            click.echo(f"Kept {workdir}", err=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    meta = {
        **options,
        "cpus": os.cpu_count(),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }
    failures = report(results, meta)
    json_out.parent.mkdir(parents=True, exist_ok=True)
    json_out.write_text(
        json.dumps(
            {**meta, "results": [asdict(r) for r in results], "failures": failures}, indent=2
        )
    )
    if failures:
        raise BenchmarkFailed("; ".join(failures))
    click.echo(f"\nAll checks passed. JSON: {json_out}")


if __name__ == "__main__":
    main()
