"""Deals expire: approved ones past their protection, pending ones past their expected
close; the reseller is mailed once; a second run changes nothing. Through the Celery task
and ``flask deals expire``."""

from __future__ import annotations

from datetime import timedelta

from channelfront.celery_app import app_task
from channelfront.deals import services
from channelfront.extensions import db
from tests.deals.conftest import deal_body, the_deal

BUYER = "buyer@bluebird.example"


def three_deals(approved_deal, token_for, call) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """(approved past protection, pending past close, approved and protected)."""
    lapsed = approved_deal(external_id="E-1")["id"]
    late = call("POST", "/deals", token_for(BUYER), json=deal_body(external_id="E-2")).get_json()
    protected = approved_deal(external_id="E-3")["id"]
    yesterday = services.today() - timedelta(days=1)
    the_deal(lapsed).protected_until = yesterday
    db.session.commit()
    the_deal(late["id"]).expected_close = yesterday
    db.session.commit()
    return lapsed, late["id"], protected


def test_the_task_expires_due_deals_and_mails_once(
    approved_deal, token_for, call, on_northwind, inbox
) -> None:
    lapsed, late, protected = three_deals(approved_deal, token_for, call)
    inbox.messages.clear()
    assert app_task("deals.expire")() == {"expired": 2}
    assert [the_deal(i).status for i in (lapsed, late, protected)] == [
        "expired",
        "expired",
        "approved",
    ]
    assert the_deal(lapsed).events[-1].kind == "expired"
    subjects = [m["Subject"] for m in inbox.to(BUYER)]
    assert sorted(s for s in subjects if "has expired" in s) == sorted(
        f"Deal {the_deal(i).number} has expired" for i in (lapsed, late)
    )
    assert app_task("deals.expire")() == {"expired": 0}
    assert len(inbox.to(BUYER)) == len(subjects)


def test_the_cli_runs_as_of_a_day(app, approved_deal, token_for, call, on_northwind) -> None:
    lapsed, late, protected = three_deals(approved_deal, token_for, call)
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["deals", "expire", "--today", "tomorrow"])
    assert bad.exit_code == 2
    assert "is not a date" in bad.output
    assert the_deal(lapsed).status == "approved"
    far = (services.today() + timedelta(days=200)).isoformat()
    done = runner.invoke(args=["deals", "expire", "--today", far])
    assert done.exit_code == 0, done.output
    assert "3 deal(s) expired." in done.output
    assert {the_deal(i).status for i in (lapsed, late, protected)} == {"expired"}
