"""The demo served for real, on SQLite and on PostgreSQL, for tests that fire requests at once.

A race shows only against a real server with real threads (the Flask test client runs
one request at a time). So each test module gets, per database, a fresh copy of a demo
database built once per session by the ``flask`` CLI (``db upgrade``, ``demo load``,
``api-token create``), served by gunicorn on 127.0.0.1 with two workers of six threads
and card payments against the session's localstripe. The tests fire their requests
from a thread pool, released together, and read the outcome from the database.

Every test runs on both databases (under ``CI=true`` the suite's first pass runs the
SQLite half and its second, ``TEST_DATABASE=postgresql``, the PostgreSQL half).
PostgreSQL (127.0.0.1:5432, user postgres) is on every machine that runs these tests;
outside CI a missing server skips the PostgreSQL half, under ``CI=true`` it fails.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
CI = os.environ.get("CI") == "true"
PASSWORD = "channelfront-demo"
HOSTS = {"northwind": "northwind.localhost", "alpenhandel": "alpenhandel.localhost"}
PREPARE = ROOT / "tests" / "concurrency" / "prepare.py"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(database_url: str, stripe_base: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "concurrency-test-secret",
        "LICENSE_SIGNING_KEY": "concurrency-test-license-key",
        "CELERY_BROKER_URL": "",
        "PASSWORD_HASH_COST": "cheap",
        "MAIL_SERVER": "",
        "STRIPE_SECRET_KEY": "sk_test_concurrency",
        "STRIPE_API_BASE": stripe_base,
        "STRIPE_PUBLISHABLE_KEY": "",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        "PYTHONUNBUFFERED": "1",
    }


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stderr[-3000:]}"
    return done.stdout


def _flask(env: dict[str, str], *args: str) -> str:
    return _run(env, "-m", "flask", "--app", "wsgi", *args)


def _require_postgresql() -> None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL at 127.0.0.1:5432 (user postgres) is needed: {exc}"
        if CI:
            pytest.fail(message)
        pytest.skip(message)


def _pg(statement: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


def _pg_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def _drop(url: str) -> None:
    if url.startswith("postgresql"):
        _pg(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


@dataclass
class Template:
    """A demo database built once; ``copy`` makes a fresh one from it in a second."""

    kind: str
    url: str
    tokens: dict[str, str]

    def copy(self, workdir: Path) -> str:
        if self.kind == "sqlite":
            target = workdir / f"{uuid.uuid4().hex[:8]}.db"
            shutil.copyfile(self.url.removeprefix("sqlite:///"), target)
            return f"sqlite:///{target}"
        name = f"cf_race_{uuid.uuid4().hex[:10]}"
        _pg(f'CREATE DATABASE "{name}" TEMPLATE "{self.url.rsplit("/", 1)[1]}"')
        return _pg_url(name)


class Templates:
    """The demo database of each kind the session needs, built side by side at its start
    (PostgreSQL's build mostly waits on round trips)."""

    def __init__(self, workdir: Path, stripe_base: str, kinds: set[str]) -> None:
        self.workdir = workdir
        self.stripe_base = stripe_base
        self.urls: dict[str, str] = {}
        self.pool = ThreadPoolExecutor(2)
        self.builds = {kind: self.pool.submit(self._build, kind) for kind in sorted(kinds)}

    def get(self, kind: str) -> Template:
        if kind not in self.builds:
            self.builds[kind] = self.pool.submit(self._build, kind)
        return self.builds[kind].result()

    def _build(self, kind: str) -> Template:
        if kind == "sqlite":
            url = f"sqlite:///{self.workdir / 'template.db'}"
        else:
            name = f"cf_race_template_{uuid.uuid4().hex[:8]}"
            _pg(f'CREATE DATABASE "{name}"')
            url = _pg_url(name)
        self.urls[kind] = url  # dropped at the end even if a step fails
        env = _env(url, self.stripe_base)
        _flask(env, "db", "upgrade")
        _flask(env, "demo", "load")
        tokens = {}
        for slug in HOSTS:
            out = _flask(env, "api-token", "create", "buyer@bluebird.example", slug)
            tokens[slug] = out.strip().splitlines()[-1]
        return Template(kind, url, tokens)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        for url in self.urls.values():
            _drop(url)


def _kinds_needed(session: pytest.Session) -> set[str]:
    """The databases the collected tests of this folder run on (PostgreSQL if it answers;
    otherwise each of its modules says why on its own)."""
    kinds = set()
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "database" in callspec.params:
            kinds.add(callspec.params["database"])
    if "postgresql" in kinds:
        try:
            with psycopg.connect(PG_ADMIN, connect_timeout=5):
                pass
        except psycopg.OperationalError:
            kinds.discard("postgresql")
    return kinds


@pytest.fixture(scope="session")
def templates(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    localstripe_server: str,
) -> Iterator[Templates]:
    workdir = tmp_path_factory.mktemp("race-templates")
    built = Templates(workdir, localstripe_server, _kinds_needed(request.session))
    try:
        yield built
    finally:
        built.close()


# A plain run serves both. CI's two passes split them: its SQLite pass serves SQLite, its
# PostgreSQL pass (TEST_DATABASE=postgresql) PostgreSQL, so neither half runs twice.
if os.environ.get("TEST_DATABASE") == "postgresql":
    KINDS = ["postgresql"]
else:
    KINDS = ["sqlite"] if CI else ["sqlite", "postgresql"]


@pytest.fixture(scope="module", params=KINDS)
def database(
    request: pytest.FixtureRequest, templates: Templates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Template, str]]:
    """A fresh copy of the demo database for this module: (its template, its URL)."""
    if request.param == "postgresql":
        _require_postgresql()
    template = templates.get(request.param)
    url = template.copy(tmp_path_factory.mktemp("race-db"))
    try:
        yield template, url
    finally:
        _drop(url)


@dataclass
class Server:
    """gunicorn serving one database, and what the tests need to talk to it."""

    kind: str
    port: int
    env: dict[str, str]
    tokens: dict[str, str]
    log: Path
    engine: sa.Engine
    sessions: list[requests.Session] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    def api(self, slug: str, method: str, path: str, **kwargs: Any) -> requests.Response:
        """An API call as Bluebird's buyer on the tenant ``slug``."""
        headers = {
            "Host": HOSTS[slug],
            "Authorization": f"Bearer {self.tokens[slug]}",
            **kwargs.pop("headers", {}),
        }
        return requests.request(
            method, self.url(f"/api/v1{path}"), headers=headers, timeout=120, **kwargs
        )

    def sql(self, statement: str, **params: object) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.text(statement), params))

    def scalar(self, statement: str, **params: object) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(sa.text(statement), params).scalar()

    def execute(self, statement: str, **params: object) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.text(statement), params)

    def prepare(self, *args: str) -> str:
        """A setup step of ``prepare.py`` on this database; the last line it printed."""
        return _run(self.env, str(PREPARE), *args).strip().splitlines()[-1]

    def browser(self, slug: str, email: str) -> Browser:
        """A signed-in storefront session of ``email`` on the tenant ``slug``."""
        session = requests.Session()
        self.sessions.append(session)
        page = Browser(self, session, HOSTS[slug])
        page.sign_in(email)
        return page


@dataclass
class Browser:
    """Pages and form posts as a browser makes them: one cookie jar, the page's CSRF token."""

    server: Server
    session: requests.Session
    host: str

    def get(self, path: str) -> requests.Response:
        return self.session.get(
            self.server.url(path), headers={"Host": self.host}, timeout=120, allow_redirects=False
        )

    def post(self, path: str, data: dict[str, str]) -> requests.Response:
        """A form post; safe from several threads (the cookies are copied, not shared)."""
        return requests.post(
            self.server.url(path),
            data=data,
            cookies=self.session.cookies.get_dict(),
            headers={"Host": self.host},
            timeout=120,
            allow_redirects=False,
        )

    def form(self, path: str) -> tuple[str, str]:
        """The page at ``path`` and the CSRF token of its form."""
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code, page.text[:300])
        found = CSRF.search(page.text)
        assert found, f"no CSRF token on {path}"
        return page.text, found.group(1)

    def sign_in(self, email: str) -> None:
        _page, csrf = self.form("/login")
        done = self.session.post(
            self.server.url("/login"),
            data={"csrf_token": csrf, "email": email, "password": PASSWORD},
            headers={"Host": self.host},
            timeout=120,
            allow_redirects=False,
        )
        assert done.status_code in (302, 303), (done.status_code, done.text[:500])


def _serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}"]
    # Two processes of six threads: races between threads and between processes.
    command += ["--workers", "2", "--threads", "6", "--timeout", "120"]
    with log.open("wb") as out:  # the child keeps its own copy of the file
        # A session of its own: stopping it ends its workers too, whatever they are doing.
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok:
                return process, port
        except requests.RequestException:
            pass
        time.sleep(0.2)
    _stop(process)
    pytest.fail(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the gunicorn we started, and its workers: quick shutdown, then its group."""
    process.send_signal(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
    # Now and then a worker does not exit (seen with gunicorn 27's gthread workers), and
    # it would outlive its master: end the whole process group, which is ours alone.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def served(
    request: pytest.FixtureRequest,
    database: tuple[Template, str],
    localstripe_server: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """The module's database served by gunicorn (stopped by its own id at the end), with
    the module's ``SERVER_ENV`` added to its environment."""
    template, url = database
    env = {**_env(url, localstripe_server), **getattr(request.module, "SERVER_ENV", {})}
    log = tmp_path_factory.mktemp("race-log") / "gunicorn.log"
    process, port = _serve(env, log)
    engine = sa.create_engine(url)
    server = Server(template.kind, port, env, template.tokens, log, engine)
    try:
        yield server
    finally:
        for session in server.sessions:
            session.close()
        engine.dispose()
        _stop(process)


def _at_once(count: int, call: Callable[[int], requests.Response]) -> list[requests.Response]:
    gate = threading.Barrier(count)

    def fire(index: int) -> requests.Response:
        gate.wait(timeout=60)
        return call(index)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(fire, range(count)))


@pytest.fixture
def fire() -> Callable[[int, Callable[[int], requests.Response]], list[requests.Response]]:
    """``fire(n, call)``: ``call(i)`` from n threads released together; the answers."""
    return _at_once
