"""An operator's first deployment, step by step, on an empty PostgreSQL database and
without the demo: ``flask db upgrade``, ``flask setup``, a tenant manifest copied from
tenants/example and synced, the example catalog imported, a partner program added to
the manifest and synced again, then the Procfile under honcho (gunicorn, Celery worker
and beat) on Redis.

A reseller joins the way a real one does, over HTTP and mail (a loopback SMTP server):
the vendor admin invites the tenant's distributor admin from the console, the reseller
applies at ``/apply`` and confirms its address, the distributor admin approves it into
the program with a credit line, the reseller accepts its invitation and makes itself an
API token. It then orders on account while the broker is unreachable (every process
reaches Redis through a proxy the test cuts): the order is accepted, stays in the outbox,
and beat's sweep hands it to the worker once the broker is back, which fulfils it.
``/healthz/ready`` answers 200 the whole time, reporting the broker down meanwhile, and
``/metrics`` (web and worker added up) counts the order and its fulfilment.

A missing PostgreSQL or Redis fails this test; it never skips.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.live import PG_ADMIN, Api, flask, free_port, require_services, wait_for
from tests.mail_fixtures import Inbox
from tests.ops.conftest import ROOT, operator_env
from tests.ops.test_procfile import Honcho

pytestmark = pytest.mark.slow

# Not the Redis databases of the other worker tests (9 to 15): each flushes its own.
REDIS_DB = int(os.environ.get("OPERATOR_TEST_REDIS_DB", "8"))
REDIS = ("127.0.0.1", 6379)
ADMIN_HOST = "admin.localhost"
VENDOR_ADMIN = "ada@acme.example"
ADMIN_PASSWORD = "first-deploy-7781"
SLUG, HOST, PROGRAM = "riverway", "riverway.localhost", "Riverway Partners"
DISCOUNT = 25  # the program's discount on the imported "security" category
LEAD, RESELLER = "lead@riverway.example", "rhian@quayside.example"
PASSWORD = "quayside-bore-5520"
SKU, LIST_PRICE = "VLT-STD-1Y", "480.00"  # docs/examples/catalog.csv, price_usd
SWEEP_SECONDS, SWEEP_AGE = 30.0, 10.0  # celery_app's outbox-sweep, outbox.tasks.sweep
OUTAGE_SECONDS = 5.0
LINK = re.compile(r"https?://\S+")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TIMESTAMP = r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z"


# -- the broker, reachable or not ------------------------------------------------------


class BrokerProxy:
    """127.0.0.1:<port> forwarded to Redis. ``cut()`` stops listening and drops every
    connection, as a network fault between the processes and Redis would; ``restore()``
    listens on the same port again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.listener: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/{REDIS_DB}"

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            self._close(listener)  # shutdown wakes the thread blocked in accept()
        with self.lock:
            links = list(self.sockets)
        for sock in links:
            self._close(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(REDIS, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets |= {client, upstream}
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source)
            self._close(target)

    def _close(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


@pytest.fixture
def broker() -> Iterator[BrokerProxy]:
    url = f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}"
    require_services(url)
    client = redis.Redis.from_url(url)
    me = client.client_id()
    others = [c for c in client.client_list() if c["db"] == str(REDIS_DB) and c["id"] != str(me)]
    # A worker left behind by another run would take this test's messages.
    assert not others, f"Redis database {REDIS_DB} is in use by {len(others)} other client(s)"
    client.flushdb()
    proxy = BrokerProxy()
    proxy.restore()
    try:
        yield proxy
    finally:
        proxy.cut()
        client.flushdb()


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A new, empty PostgreSQL database: no tables, no demo."""
    name = f"cf_operator_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- what the operator watches ---------------------------------------------------------


@dataclass
class Readiness:
    """``/healthz/ready`` asked every half second from a thread, each answer kept."""

    port: int
    answers: list[tuple[float, int | None, str | None]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        threading.Thread(target=self._poll, daemon=True).start()

    def _poll(self) -> None:
        url = f"http://127.0.0.1:{self.port}/healthz/ready"
        while not self.stop.is_set():
            try:
                answer = requests.get(url, timeout=5)
                broker = answer.json().get("checks", {}).get("broker")
                self.answers.append((time.monotonic(), answer.status_code, broker))
            except (requests.RequestException, ValueError) as exc:
                self.answers.append((time.monotonic(), None, repr(exc)))
            self.stop.wait(0.5)

    def failures(self) -> list[tuple[float, int | None, str | None]]:
        return [a for a in self.answers if a[1] != 200]

    def broker_seen(self, state: str, since: float) -> bool:
        return any(at >= since and broker == state for at, _code, broker in self.answers)


def metric_samples(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert answer.status_code == 200, answer.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


# -- people at their browsers, and their mail ------------------------------------------


class Visitor:
    """One person's browser on one host of the served app: cookies kept, each form sent
    with the CSRF token of the page that shows it."""

    def __init__(self, port: int, host: str) -> None:
        self.base, self.host = f"http://127.0.0.1:{port}", host
        self.session = requests.Session()

    def get(self, path: str) -> requests.Response:
        return self.session.get(
            self.base + path, headers={"Host": self.host}, allow_redirects=False, timeout=30
        )

    def page(self, path: str) -> str:
        answer = self.get(path)
        assert answer.status_code == 200, f"GET {path}: {answer.status_code}"
        return answer.text

    def submit(self, path: str, fields: dict[str, str], form_page: str = "") -> requests.Response:
        """POST the form of ``form_page`` (default: ``path``) to ``path``."""
        found = CSRF.search(self.page(form_page or path))
        assert found, f"no CSRF token on {form_page or path}"
        return self.session.post(
            self.base + path,
            data={**fields, "csrf_token": found.group(1)},
            headers={"Host": self.host},
            allow_redirects=False,
            timeout=30,
        )


def mailed_path(inbox: Inbox, address: str, part: str) -> str:
    """The path of the link holding ``part`` in the newest mail to ``address``, waiting
    for it: the worker sends mail once the request's outbox message reaches it."""

    def link() -> str | None:
        messages: list[EmailMessage] = inbox.to(address)
        for message in reversed(messages):
            for url in LINK.findall(message.get_content()):
                if part in url:
                    return "/" + url.split("/", 3)[3]
        return None

    return str(wait_for(f"a mail to {address} with {part}", link, timeout=20, every=0.1))


def option_value(html: str, label: str) -> str:
    found = re.search(rf'<option[^>]*value="(\d+)"[^>]*>\s*{re.escape(label)}\s*</option>', html)
    assert found, f"no option {label!r}"
    return found.group(1)


def accept_invitation(visitor: Visitor, path: str, name: str) -> None:
    fields = {"name": name, "password": PASSWORD, "confirm": PASSWORD}
    accepted = visitor.submit(path, fields)
    assert accepted.status_code in (302, 303), accepted.text[-2000:]


def enrol_a_reseller(port: int, inbox: Inbox) -> str:
    """From the vendor admin's console to a reseller's own API token; the token."""
    vendor = Visitor(port, ADMIN_HOST)
    signed_in = vendor.submit("/login", {"email": VENDOR_ADMIN, "password": ADMIN_PASSWORD})
    assert signed_in.status_code in (302, 303), signed_in.text[-2000:]
    tenants = vendor.page("/admin/")
    found = re.search(rf'<tr data-tenant="{SLUG}">.*?href="/admin/tenants/(\d+)"', tenants, re.S)
    assert found, tenants
    tenant_page = f"/admin/tenants/{found.group(1)}"
    invited = vendor.submit(
        f"{tenant_page}/staff", {"email": LEAD, "name": "Dylan Rivers"}, tenant_page
    )
    assert invited.status_code in (302, 303), invited.text[-2000:]

    lead = Visitor(port, HOST)  # the distributor admin, signed in by accepting
    accept_invitation(lead, mailed_path(inbox, LEAD, "/invitations/"), "Dylan Rivers")

    reseller = Visitor(port, HOST)
    program = option_value(reseller.page("/apply"), PROGRAM)
    applied = reseller.submit(
        "/apply",
        {
            "company_name": "Quayside Systems",
            "address_line": "4 Quay Parade",
            "postal_code": "GL1 2EH",
            "city": "Gloucester",
            "country": "GB",
            "tax_id": "GB123456789",
            "contact_name": "Rhian Quay",
            "contact_email": RESELLER,
            "program": program,
            "terms": "y",
        },
    )
    assert applied.status_code == 303, applied.text[-2000:]
    assert reseller.get(mailed_path(inbox, RESELLER, "/apply/verify/")).status_code == 200

    application = mailed_path(inbox, LEAD, "/partners/applications/")
    approved = lead.submit(
        f"{application}/approve", {"program": program, "credit_limit": "5000"}, application
    )
    assert approved.status_code == 303, approved.text[-2000:]

    accept_invitation(reseller, mailed_path(inbox, RESELLER, "/invitations/"), "Rhian Quay")
    tokens = reseller.submit("/account/tokens/", {})
    assert tokens.status_code == 200, tokens.text[-2000:]
    token = re.search(r"\bcf_[A-Za-z0-9_-]{43}\b", tokens.text)
    assert token, tokens.text
    return token.group(0)


# -- the test --------------------------------------------------------------------------


def copy_example_manifest(tenants: Path) -> Path:
    """tenants/example/tenant.toml under a slug and host of our own, live."""
    text = (ROOT / "tenants" / "example" / "tenant.toml").read_text()
    for old, new in (
        ('slug = "example"', f'slug = "{SLUG}"'),
        ('name = "Example Distribution"', 'name = "Riverway Distribution"'),
        ('status = "draft"', 'status = "live"'),
        ('hosts = ["example.localhost"]', f'hosts = ["{HOST}"]'),
    ):
        assert old in text, f"tenants/example/tenant.toml no longer has {old}"
        text = text.replace(old, new)
    manifest = tenants / SLUG / "tenant.toml"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(text)
    return manifest


def beat_started_at(honcho: Honcho) -> float:
    """When beat started its schedule, as a time.time(): its sweeps come every 30 s after."""

    def started() -> float | None:
        found = re.search(rf"beat\.1 +\| {TIMESTAMP} \S+ celery\.beat .*Starting", honcho.log())
        if found is None:
            return None
        return datetime.fromisoformat(found.group(1) + "+00:00").timestamp()

    return float(wait_for("beat to start", started, timeout=30, every=0.1))


def test_an_operator_deploys_on_an_empty_database_and_an_order_survives_a_broker_outage(
    empty_database: str,
    compiled_translations: Path,
    broker: BrokerProxy,
    smtp_server: tuple[Inbox, int],
    tmp_path: Path,
) -> None:
    began = time.monotonic()
    inbox, smtp_port = smtp_server
    port, tenants = free_port(), tmp_path / "tenants"
    (tmp_path / "metrics").mkdir()
    # The environment file: the same for the flask commands and the processes.
    env = {
        **operator_env(empty_database, compiled_translations),
        "CELERY_BROKER_URL": broker.url,
        "TENANTS_DIR": str(tenants),
        "ADMIN_HOST": ADMIN_HOST,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "STATE_DIR": str(tmp_path / "state"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "PORT": str(port),
        "GUNICORN_WORKERS": "1",
    }

    flask(env, "db", "upgrade")
    set_up = flask(
        {**env, "CHANNELFRONT_ADMIN_PASSWORD": ADMIN_PASSWORD},
        *("setup", "--vendor-name", "Acme Software", "--vendor-slug", "acme"),
        *("--admin-email", VENDOR_ADMIN, "--admin-name", "Ada Admin"),
    )
    assert "Vendor acme (Acme Software): created." in set_up
    manifest = copy_example_manifest(tenants)
    flask(env, "tenants", "sync")
    imported = flask(env, "catalog", "import", str(ROOT / "docs/examples/catalog.csv"))
    assert "catalog.csv: 3 new categories, 5 new products, 0 updated" in imported
    # Programs name the catalog's categories: they join the manifest once it is imported.
    with manifest.open("a") as out:
        out.write(
            f'\n[[programs]]\nslug = "partners"\nname = "{PROGRAM}"\n'
            f'rules = [{{ category = "security", discount = "{DISCOUNT}" }}]\n'
        )
    flask(env, "tenants", "sync")
    prepared = time.monotonic() - began

    honcho = Honcho(env, tmp_path)
    readiness = Readiness(port)
    try:

        def serving() -> bool:
            assert honcho.process.poll() is None, honcho.log()
            try:
                return requests.get(f"http://127.0.0.1:{port}/healthz/live", timeout=2).ok
            except requests.RequestException:
                return False

        wait_for("web", serving, timeout=60, every=0.2)
        readiness.start()
        sweeps_from = beat_started_at(honcho)
        token = enrol_a_reseller(port, inbox)
        api = Api(port, token)
        api.headers["Host"] = HOST
        product = next(p for p in api.call("GET", "/products").json()["items"] if p["sku"] == SKU)
        assert product["kind"] == "subscription"

        # Cut the broker so that the order is at least SWEEP_AGE old at a sweep of beat's,
        # which then sends it: the wait stays short without a setting for the test.
        sweep = sweeps_from + SWEEP_SECONDS
        while sweep - time.time() < SWEEP_AGE + 4:
            sweep += SWEEP_SECONDS
        time.sleep(max(0.0, sweep - SWEEP_AGE - 4 - time.time()))
        cut = time.monotonic()
        broker.cut()
        time.sleep(1)
        placed = api.call(
            "POST",
            "/orders",
            json={
                "lines": [{"sku": SKU, "quantity": 1}],
                "end_customer": {
                    "company_name": "Severn Abbey Works",
                    "contact_name": "Tom Tewkes",
                    "email": "it@severn-abbey.example",
                    "country": "GB",
                },
                "payment": {"method": "on_account"},
            },
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert placed.status_code == 201, placed.text
        order = placed.json()
        # Accepted and paid for on account; fulfilment waits for the worker.
        assert order["status"] == "accepted_on_account", order
        assert order["licenses"] == []
        assert order["list_total"] == LIST_PRICE
        assert order["total"] == "360.00"  # less the program's 25 % on the category
        # Down long enough for the readiness probe's cached broker answer (5 s) to age.
        wait_for(
            "readiness to report the broker down",
            lambda: readiness.broker_seen("down", since=cut),
            timeout=10,
        )
        time.sleep(max(0.0, cut + OUTAGE_SECONDS - time.monotonic()))
        broker.restore()

        def fulfilled() -> dict[str, Any] | None:
            found = api.call("GET", f"/orders/{order['number']}").json()
            return found if found["status"] == "invoiced" else None

        order = wait_for("beat's sweep and the worker", fulfilled, timeout=SWEEP_SECONDS + 15)
        assert len(order["licenses"]) == 1
        assert order["licenses"][0]["key"]
        wait_for("readiness to report the broker up", lambda: readiness.broker_seen("ok", cut), 10)

        assert "left pending: broker unavailable" in honcho.log()  # the web's warning

        def drained() -> dict[tuple[str, tuple[tuple[str, str], ...]], float] | None:
            samples = metric_samples(port)
            return samples if samples[("channelfront_outbox_pending_messages", ())] == 0 else None

        # The fulfilment's own messages (the buyer's mail) are handled too.
        samples = wait_for("the outbox to drain", drained, timeout=20, every=0.5)
        placed_key = ("tenant", SLUG), ("payment_method", "on_account")
        assert samples[("channelfront_orders_placed_total", tuple(sorted(placed_key)))] >= 1
        count_key = ("channelfront_order_fulfilment_seconds_count", (("tenant", SLUG),))
        assert samples[count_key] >= 1  # observed by the worker, added up by the web

        readiness.stop.set()
        assert len(readiness.answers) > 10
        assert not readiness.failures(), readiness.failures()
        print(f"prepared in {prepared:.1f} s; whole path {time.monotonic() - began:.1f} s")

        honcho.process.send_signal(signal.SIGINT)
        honcho.process.wait(timeout=30)
    except BaseException:
        print(honcho.log()[-8000:])  # shown with the failure
        raise
    finally:
        readiness.stop.set()
        honcho.kill_leftovers()
