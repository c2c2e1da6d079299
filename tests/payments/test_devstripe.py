"""The launcher `make run` uses: localstripe on loopback for the server's lifetime only."""

import json
import os
import socket
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

SHOW_ENV = (
    "import json, os; print(json.dumps({k: os.environ.get(k, '') for k in "
    "('STRIPE_SECRET_KEY', 'STRIPE_API_BASE', 'STRIPE_WEBHOOK_SECRET')}))"
)
PROBE = (
    "import os, socket, urllib.parse; u = urllib.parse.urlsplit(os.environ['STRIPE_API_BASE']);"
    " socket.create_connection((u.hostname, u.port), timeout=2).close(); print('reachable');"
    " raise SystemExit(3)"
)


def launch(*command: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("STRIPE_")}
    return subprocess.run(
        [sys.executable, "-m", "channelfront.payments.devstripe", "run", "--", *command],
        env={**environment, "PYTHONPATH": "platform", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_a_key_the_command_runs_against_localstripe_on_loopback():
    result = launch(sys.executable, "-c", SHOW_ENV)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert "Stripe test mode" in lines[0]
    env = json.loads(lines[-1])
    assert env["STRIPE_SECRET_KEY"].startswith("sk_test_")
    assert env["STRIPE_API_BASE"].startswith("http://127.0.0.1:")
    assert env["STRIPE_WEBHOOK_SECRET"].startswith("whsec_")
    # Stopped with the command: nothing listens on its port any more.
    port = int(env["STRIPE_API_BASE"].rsplit(":", 1)[1])
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", port), timeout=1),
    ):
        pass


def test_localstripe_answers_while_the_command_runs_and_its_exit_status_is_kept():
    result = launch(sys.executable, "-c", PROBE)
    assert result.stdout.strip().endswith("reachable"), result.stderr
    assert result.returncode == 3


def test_with_a_key_the_command_runs_unchanged():
    result = launch(sys.executable, "-c", SHOW_ENV, STRIPE_SECRET_KEY="sk_test_real")
    assert result.returncode == 0, result.stderr
    env = json.loads(result.stdout.strip().splitlines()[-1])
    assert env == {
        "STRIPE_SECRET_KEY": "sk_test_real",
        "STRIPE_API_BASE": "",
        "STRIPE_WEBHOOK_SECRET": "",
    }
