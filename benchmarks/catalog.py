"""Catalog benchmark: /catalog beside /healthz on one gunicorn server, and SQL per page.

Run from the repository root::

    .venv/bin/python benchmarks/catalog.py               # about a minute in all
    .venv/bin/python benchmarks/catalog.py --duration 30 --connections 100

What it does, in order:

1. builds a fresh SQLite database (``flask db upgrade``, ``flask demo load``) in a
   temporary folder, unless ``--database-url`` names an empty database;
2. counts the SQL statements of one catalog page on the 60-product demo catalog,
   in-process through the Flask test client;
3. seeds the shared catalog up to 10,000 products (texts, USD/EUR/JPY list prices,
   20 categories, 8 groups) and 500 reseller companies with users, enrollments on
   the demo tenants and partner prices, with bulk Core inserts;
4. counts the statements of the same page again: the count must not grow, and must
   stay at or under 10;
5. serves the app with gunicorn (2 gthread workers x 4 threads), signs in as
   buyer@bluebird.example on northwind.localhost, and loads /catalog and then /healthz
   with wrk for the same duration each, on the same server;
6. prints requests per second, latency percentiles (p95 from a wrk Lua ``done`` hook)
   and the catalog-to-healthz ratios, and writes them as JSON to ``benchmarks/out/``.

The load tool shares the machine's cores with the server, so absolute figures mean
little on their own: compare the catalog with /healthz from the same run.
Exit status 1 when a check fails (statement budget, a non-2xx answer, a wrong page).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import click
from loadgen import (
    BUYER,
    HOST,
    LUA_REPORT,
    PASSWORD,
    ROOT,
    BenchmarkFailed,
    LoadResult,
    csrf_token,
    free_port,
    gunicorn,
    http_request,
    run_wrk,
    sign_in,
)
from seeding import SeedPlan, seed

sys.path.insert(0, str(ROOT / "platform"))  # this checkout's code, not an installed copy

MAX_STATEMENTS = 10
CATALOG_PATHS = ["/catalog", "/catalog?q=shield", "/catalog?page=3"]


def flask_cli(env: dict[str, str], *args: str) -> None:
    """Run a ``flask --app wsgi`` command as the deploy step would."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchmarkFailed(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")


def make_app(database_url: str):  # type: ignore[no-untyped-def]
    from channelfront import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "benchmark-secret",
            "LICENSE_SIGNING_KEY": "benchmark-license-key",
            "PASSWORD_HASH_COST": "cheap",
            "LOGIN_RATE_LIMIT": "1000 per minute",
        }
    )


# --- statements per page, in-process ------------------------------------------------


@contextmanager
def recorded_statements(engine) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@dataclass
class InProcess:
    statements: dict[str, int]
    catalog_ms_median: float


def in_process(app, samples: int = 40) -> InProcess:  # type: ignore[no-untyped-def]
    """SQL statements of catalog pages for the signed-in buyer, through the test client,
    and the median time of one /catalog page there (one thread, no HTTP, no contention
    from the load tool: a figure that moves only with the code and the data)."""
    from channelfront.extensions import db
    from channelfront.tenancy.hosts import host_map

    host_map.invalidate()
    client = app.test_client()
    base = f"http://{HOST}"
    page = client.get("/login", base_url=base).get_data(as_text=True)
    token = csrf_token(page)
    response = client.post(
        "/login",
        base_url=base,
        data={"email": BUYER, "password": PASSWORD, "csrf_token": token},
    )
    if response.status_code != 302:
        raise BenchmarkFailed(f"in-process sign-in answered {response.status_code}")
    client.get("/", base_url=base)  # loads the host map outside the measurement
    with app.app_context():
        engine = db.engine
    counts = {}
    for path in CATALOG_PATHS:
        client.get(path, base_url=base)  # warm: the host map refills every few seconds
        with recorded_statements(engine) as statements:
            response = client.get(path, base_url=base)
        if response.status_code != 200 or b'class="product-card"' not in response.data:
            raise BenchmarkFailed(f"{path} answered {response.status_code} without products")
        counts[path] = len(statements)
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        client.get("/catalog", base_url=base)
        timings.append((time.perf_counter() - started) * 1000)
    return InProcess(counts, round(statistics.median(timings), 1))


def load_phase(
    env: dict[str, str],
    workdir: Path,
    *,
    duration: int,
    warmup: int,
    connections: int,
    wrk_threads: int,
    workers: int,
    threads: int,
) -> tuple[LoadResult, LoadResult, int]:
    port = free_port()
    lua = workdir / "report.lua"
    lua.write_text(LUA_REPORT)
    with gunicorn(env, port, workers, threads, workdir / "gunicorn.log"):
        cookie = sign_in(port)
        status, _headers, body = http_request(port, "GET", "/catalog", {"Cookie": cookie})
        if status != 200 or b'class="product-card"' not in body:
            raise BenchmarkFailed(f"/catalog with the session answered {status} without products")
        page_bytes = len(body)
        results = []
        for path in ("/catalog", "/healthz"):
            if warmup:
                run_wrk(port, path, cookie, warmup, connections, wrk_threads, lua)
            click.echo(f"Loading {path} for {duration} s ...", err=True)
            results.append(run_wrk(port, path, cookie, duration, connections, wrk_threads, lua))
    return results[0], results[1], page_bytes


# --- report -------------------------------------------------------------------------------


def report(
    catalog: LoadResult, health: LoadResult, measured: dict[str, InProcess], meta: dict
) -> list[str]:
    """Print the figures; return the failed checks."""
    failures = []
    click.echo("")
    click.echo(
        f"Server: gunicorn, {meta['workers']} gthread workers x {meta['threads']} threads; "
        f"load: wrk -t{meta['wrk_threads']} -c{meta['connections']} -d{meta['duration']}s; "
        f"{meta['cpus']} CPUs shared by both; load average {meta['load_before']:.1f} "
        f"before, {meta['load_after']:.1f} after"
    )
    click.echo(
        f"Catalog: {meta['rows']['products']:,} products, {meta['rows']['companies']:,} companies"
    )
    click.echo("")
    headings = " ".join(f"{h:>8}" for h in ("p50 ms", "p90 ms", "p95 ms", "p99 ms", "bytes"))
    click.echo(f"{'endpoint':<10} {'req/s':>9} {headings}")
    for result in (catalog, health):
        click.echo(
            f"{result.path:<10} {result.requests_per_second:>9,.1f} {result.p50_ms:>8.1f} "
            f"{result.p90_ms:>8.1f} {result.p95_ms:>8.1f} {result.p99_ms:>8.1f} "
            f"{result.bytes_per_response:>8,}"
        )
    click.echo("")
    click.echo(
        f"catalog / healthz: {catalog.requests_per_second / health.requests_per_second:.1%} "
        f"of the throughput, p95 {catalog.p95_ms / max(health.p95_ms, 0.001):.1f}x as long"
    )
    click.echo("")
    click.echo(f"SQL statements per page (budget {MAX_STATEMENTS}):")
    small, large = measured["demo"].statements, measured["seeded"].statements
    for path in CATALOG_PATHS:
        click.echo(
            f"  {path:<20} {small[path]:>3} with 60 products, {large[path]:>3} with "
            f"{meta['rows']['products']:,}"
        )
        if large[path] != small[path]:
            failures.append(f"{path}: statements grew from {small[path]} to {large[path]}")
        if max(small[path], large[path]) > MAX_STATEMENTS:
            failures.append(f"{path}: over the budget of {MAX_STATEMENTS} statements")
    click.echo("")
    click.echo(
        f"One /catalog page in-process (median, one thread): "
        f"{measured['demo'].catalog_ms_median:.1f} ms with 60 products, "
        f"{measured['seeded'].catalog_ms_median:.1f} ms with {meta['rows']['products']:,}"
    )
    for result in (catalog, health):
        if any(result.errors.values()):
            failures.append(f"{result.path}: wrk errors {result.errors}")
    if abs(catalog.bytes_per_response - meta["page_bytes"]) > 0.05 * meta["page_bytes"]:
        failures.append(
            f"/catalog answers averaged {catalog.bytes_per_response} bytes, the signed-in page "
            f"has {meta['page_bytes']}: the load did not get the catalog page"
        )
    return failures


@click.command()
@click.option("--duration", default=10, show_default=True, help="Seconds of load per endpoint.")
@click.option("--warmup", default=2, show_default=True, help="Seconds of unmeasured load first.")
@click.option("--connections", default=50, show_default=True, help="wrk connections.")
@click.option("--wrk-threads", default=2, show_default=True, help="wrk threads.")
@click.option("--workers", default=2, show_default=True, help="gunicorn gthread workers.")
@click.option("--threads", default=4, show_default=True, help="Threads per gunicorn worker.")
@click.option("--products", default=10_000, show_default=True, help="Catalog size to seed.")
@click.option("--companies", default=500, show_default=True, help="Reseller companies to add.")
@click.option("--database-url", default=None, help="An EMPTY database (default: temp SQLite).")
@click.option("--keep", is_flag=True, help="Keep the temporary folder (database, logs).")
@click.option(
    "--json-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=ROOT / "benchmarks" / "out" / "catalog.json",
    show_default=True,
)
def main(
    duration: int,
    warmup: int,
    connections: int,
    wrk_threads: int,
    workers: int,
    threads: int,
    products: int,
    companies: int,
    database_url: str | None,
    keep: bool,
    json_out: Path,
) -> None:
    """Benchmark the catalog page against /healthz on one gunicorn server."""
    if shutil.which("wrk") is None:
        raise click.ClickException("wrk is not installed (apt-get install -y wrk)")
    workdir = Path(tempfile.mkdtemp(prefix="cf-bench-"))
    url = database_url or f"sqlite:///{workdir / 'bench.db'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "benchmark-secret",
        "LICENSE_SIGNING_KEY": "benchmark-license-key",
        "ADMIN_HOST": "admin.localhost",
        "PASSWORD_HASH_COST": "cheap",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "CELERY_BROKER_URL": "",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
    }
    try:
        click.echo(f"Database: {url}", err=True)
        click.echo("Migrating and loading the demo ...", err=True)
        flask_cli(env, "db", "upgrade")
        flask_cli(env, "demo", "load")
        app = make_app(url)
        measured = {"demo": in_process(app)}
        started = time.monotonic()
        rows = seed(app, SeedPlan(products=products, companies=companies))
        click.echo(f"Seeded in {time.monotonic() - started:.1f} s: {rows}", err=True)
        measured["seeded"] = in_process(app)
        load_before = os.getloadavg()[0]
        catalog, health, page_bytes = load_phase(
            env,
            workdir,
            duration=duration,
            warmup=warmup,
            connections=connections,
            wrk_threads=wrk_threads,
            workers=workers,
            threads=threads,
        )
        load_after = os.getloadavg()[0]
    finally:
        if keep:
            click.echo(f"Kept {workdir}", err=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    meta = {
        "duration": duration,
        "connections": connections,
        "wrk_threads": wrk_threads,
        "workers": workers,
        "threads": threads,
        "cpus": os.cpu_count(),
        "rows": rows,
        "page_bytes": page_bytes,
        "load_before": load_before,
        "load_after": load_after,
    }
    failures = report(catalog, health, measured, meta)
    json_out.parent.mkdir(parents=True, exist_ok=True)
    json_out.write_text(
        json.dumps(
            {
                **meta,
                "catalog": asdict(catalog),
                "healthz": asdict(health),
                "in_process": {size: asdict(m) for size, m in measured.items()},
                "failures": failures,
            },
            indent=2,
        )
    )
    if failures:
        raise BenchmarkFailed("; ".join(failures))
    click.echo(f"\nAll checks passed. JSON: {json_out}")


if __name__ == "__main__":
    main()
