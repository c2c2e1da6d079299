"""The console's status page and its JSON: vendor staff only, on the admin host."""

import html
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from channelfront.accounts.models import User, UserKind
from channelfront.extensions import db
from channelfront.health import heartbeat
from channelfront.outbox.models import OutboxMessage


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def row_text(response, component: str, name: str | None = None) -> str:  # type: ignore[no-untyped-def]
    page = response.get_data(as_text=True)
    named = f' data-name="{name}"' if name else ""
    found = re.search(rf'<tr data-component="{component}"{named}>(.*?)</tr>', page, re.S)
    assert found, f"no row for {component} {name or ''}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def pending_messages() -> int:
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.done_at.is_(None))
    )


def test_vendor_staff_see_database_broker_processes_and_outbox(app, ctx, console):
    now = datetime.now(UTC)
    heartbeat.record("worker:celery@web-1", "worker", now - timedelta(seconds=5))
    heartbeat.record("worker:celery@web-2", "worker", now - timedelta(seconds=300))
    heartbeat.record("beat", "beat", now - timedelta(seconds=20))
    waiting = pending_messages()
    for minutes in (3, 90):
        db.session.add(
            OutboxMessage(
                topic="mail.test", payload={}, created_at=now - timedelta(minutes=minutes)
            )
        )
    db.session.commit()

    response = console.get("/admin/status")
    assert response.status_code == 200
    assert row_text(response, "database") == "Database OK"
    assert row_text(response, "broker") == "Message broker Not configured"
    assert row_text(response, "beat").startswith("Scheduler (beat) OK")
    assert "seconds ago" in row_text(response, "beat")
    assert row_text(response, "worker", "worker:celery@web-1").startswith("Worker celery@web-1 OK")
    assert row_text(response, "worker", "worker:celery@web-2") == (
        "Worker celery@web-2 Stale 5 minutes ago"
    )
    page = text_of(response)
    assert f"Messages waiting Oldest waiting for {waiting + 2} 90 minutes" in page
    assert 'aria-current="page">Status</a>' in response.get_data(as_text=True)

    data = console.get("/admin/status.json").json
    assert data["database"] == "ok"
    assert data["broker"] == "unset"
    assert data["outbox"]["pending"] == waiting + 2
    assert 90 * 60 <= data["outbox"]["oldest_age_seconds"] < 91 * 60
    assert data["beat"]["stale"] is False
    assert data["stale_after_seconds"] == 60
    workers = {w["name"]: w for w in data["workers"]}
    assert workers["worker:celery@web-2"]["stale"] is True
    assert 300 <= workers["worker:celery@web-2"]["age_seconds"] < 310
    assert workers["worker:celery@web-1"]["stale"] is False


def test_no_heartbeat_yet_is_said_plainly(console):
    response = console.get("/admin/status")
    assert row_text(response, "beat") == "Scheduler (beat) No heartbeat yet"
    assert row_text(response, "worker") == "Workers No heartbeat yet"


def test_every_console_page_links_to_the_status_page(console):
    page = console.get("/admin/products").get_data(as_text=True)
    assert 'href="/admin/status"' in page


def test_ages_are_written_in_the_page_language(app, ctx, console):
    heartbeat.record("beat", "beat", datetime.now(UTC) - timedelta(minutes=5))
    db.session.commit()
    console.set_cookie("locale", "de", domain="admin.localhost")
    response = console.get("/admin/status")
    assert response.status_code == 200
    assert 'lang="de"' in response.get_data(as_text=True)
    assert "vor 5 Minuten" in row_text(response, "beat")


def test_the_status_page_does_not_exist_on_a_storefront(northwind, bluebird_buyer):
    for path in ("/admin/status", "/admin/status.json"):
        assert northwind.get(path).status_code == 404
        assert bluebird_buyer.get(path).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(admin_host):
    for path in ("/admin/status", "/admin/status.json"):
        response = admin_host.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_distributor_staff_are_refused_on_the_admin_host(admin_host):
    """They cannot sign in there (403), so the page sends them to sign in."""
    assert admin_host.login("finance@northwind.example").status_code == 403
    for path in ("/admin/status", "/admin/status.json"):
        response = admin_host.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_someone_no_longer_vendor_staff_is_signed_out_of_it(app, console):
    """A vendor admin moved to a distributor while signed in on the console."""
    assert console.get("/admin/status").status_code == 200
    with app.app_context():
        db.session.execute(
            update(User)
            .where(User.email == "admin@nimbus.example")
            .values(kind=UserKind.DISTRIBUTOR, role="distributor_admin")
        )
        db.session.commit()
    for path in ("/admin/status", "/admin/status.json"):
        response = console.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
