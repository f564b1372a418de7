"""Kept so a test written against the old name still imports; use flow.open_consultation."""

from __future__ import annotations

from flow import open_consultation

__all__ = ["open_consultation"]
