"""Two distributor admins demoting each other at the same moment leave one admin: the
tenant's row is locked before the admins are counted, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.slow

ROUNDS = 4
ADMINS = ("admin@northwind.example", "partners@northwind.example")


def _active_admins(served: Any) -> int:
    return int(
        served.scalar(
            "SELECT count(*) FROM user_account u JOIN tenant t ON t.id = u.tenant_id"
            " WHERE t.slug = 'northwind' AND u.role = 'distributor_admin' AND u.active"
            " AND NOT u.invitation_pending"
        )
    )


def _demote_each_other(served: Any, fire: Any, ids: list[int]) -> list[int]:
    """Both admins, signed in, demote the other at once; the answers' statuses, sorted."""
    browsers = [served.browser("northwind", email) for email in ADMINS]
    tokens = [browser.form("/partners/staff")[1] for browser in browsers]

    def demote_the_other(i: int) -> Any:
        data = {"csrf_token": tokens[i], "role": "partner_manager"}
        return browsers[i].post(f"/partners/staff/{ids[1 - i]}/role", data)

    statuses = sorted(answer.status_code for answer in fire(2, demote_the_other))
    assert all(s < 500 for s in statuses), (statuses, served.log_tail())
    return statuses


def test_distributor_admins_demoting_each_other_at_once_leave_one_admin(
    served: Any, fire: Any
) -> None:
    ids = [served.scalar("SELECT id FROM user_account WHERE email = :e", e=e) for e in ADMINS]
    for _round in range(ROUNDS):
        served.execute(
            "UPDATE user_account SET role = 'distributor_admin' WHERE email IN (:a, :b)",
            a=ADMINS[0],
            b=ADMINS[1],
        )
        first, second = _demote_each_other(served, fire, ids)
        assert first == 302, (first, second)
        # The loser was refused as the last admin (422), or was no admin any more (403).
        assert second in (403, 422), (first, second)
        assert _active_admins(served) == 1
