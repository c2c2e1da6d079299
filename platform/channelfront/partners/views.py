"""Mounts the Partners area's pages on its blueprint."""

from __future__ import annotations

import channelfront.partners.audit_views  # noqa: F401  (pages on bp)
from channelfront.partners import applications, companies, staff  # noqa: F401  (pages on bp)
from channelfront.partners.blueprint import bp

__all__ = ["bp"]
