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

import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "platform"))  # this checkout's code, not an installed copy

HOST = "northwind.localhost"
BUYER = "buyer@bluebird.example"
PASSWORD = "channelfront-demo"  # the documented demo credential
USER_AGENT = "channelfront-bench"  # the same for sign-in and load: one session identity
MAX_STATEMENTS = 10
CATALOG_PATHS = ["/catalog", "/catalog?q=shield", "/catalog?page=3"]

LUA_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format(
    "BENCH requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p95_us=%d p99_us=%d "
    .. "mean_us=%.0f max_us=%d connect=%d read=%d write=%d status=%d timeout=%d\\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
end
"""


class BenchmarkFailed(click.ClickException):
    exit_code = 1


# --- database and seeding -------------------------------------------------------------


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
            "PASSWORD_HASH_COST": "cheap",
            "LOGIN_RATE_LIMIT": "1000 per minute",
        }
    )


@dataclass
class SeedPlan:
    products: int
    companies: int
    seed: int = 20_251_125


WORDS_A = ["Cloud", "Edge", "Data", "Secure", "Rapid", "Smart", "Zero", "Team", "Core", "Flex"]
WORDS_B = ["Guard", "Sync", "Vault", "Flow", "Desk", "Mail", "Scan", "Hub", "Link", "Ops"]
EDITIONS = [
    ("PERP", "perpetual", None, "Professional perpetual license", "Professional Dauerlizenz"),
    ("STD-1Y", "subscription", 12, "Standard, annual subscription", "Standard, Jahresabonnement"),
    ("ENT-1Y", "subscription", 12, "Enterprise, annual subscription", "Enterprise, Jahresabo"),
    ("STD-1M", "subscription", 1, "Standard, monthly subscription", "Standard, Monatsabonnement"),
    ("SUP", "service", 12, "Support add-on", "Support (Zusatz)"),
]
EXTRA_CATEGORIES = [
    ("networking", "Networking", "Netzwerk"),
    ("identity", "Identity", "Identität"),
    ("email", "E-mail", "E-Mail"),
    ("storage", "Storage", "Speicher"),
    ("monitoring", "Monitoring", "Überwachung"),
    ("endpoint", "Endpoint", "Endgeräte"),
    ("compliance", "Compliance", "Compliance"),
    ("database", "Databases", "Datenbanken"),
    ("automation", "Automation", "Automatisierung"),
    ("design", "Design", "Gestaltung"),
    ("training", "Training", "Schulung"),
    ("mobile", "Mobile", "Mobil"),
    ("iot", "Internet of things", "Internet der Dinge"),
    ("ai", "Machine learning", "Maschinelles Lernen"),
]
EXTRA_GROUPS = [
    ("education", "Education editions"),
    ("government", "Government editions"),
    ("bundles", "Bundles"),
    ("add-ons", "Add-ons"),
]


def _next_id(connection, table) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    return (connection.scalar(select(func.max(table.c.id))) or 0) + 1


def _insert_in_chunks(connection, table, rows: Sequence[dict[str, Any]], bar) -> None:  # type: ignore[no-untyped-def]
    for start in range(0, len(rows), 2000):
        chunk = rows[start : start + 2000]
        connection.execute(table.insert(), list(chunk))
        bar.update(len(chunk))


def seed(app, plan: SeedPlan) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Grow the catalog to ``plan.products`` and add ``plan.companies`` resellers.

    Core inserts of row lists: fast, and fine here because the benchmark writes shared
    catalog rows and sets every tenant id itself.
    """
    from sqlalchemy import func, select

    from channelfront.accounts.models import Company, User
    from channelfront.accounts.passwords import hash_password
    from channelfront.catalog.models import (
        Category,
        CategoryName,
        ListPrice,
        Product,
        ProductGroup,
        ProductText,
        product_group_member,
    )
    from channelfront.demo.catalog_data import prices
    from channelfront.extensions import db
    from channelfront.pricing.models import Enrollment, PartnerPrice, Program
    from channelfront.tenancy.models import Tenant

    rng = random.Random(plan.seed)
    with app.app_context(), db.engine.begin() as conn:
        existing = conn.scalar(select(func.count()).select_from(Product.__table__)) or 0
        category_id = _next_id(conn, Category.__table__)
        position = conn.scalar(select(func.max(Category.__table__.c.position))) or 0
        categories = [
            {"id": category_id + i, "slug": slug, "position": position + 1 + i}
            for i, (slug, _en, _de) in enumerate(EXTRA_CATEGORIES)
        ]
        category_names = [
            {"category_id": category_id + i, "locale": loc, "name": name}
            for i, (_slug, en, de) in enumerate(EXTRA_CATEGORIES)
            for loc, name in (("en", en), ("de", de))
        ]
        group_id = _next_id(conn, ProductGroup.__table__)
        groups = [
            {"id": group_id + i, "slug": slug, "name": name}
            for i, (slug, name) in enumerate(EXTRA_GROUPS)
        ]
        conn.execute(Category.__table__.insert(), categories)
        conn.execute(CategoryName.__table__.insert(), category_names)
        conn.execute(ProductGroup.__table__.insert(), groups)
        all_categories = list(conn.scalars(select(Category.__table__.c.id)))
        all_groups = list(conn.scalars(select(ProductGroup.__table__.c.id)))

        first_product = _next_id(conn, Product.__table__)
        products, texts, list_prices, members = [], [], [], []
        for n in range(max(0, plan.products - existing)):
            pid = first_product + n
            suffix, kind, term, en_words, de_words = EDITIONS[n % len(EDITIONS)]
            family = f"{rng.choice(WORDS_A)}{rng.choice(WORDS_B)}"
            products.append(
                {
                    "id": pid,
                    "sku": f"X{n:05d}-{suffix}",
                    "category_id": rng.choice(all_categories),
                    "kind": kind,
                    "term_months": term,
                    "active": rng.random() > 0.02,
                }
            )
            texts.append(
                {
                    "product_id": pid,
                    "locale": "en",
                    "name": f"Nimbus {family} {en_words}",
                    "description": f"Nimbus {family} for one user or device.",
                }
            )
            texts.append(
                {
                    "product_id": pid,
                    "locale": "de",
                    "name": f"Nimbus {family} {de_words}",
                    "description": f"Nimbus {family} für einen Benutzer oder ein Gerät.",
                }
            )
            usd_cents = rng.randrange(400, 250_000, 10)
            list_prices.extend(
                {"product_id": pid, "currency": currency, "amount_minor": amount}
                for currency, amount in prices(usd_cents).items()
            )
            members.extend(
                {"product_id": pid, "group_id": gid}
                for gid in rng.sample(all_groups, rng.choice([1, 1, 2]))
            )

        tenants = {t.slug: t.id for t in conn.execute(select(Tenant.__table__))}
        programs: dict[int, list[int]] = {}
        for program in conn.execute(select(Program.__table__)):
            programs.setdefault(program.tenant_id, []).append(program.id)
        first_company = _next_id(conn, Company.__table__)
        password_hash = hash_password(PASSWORD)  # one hash for all: argon2 is slow on purpose
        companies, users, enrollments, overrides = [], [], [], []
        product_ids = [p["id"] for p in products] or [first_product - 1]
        for n in range(plan.companies):
            cid = first_company + n
            companies.append(
                {"id": cid, "name": f"Reseller {n:03d}", "country": rng.choice(["US", "DE", "JP"])}
            )
            users.append(
                {
                    "email": f"buyer@reseller-{n:03d}.example",
                    "name": f"Buyer {n:03d}",
                    "password_hash": password_hash,
                    "kind": "reseller",
                    "role": "buyer",
                    "company_id": cid,
                    "tenant_id": None,
                    "locale": None,
                    "active": True,
                }
            )
            for slug in rng.sample(sorted(tenants), rng.randint(1, len(tenants))):
                tenant_id = tenants[slug]
                enrollments.append(
                    {
                        "tenant_id": tenant_id,
                        "company_id": cid,
                        "program_id": rng.choice(programs[tenant_id]),
                        "credit_limit_minor": rng.randrange(0, 10_000_000, 100_000),
                    }
                )
                overrides.extend(
                    {
                        "tenant_id": tenant_id,
                        "company_id": cid,
                        "product_id": pid,
                        "discount_bps": rng.randrange(500, 4000, 50),
                    }
                    for pid in rng.sample(product_ids, min(5, len(product_ids)))
                )

        batches = [
            (Product.__table__, products),
            (ProductText.__table__, texts),
            (ListPrice.__table__, list_prices),
            (product_group_member, members),
            (Company.__table__, companies),
            (User.__table__, users),
            (Enrollment.__table__, enrollments),
            (PartnerPrice.__table__, overrides),
        ]
        total = sum(len(rows) for _table, rows in batches)
        with click.progressbar(length=total, label="Seeding rows", file=sys.stderr) as bar:
            for table, rows in batches:
                _insert_in_chunks(conn, table, rows, bar)
        counts = {
            name: conn.scalar(select(func.count()).select_from(table)) or 0
            for name, table in [
                ("products", Product.__table__),
                ("product_texts", ProductText.__table__),
                ("list_prices", ListPrice.__table__),
                ("categories", Category.__table__),
                ("companies", Company.__table__),
                ("enrollments", Enrollment.__table__),
                ("partner_prices", PartnerPrice.__table__),
            ]
        }
    return counts


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
    token = _csrf_token(page)
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


def _csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    if not match:
        raise BenchmarkFailed("no CSRF token on /login")
    return match.group(1)


# --- the served app ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(
    env: dict[str, str], port: int, workers: int, threads: int, log: Path
) -> Iterator[None]:
    command = [sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}"]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                *command,
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(threads),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(port, server, log)
            yield
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_healthy(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchmarkFailed(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            if http_request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise BenchmarkFailed("gunicorn did not answer /healthz within 30 s")


def http_request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: str = ""
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        all_headers = {"Host": HOST, "User-Agent": USER_AGENT, **(headers or {})}
        conn.request(method, path, body=body or None, headers=all_headers)
        response = conn.getresponse()
        headers = dict(response.getheaders())
        headers["Set-Cookie"] = ", ".join(response.msg.get_all("Set-Cookie") or [])
        return response.status, headers, response.read()
    finally:
        conn.close()


def _session_cookie(headers: dict[str, str]) -> str:
    match = re.search(r"(?:^|,\s*)(session=[^;]+)", headers.get("Set-Cookie", ""))
    if not match:
        raise BenchmarkFailed("the server set no session cookie")
    return match.group(1)


def sign_in(port: int) -> str:
    """Sign in as the demo buyer over HTTP; return the ``session=...`` cookie."""
    status, headers, body = http_request(port, "GET", "/login")
    if status != 200:
        raise BenchmarkFailed(f"GET /login answered {status}")
    cookie = _session_cookie(headers)
    form = urllib.parse.urlencode(
        {"email": BUYER, "password": PASSWORD, "csrf_token": _csrf_token(body.decode())}
    )
    status, headers, _body = http_request(
        port,
        "POST",
        "/login",
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        form,
    )
    if status != 302:
        raise BenchmarkFailed(f"POST /login answered {status}")
    return _session_cookie(headers)


# --- load ---------------------------------------------------------------------------------


@dataclass
class LoadResult:
    path: str
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    bytes_per_response: int
    errors: dict[str, int]


def run_wrk(
    port: int, path: str, cookie: str, duration: int, connections: int, threads: int, lua: Path
) -> LoadResult:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(lua),
        "-H",
        f"Host: {HOST}",
        "-H",
        f"Cookie: {cookie}",
        "-H",
        f"User-Agent: {USER_AGENT}",
        f"http://127.0.0.1:{port}{path}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise BenchmarkFailed(f"wrk failed on {path}:\n{done.stdout}\n{done.stderr}")
    values = {k: float(v) for k, v in (item.split("=") for item in line.split()[1:])}
    requests = int(values["requests"])
    seconds = values["duration_us"] / 1e6
    return LoadResult(
        path=path,
        requests=requests,
        seconds=round(seconds, 2),
        requests_per_second=round(requests / seconds, 1),
        p50_ms=values["p50_us"] / 1000,
        p90_ms=values["p90_us"] / 1000,
        p95_ms=values["p95_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        max_ms=values["max_us"] / 1000,
        bytes_per_response=int(values["bytes"] / max(requests, 1)),
        errors={k: int(values[k]) for k in ("connect", "read", "write", "status", "timeout")},
    )


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
