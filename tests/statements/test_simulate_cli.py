"""`flask --app wsgi incentives simulate INPUT.json --as-of DATE`, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

DOCUMENT = {
    "program": {
        "id": "P1",
        "settlement_currency": "USD",
        "timezone": "UTC",
        "statement_period": "monthly",
        "grace_days": 5,
        "rules": [
            {
                "id": "com",
                "kind": "percent_commission",
                "beneficiary": "distributor",
                "scope": {},
                "rate": "0.05",
            }
        ],
    },
    "events": [
        {
            "id": "O-1",
            "type": "purchase",
            "event_date": "2025-03-10",
            "channel": "storefront",
            "distributor_id": "D1",
            "ordering_partner_id": "R1",
            "event_kind": "none",
            "product_id": "X",
            "category_path": ["software"],
            "quantity": "1",
            "net_amount": "200.00",
            "currency": "USD",
        }
    ],
}


def simulate(tmp_path: Path, document: object, *extra: str) -> subprocess.CompletedProcess[str]:
    source = tmp_path / "input.json"
    source.write_text(json.dumps(document) if not isinstance(document, str) else document)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "SECRET_KEY": "simulate-cli-secret",
        "LICENSE_SIGNING_KEY": "simulate-cli-license-key",
    }
    flask = Path(sys.executable).with_name("flask")
    return subprocess.run(
        [str(flask), "--app", "wsgi", "incentives", "simulate", str(source), *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_prints_the_statements_and_exits_zero(tmp_path):
    done = simulate(tmp_path, DOCUMENT, "--as-of", "2025-04-06")
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    [statement] = output["statements"]
    assert statement["period"] == "2025-03"
    assert statement["status"] == "closed"
    assert statement["total"] == "10.00"
    assert statement["lines"][0]["event"] == "O-1"


def test_same_day_as_close_is_still_open(tmp_path):
    done = simulate(tmp_path, DOCUMENT, "--as-of", "2025-04-05")
    assert json.loads(done.stdout)["statements"][0]["status"] == "open"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"net_amount": "200.001"}, ["events[0].net_amount", "O-1", "USD"]),
        ({"currency": "EUR"}, ["fx_rates", "O-1", "EUR"]),
        ({"type": "refund", "refund_of": "O-0"}, ["refund_of", "O-1", "O-0"]),
    ],
)
def test_bad_events_exit_non_zero_naming_field_and_event(tmp_path, change, named):
    document = json.loads(json.dumps(DOCUMENT))
    document["events"][0].update(change)
    done = simulate(tmp_path, document, "--as-of", "2025-04-06")
    assert done.returncode != 0
    assert done.stdout == ""
    for word in named:
        assert word in done.stderr


def test_bad_program_and_arguments_are_named(tmp_path):
    document = json.loads(json.dumps(DOCUMENT))
    document["program"]["rules"][0]["kind"] = "bonus"
    done = simulate(tmp_path, document, "--as-of", "2025-04-06")
    assert done.returncode != 0
    assert "program.rules[0].kind" in done.stderr

    assert "not a JSON document" in simulate(tmp_path, "{oops", "--as-of", "2025-04-06").stderr
    bad_date = simulate(tmp_path, DOCUMENT, "--as-of", "10/06/2025")
    assert bad_date.returncode != 0
    assert "not a date" in bad_date.stderr
