"""The example systemd units in deploy/systemd/: the keys an operator relies on, a
non-root user, the hardening, and the same commands as the Procfile.

Where ``systemd-analyze`` exists, each unit also passes ``systemd-analyze verify`` with
no warning (a misspelt key or value is only a warning to systemd). It is a tool, not a
service: where it is missing the key checks still run, and nothing skips.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
CHECKOUT = "/srv/channelfront/current"
STATE_DIR = "/var/lib/channelfront"
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "PrivateTmp": "yes",
    "ProtectHome": "yes",
}


def parse(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Sections of a unit file, each a list of (key, value): keys may repeat."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        assert current is not None, f"{path.name}: {line!r} is outside a section"
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: {line!r} is not key=value"
        current.append((key.strip(), value.strip()))
    return sections


def values(section: list[tuple[str, str]], key: str) -> list[str]:
    return [value for name, value in section if name == key]


def one(section: list[tuple[str, str]], key: str) -> str:
    found = values(section, key)
    assert len(found) == 1, f"{key}: {found}"
    return found[0]


def procfile() -> dict[str, list[str]]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    entries = [line.split(":", 1) for line in lines if line and not line.startswith("#")]
    # beat's "mkdir -p STATE_DIR && exec celery ...": systemd's StateDirectory makes it.
    return {name.strip(): shlex.split(command.split("&& exec ")[-1]) for name, command in entries}


@pytest.mark.parametrize("process", ["web", "worker", "beat"])
def test_the_unit_runs_the_procfile_command_as_the_service_user(process):
    unit = parse(UNITS / f"channelfront-{process}.service")
    service = unit["Service"]
    assert one(unit["Unit"], "Description")
    assert "network-online.target" in one(unit["Unit"], "After")
    assert one(unit["Install"], "WantedBy") == "multi-user.target"

    assert one(service, "User") == "channelfront"
    assert one(service, "Group") == "channelfront"
    assert one(service, "WorkingDirectory") == CHECKOUT
    assert one(service, "EnvironmentFile") == "/etc/channelfront/channelfront.env"
    assert f"STATE_DIR={STATE_DIR}" in values(service, "Environment")
    assert one(service, "Restart") == "on-failure"
    assert one(service, "RestartPreventExitStatus") == "3"  # a refused configuration
    for key, value in HARDENING.items():
        assert one(service, key) == value, key
    assert STATE_DIR in one(service, "ReadWritePaths").split()

    # The Procfile's command with the release's virtualenv, and beat's schedule under
    # STATE_DIR (systemd's ${STATE_DIR} for the Procfile's shell default).
    command = shlex.split(one(service, "ExecStart"))
    assert command[0] == f"{CHECKOUT}/.venv/bin/{procfile()[process][0]}"
    expected = procfile()[process][1:]
    expected = [a.replace("${STATE_DIR:-var}", "${STATE_DIR}") for a in expected]
    assert command[1:] == expected


def test_only_beat_keeps_a_schedule_and_says_it_runs_once():
    beat = (UNITS / "channelfront-beat.service").read_text()
    assert "exactly ONE host" in beat
    assert "--schedule ${STATE_DIR}/celerybeat-schedule" in beat
    for process in ("web", "worker"):
        assert "--schedule" not in (UNITS / f"channelfront-{process}.service").read_text()


def test_the_web_unit_waits_for_gunicorn_and_has_its_own_run_directory():
    service = parse(UNITS / "channelfront-web.service")["Service"]
    assert one(service, "Type") == "notify"
    assert "RUN_DIR=/run/channelfront/web" in values(service, "Environment")
    assert one(service, "RuntimeDirectory") == "channelfront"


@pytest.mark.parametrize("process", ["web", "worker", "beat"])
def test_systemd_analyze_verify_finds_nothing_where_it_exists(process, tmp_path):
    """Paths under /srv do not exist here: verify a copy that runs this checkout's
    virtualenv instead (verify checks that ExecStart's program is executable)."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        return  # a tool, not a service; test_the_unit_runs_... checked the keys
    source = (UNITS / f"channelfront-{process}.service").read_text()
    copy = tmp_path / f"channelfront-{process}.service"
    copy.write_text(source.replace(f"{CHECKOUT}/.venv/", f"{ROOT}/.venv/"))
    done = subprocess.run(
        [tool, "verify", str(copy)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout + done.stderr == "", "systemd warns about the unit"
