"""The write log the form fuzzing trusts: it keeps what was committed, in savepoints too,
and forgets what was rolled back."""

from __future__ import annotations

from channelfront.accounts.models import Company
from channelfront.extensions import db
from tests.fuzz.writes import write_log


def test_committed_writes_are_kept_and_rolled_back_ones_are_not(ctx):
    with write_log(db.engine) as log:
        db.session.add(Company(name="Rolled Back Ltd", country="US"))
        db.session.flush()
        db.session.rollback()
        assert log.kept() == []
        db.session.add(Company(name="Kept Ltd", country="US"))
        db.session.commit()
        assert log.kept() == ["company"]
        kept = db.session.scalar(db.select(Company).where(Company.name == "Kept Ltd"))
        with db.session.begin_nested():
            kept.country = "DE"
        nested = db.session.begin_nested()
        db.session.delete(kept)
        db.session.flush()
        nested.rollback()
        db.session.commit()
        assert log.kept() == ["company", "company"]  # the update, not the delete


def test_a_request_that_writes_is_seen(bluebird_buyer, ctx):
    token = bluebird_buyer.csrf_token("/cart")
    with write_log(db.engine) as log:
        response = bluebird_buyer.post(
            "/cart/add", data={"csrf_token": token, "sku": "INS-PERP", "quantity": "1"}
        )
        assert response.status_code == 303
        assert "cart_line" in log.kept()
