"""A template may hold anything anywhere: these read a value as the shape code expects, or as empty."""

from __future__ import annotations

from typing import Any


def mapping(value: Any) -> dict:
    """``value`` when it is a mapping, else an empty one (a list or a scalar where a mapping belongs)."""
    return value if isinstance(value, dict) else {}
