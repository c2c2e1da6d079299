"""Orders benchmark: orders per second placed on account through ``POST /api/v1/orders``.

Run from the repository root::

    .venv/bin/python benchmarks/orders.py                 # about two minutes
    .venv/bin/python benchmarks/orders.py --duration 20 --no-postgres

For each database (SQLite in a temporary folder; PostgreSQL on a fresh database at
127.0.0.1:5432 when it answers) and each fulfilment mode, on a database of its own:

- ``eager``: no broker, the embedded default: the fulfilment task (license keys,
  subscription, invoice, mail to the console) runs inside each request;
- ``redis``: a broker at 127.0.0.1:6379 and no worker: a web node in production only
  places the order and queues its fulfilment (skipped when Redis does not answer);

it builds the demo (``flask db upgrade``, ``flask demo load``), raises Bluebird IT's
credit line on northwind, takes a token with ``flask api-token create``, serves the app
with gunicorn (2 gthread workers x 4 threads) and drives it with wrk and a Lua script
that gives every request a fresh ``Idempotency-Key`` (2 lines, an existing end customer,
on account), then ``/healthz`` on the same server. Every answer must be 201 and the
database must hold exactly the orders answered (no key placed twice). Before the load,
the median time of one order placed in-process (test client, one thread, eager) is
measured too: it moves only with the code and the data.

Prints the figures and writes them to ``benchmarks/out/orders.json``. Needs ``wrk``.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import click
from benchdb import (
    api_token,
    build,
    execute,
    fresh_database,
    postgres_available,
    run_wrk_with,
    server_env,
)
from loadgen import (
    HOST,
    LUA_REPORT,
    ROOT,
    BenchmarkFailed,
    LoadResult,
    free_port,
    gunicorn,
    http_request,
    run_wrk,
)

sys.path.insert(0, str(ROOT / "platform"))  # this checkout's code, not an installed copy

REDIS = "redis://127.0.0.1:6379/15"
LINES = [{"sku": "SHD-STD-1Y", "quantity": 2}, {"sku": "INS-PERP", "quantity": 1}]
FIRST_CUSTOMER = {
    "company_name": "Acme Corp",
    "contact_name": "Ada Acme",
    "email": "ada@acme.example",
    "country": "US",
}

# Every request gets its own Idempotency-Key: "<run nonce>-<thread>-<counter>".
LUA_ORDERS = """
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
local counter = 0
local nonce = "run"
init = function(args)
  nonce = args[1]
  wrk.method = "POST"
  wrk.body = args[2]
  wrk.headers["Content-Type"] = "application/json"
end
request = function()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = string.format("%s-%d-%d", nonce, tid, counter)
  return wrk.format()
end
"""


@dataclass
class Run:
    database: str
    mode: str
    orders: LoadResult
    healthz: LoadResult
    in_process_ms: float | None
    orders_in_database: int


def redis_available() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
        return True
    except redis.RedisError:
        return False


def prepare(env: dict[str, str], url: str) -> str:
    """The demo with a credit line no load will exhaust; a token of the demo buyer."""
    build(env)
    execute(url, "UPDATE enrollment SET credit_limit_minor = %s", 10**15)
    return api_token(env, "buyer@bluebird.example", "northwind")


def _post(port: int, token: str, body: dict, key: str) -> tuple[int, dict]:
    status, _headers, raw = http_request(
        port,
        "POST",
        "/api/v1/orders",
        {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
        json.dumps(body),
    )
    return status, json.loads(raw or b"{}")


def in_process_order_ms(url: str, token: str, customer_id: int, samples: int = 40) -> float:
    """Median time of one order placed through the test client (eager, one thread)."""
    from catalog import make_app

    app = make_app(url)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "lines": LINES,
        "end_customer": {"id": customer_id},
        "payment": {"method": "on_account"},
    }
    timings = []
    quiet = contextlib.redirect_stdout(io.StringIO())  # the console mail of each order
    logging.getLogger("channelfront.mail").setLevel(logging.ERROR)
    with quiet:
        for n in range(samples + 5):
            started = time.perf_counter()
            response = client.post(
                "/api/v1/orders",
                base_url=f"http://{HOST}",
                json=body,
                headers={**headers, "Idempotency-Key": f"in-process-{n:05d}"},
            )
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 201:
                raise BenchmarkFailed(f"in-process order answered {response.status_code}")
            if n >= 5:  # the first few warm caches and the host map
                timings.append(elapsed)
    return round(statistics.median(timings), 1)


def run_one(
    database: str, mode: str, workdir: Path, options: dict, measure_in_process: bool
) -> Run:
    broker = REDIS if mode == "redis" else ""
    with fresh_database(database, workdir) as url:
        env = server_env(url, broker)
        click.echo(f"[{database}/{mode}] building {url.split('@')[-1]} ...", err=True)
        token = prepare(env, url)
        if broker:
            import redis

            redis.Redis.from_url(broker).flushdb()
        port = free_port()
        lua = workdir / "orders.lua"
        lua.write_text(LUA_ORDERS + LUA_REPORT)
        report_lua = workdir / "report.lua"
        report_lua.write_text(LUA_REPORT)
        with gunicorn(env, port, options["workers"], options["threads"], workdir / "g.log"):
            first = {
                "lines": LINES,
                "end_customer": FIRST_CUSTOMER,
                "payment": {"method": "on_account"},
            }
            status, order = _post(port, token, first, f"first-{uuid.uuid4().hex}")
            if status != 201:
                raise BenchmarkFailed(f"the first order answered {status}: {order}")
            customer_id = order["end_customer"]["id"]
            body = json.dumps(
                {
                    "lines": LINES,
                    "end_customer": {"id": customer_id},
                    "payment": {"method": "on_account"},
                }
            )
            if options["warmup"]:
                wrk_orders(port, token, options, lua, options["warmup"], "warm", body)
            nonce = f"bench{uuid.uuid4().hex[:8]}"
            click.echo(
                f"[{database}/{mode}] POST /api/v1/orders for {options['duration']} s", err=True
            )
            orders = wrk_orders(port, token, options, lua, options["duration"], nonce, body)
            health = run_wrk(
                port, "/healthz", "", options["duration"], options["connections"],
                options["wrk_threads"], report_lua,
            )  # fmt: skip
        placed = execute(
            url, "SELECT count(*) FROM purchase_order WHERE idempotency_key LIKE %s", f"{nonce}-%"
        )[0][0]
        answered = orders.requests - orders.errors["status"]
        # wrk stops counting at the deadline; requests in flight then still place orders.
        if not answered <= placed <= answered + options["connections"]:
            raise BenchmarkFailed(f"{answered} orders answered but {placed} in the database")
        in_process = None
        if measure_in_process:
            in_process = in_process_order_ms(url, token, customer_id)
    return Run(database, mode, orders, health, in_process, placed)


def wrk_orders(
    port: int, token: str, options: dict, lua: Path, seconds: int, nonce: str, body: str
) -> LoadResult:
    return run_wrk_with(
        port,
        "/api/v1/orders",
        [f"Authorization: Bearer {token}"],
        seconds,
        options["connections"],
        options["wrk_threads"],
        lua,
        [nonce, body],
    )


def report(runs: list[Run], meta: dict) -> list[str]:
    failures = []
    click.echo("")
    click.echo(
        f"Server: gunicorn, {meta['workers']} gthread workers x {meta['threads']} threads; "
        f"load: wrk -t{meta['wrk_threads']} -c{meta['connections']} -d{meta['duration']}s; "
        f"{meta['cpus']} CPUs shared by both; load average {meta['load_before']:.1f} before, "
        f"{meta['load_after']:.1f} after"
    )
    click.echo("Each order: 2 lines (2 licenses, 1 subscription), an existing end customer.")
    click.echo("")
    click.echo(
        f"{'database':<11}{'mode':<7}{'orders/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'healthz/s':>11}{'ratio':>7}{'1 order in-process':>20}"
    )
    for run in runs:
        ratio = run.orders.requests_per_second / max(run.healthz.requests_per_second, 0.1)
        in_process = f"{run.in_process_ms:.1f} ms" if run.in_process_ms is not None else "-"
        click.echo(
            f"{run.database:<11}{run.mode:<7}{run.orders.requests_per_second:>9.1f}"
            f"{run.orders.p50_ms:>9.1f}{run.orders.p95_ms:>9.1f}{run.orders.p99_ms:>9.1f}"
            f"{run.healthz.requests_per_second:>11.1f}{ratio:>7.1%}{in_process:>20}"
        )
        for result in (run.orders, run.healthz):
            if any(result.errors.values()):
                failures.append(f"{run.database}/{run.mode} {result.path}: errors {result.errors}")
    return failures


@click.command()
@click.option("--duration", default=10, show_default=True, help="Seconds of load per run.")
@click.option("--warmup", default=2, show_default=True, help="Seconds of unmeasured load first.")
@click.option("--connections", default=8, show_default=True, help="wrk connections.")
@click.option("--wrk-threads", default=2, show_default=True, help="wrk threads.")
@click.option("--workers", default=2, show_default=True, help="gunicorn gthread workers.")
@click.option("--threads", default=4, show_default=True, help="Threads per gunicorn worker.")
@click.option("--no-postgres", is_flag=True, help="SQLite only.")
@click.option("--no-redis", is_flag=True, help="Only the eager (embedded) mode.")
@click.option("--keep", is_flag=True, help="Keep the temporary folder (server logs).")
@click.option(
    "--json-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=ROOT / "benchmarks" / "out" / "orders.json",
    show_default=True,
)
def main(
    duration: int,
    warmup: int,
    connections: int,
    wrk_threads: int,
    workers: int,
    threads: int,
    no_postgres: bool,
    no_redis: bool,
    keep: bool,
    json_out: Path,
) -> None:
    """Orders per second placed on account through the API, on SQLite and PostgreSQL."""
    if shutil.which("wrk") is None:
        raise click.ClickException("wrk is not installed (apt-get install -y wrk)")
    options = {
        "duration": duration,
        "warmup": warmup,
        "connections": connections,
        "wrk_threads": wrk_threads,
        "workers": workers,
        "threads": threads,
    }
    databases = ["sqlite"]
    if not no_postgres:
        if postgres_available():
            databases.append("postgresql")
        else:
            click.echo("PostgreSQL does not answer at 127.0.0.1:5432: SQLite only.", err=True)
    modes = ["eager"]
    if not no_redis:
        if redis_available():
            modes.append("redis")
        else:
            click.echo("Redis does not answer at 127.0.0.1:6379: eager mode only.", err=True)
    workdir = Path(tempfile.mkdtemp(prefix="cf-bench-orders-"))
    load_before = os.getloadavg()[0]
    try:
        runs = [
            run_one(database, mode, workdir, options, measure_in_process=mode == "eager")
            for database in databases
            for mode in modes
        ]
    finally:
        if keep:
            click.echo(f"Kept {workdir}", err=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
        if "redis" in modes:
            import redis

            redis.Redis.from_url(REDIS).flushdb()
    meta = {
        **options,
        "cpus": os.cpu_count(),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }
    failures = report(runs, meta)
    json_out.parent.mkdir(parents=True, exist_ok=True)
    json_out.write_text(
        json.dumps({**meta, "runs": [asdict(run) for run in runs], "failures": failures}, indent=2)
    )
    if failures:
        raise BenchmarkFailed("; ".join(failures))
    click.echo(f"\nAll checks passed. JSON: {json_out}")


if __name__ == "__main__":
    main()
