"""The Procfile as an operator starts it: ``honcho start`` runs web (gunicorn with
gunicorn.conf.py), worker and beat on a migrated PostgreSQL database with the demo,
Redis as the broker and a state directory of their own. An order placed over the API
is fulfilled by the worker; beat keeps its schedule in STATE_DIR, never in the code;
an interrupt stops every process.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests

from tests.live import Api, free_port, wait_for
from tests.ops.conftest import BROKER, REDIS_DB, ROOT, operator_env

pytestmark = pytest.mark.slow
HONCHO = Path(sys.executable).parent / "honcho"


class Honcho:
    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.log_path = workdir / "honcho.log"
        empty = workdir / "empty.env"  # not the checkout's .env, if someone keeps one
        empty.write_text("")
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(
                [str(HONCHO), "start", "--env", str(empty)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # honcho and its helpers: one group of our own
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def pids(self) -> dict[str, int]:
        """The process of each Procfile line (a shell leading its own process group)."""
        found = re.findall(r"\| (\w+)\.1 started \(pid=(\d+)\)", self.log())
        return {name: int(pid) for name, pid in found}

    def kill_leftovers(self) -> None:
        """Only if the test failed half-way: honcho's group, then each process's group
        (honcho starts each in a session of its own), found by parentage."""
        leaders = {pid for pid, _ in processes() if pid in descendants(self.process.pid)}
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        for pid in leaders | set(self.pids().values()):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(os.getpgid(pid), signal.SIGKILL)


def processes() -> list[tuple[int, list[str]]]:
    """(pid, fields of /proc/pid/stat after the command name) of every live process."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                found.append((int(stat.parent.name), fields))
    return found


def descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, fields in processes():
        children.setdefault(int(fields[1]), []).append(pid)
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def group(pgid: int) -> list[int]:
    """The live processes of a process group (gunicorn's workers, Celery's pool...)."""
    return [pid for pid, fields in processes() if int(fields[2]) == pgid]


@pytest.fixture
def broker() -> Iterator[str]:
    client = redis.Redis.from_url(BROKER)
    me = client.client_id()
    others = [c for c in client.client_list() if c["db"] == str(REDIS_DB) and c["id"] != str(me)]
    # A worker left behind by another run would take this test's messages.
    assert not others, f"Redis database {REDIS_DB} is in use by {len(others)} other client(s)"
    client.flushdb()
    try:
        yield BROKER
    finally:
        client.flushdb()


def test_honcho_runs_web_worker_and_beat_and_an_order_is_fulfilled(
    ops_database: str, compiled_translations: Path, buyer_token: str, broker: str, tmp_path: Path
) -> None:
    port, state = free_port(), tmp_path / "state"
    schedule_in_code = ROOT / "celerybeat-schedule"
    assert not schedule_in_code.exists()
    env = {
        **operator_env(ops_database, compiled_translations),
        "CELERY_BROKER_URL": broker,
        "PORT": str(port),
        "STATE_DIR": str(state),
        "GUNICORN_WORKERS": "1",
    }
    honcho = Honcho(env, tmp_path)
    try:
        api = Api(port, buyer_token)

        def serving() -> bool:
            assert honcho.process.poll() is None, honcho.log()
            try:
                return api.call("GET", "/openapi.json").ok
            except requests.RequestException:
                return False

        wait_for("web", serving, timeout=60, every=0.2)
        assert set(honcho.pids()) == {"web", "worker", "beat"}, honcho.log()

        items = api.call("GET", "/products").json()["items"]
        sku = next(i["sku"] for i in items if i["kind"] in ("perpetual", "subscription"))
        placed = api.call(
            "POST",
            "/orders",
            json={
                "lines": [{"sku": sku, "quantity": 1}],
                "end_customer": {
                    "company_name": "Procfile Corp",
                    "contact_name": "Pat Procfile",
                    "email": "pat@procfile.example",
                    "country": "US",
                },
                "payment": {"method": "on_account"},
            },
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert placed.status_code == 201, placed.text
        number = placed.json()["number"]

        def fulfilled() -> dict | None:  # type: ignore[type-arg]
            order = api.call("GET", f"/orders/{number}").json()
            return order if order["status"] == "invoiced" else None

        order = wait_for("the worker to fulfil the order", fulfilled, timeout=60, every=0.5)
        assert len(order["licenses"]) == 1
        assert order["licenses"][0]["key"]

        # Beat keeps its schedule in STATE_DIR; the code directory stays untouched.
        wait_for("beat's schedule", lambda: list(state.glob("celerybeat-schedule*")), timeout=30)
        assert not list(ROOT.glob("celerybeat-schedule*"))
        assert (state / "run" / "gunicorn.ctl").is_socket()

        # Ctrl-C: honcho stops all three, none needs a SIGKILL, none is left behind.
        pids = honcho.pids()
        honcho.process.send_signal(signal.SIGINT)
        honcho.process.wait(timeout=30)
        assert "SIGKILL" not in honcho.log(), honcho.log()[-3000:]
        for name, pid in pids.items():
            assert group(pid) == [], f"{name} left processes behind"
        assert len(re.findall(r"\| (web|worker|beat)\.1 stopped", honcho.log())) == 3
    except BaseException:
        print(honcho.log()[-6000:])  # shown with the failure
        raise
    finally:
        honcho.kill_leftovers()
