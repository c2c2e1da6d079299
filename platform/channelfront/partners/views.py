"""Mounts the Partners area's pages on its blueprint."""

from __future__ import annotations

from channelfront.partners.blueprint import bp

__all__ = ["bp"]
