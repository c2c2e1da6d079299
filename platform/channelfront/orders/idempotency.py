"""One order per idempotency key, and a key reused for another request is refused.

Following the IETF Idempotency-Key draft, the order keeps a fingerprint of the request
that placed it. A repeat with the same fingerprint (a retry, a double click) is
answered with that order; a repeat with another one is a conflict: the client meant a
different order, and replaying the first would tell it that order was placed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from channelfront.orders.models import Order


def fingerprint(payload: Mapping[str, Any]) -> str:
    """SHA-256 of the payload as canonical JSON: key order and spacing do not count."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def form_fingerprint(form: MultiDict[str, str], ignored: Iterable[str] = ("csrf_token",)) -> str:
    """The fingerprint of a posted form, every value of every field but ``ignored``."""
    skip = set(ignored)
    return fingerprint({name: form.getlist(name) for name in form if name not in skip})


def conflicts(order: Order, request_fingerprint: str) -> bool:
    """Whether ``order`` was placed by a different request than this one.

    An order placed before fingerprints were kept has none, and replays as it did then.
    """
    return order.request_fingerprint not in (None, request_fingerprint)
