"""Small pure functions of the physics behind the process checks (DOMAIN.md 3-7, 11)."""

from __future__ import annotations


def require_positive(**values: float) -> None:
    """Refuse a length, ratio or count that must be greater than zero.

    Args:
        values: name -> value; the first one that is not > 0 raises ValueError.
    """
    for name, v in values.items():
        if not v > 0:
            raise ValueError(f"{name} must be > 0, got {v!r}")
