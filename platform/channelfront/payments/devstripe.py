"""localstripe on loopback, for ``make run`` without a Stripe key and for the tests.

``python -m channelfront.payments.devstripe serve --port 8420 [--state FILE]`` serves
localstripe's aiohttp app on 127.0.0.1 only (its own CLI listens on every interface).
localstripe saves its whole state to one fixed file in /tmp after every change, which
makes two instances on a machine overwrite each other: ours keeps its state in
``--state`` instead, or in memory only.

``python -m channelfront.payments.devstripe run -- flask run ...`` runs the command with
card payments in test mode: when ``STRIPE_SECRET_KEY`` is empty it starts localstripe
on a free loopback port, exports ``STRIPE_SECRET_KEY``, ``STRIPE_API_BASE`` and
``STRIPE_WEBHOOK_SECRET`` to the command, and stops localstripe when the command ends.
With a key set, it runs the command unchanged.
"""

from __future__ import annotations

import argparse
import os
import pickle
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

# localstripe takes any key that starts with sk_: this one opens nothing.
TEST_SECRET_KEY = "sk_test_localstripe"  # noqa: S105


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(port: int, state: str | None) -> None:
    """Serve localstripe on 127.0.0.1:port until stopped."""
    from aiohttp import web
    from localstripe import resources
    from localstripe.server import app

    store = resources.store
    if state and Path(state).is_file():
        with open(state, "rb") as saved:
            store.update(pickle.load(saved))  # noqa: S301  (our own file, written below)

    def dump(self: object) -> None:
        if state:
            with open(state, "wb") as out:
                pickle.dump(self, out, protocol=pickle.HIGHEST_PROTOCOL)

    resources.Store.dump_to_disk = dump  # type: ignore[method-assign]
    web.run_app(app, host="127.0.0.1", port=port, print=None)


def start(port: int, state: str | None = None) -> subprocess.Popen[bytes]:
    """Start ``serve`` in a child process and wait until it answers (about 0.3 s)."""
    command = [
        sys.executable,
        "-m",
        "channelfront.payments.devstripe",
        "serve",
        "--port",
        str(port),
    ]
    if state:
        command += ["--state", state]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL)  # noqa: S603
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"localstripe exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("localstripe did not start within 15 seconds")


def register_webhook(api_base: str, url: str, secret: str) -> None:
    """Ask localstripe to deliver its events, signed with ``secret``, to ``url``."""
    body = urllib.parse.urlencode({"url": url, "secret": secret}).encode()
    request = urllib.request.Request(f"{api_base}/_config/webhooks/channelfront", data=body)  # noqa: S310
    request.add_header("Authorization", f"Bearer {TEST_SECRET_KEY}")
    with urllib.request.urlopen(request, timeout=5):  # noqa: S310  (loopback only)
        pass


def run(command: list[str], state: str | None) -> int:
    if os.environ.get("STRIPE_SECRET_KEY"):
        return subprocess.call(command)  # noqa: S603
    try:
        import localstripe  # noqa: F401
    except ImportError:
        print("card payments off: install localstripe (pip install localstripe)", flush=True)
        return subprocess.call(command)  # noqa: S603
    port = free_port()
    server = start(port, state)
    api_base = f"http://127.0.0.1:{port}"
    webhook_secret = f"whsec_{secrets.token_hex(16)}"
    env = {
        **os.environ,
        "STRIPE_SECRET_KEY": TEST_SECRET_KEY,
        "STRIPE_API_BASE": api_base,
        "STRIPE_WEBHOOK_SECRET": webhook_secret,
    }
    app_port = os.environ.get("PORT", "5000")
    register_webhook(api_base, f"http://127.0.0.1:{app_port}/webhooks/stripe", webhook_secret)
    print(f"Stripe test mode: localstripe on {api_base} (use card 4242 4242 4242 4242)", flush=True)
    # A plain kill of this launcher stops the server and localstripe too.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    try:
        return subprocess.call(command, env=env)  # noqa: S603
    except KeyboardInterrupt:
        return 130
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m channelfront.payments.devstripe")
    sub = parser.add_subparsers(dest="action", required=True)
    serve_args = sub.add_parser("serve", help="serve localstripe on 127.0.0.1")
    serve_args.add_argument("--port", type=int, default=8420)
    serve_args.add_argument("--state", help="keep localstripe's data in this file")
    run_args = sub.add_parser("run", help="run a command with Stripe in test mode")
    run_args.add_argument("--state", help="keep localstripe's data in this file")
    run_args.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.action == "serve":
        serve(args.port, args.state)
        return 0
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("run needs a command after --")
    return run(command, args.state)


if __name__ == "__main__":
    sys.exit(main())
