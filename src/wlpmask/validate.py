"""Typed reading of one TOML document: every value checked, every error naming file and key.

A ``Reader`` wraps the file name; each accessor takes the table, the dotted key of that table
(for messages) and the name inside it, and returns the value with the right Python type or
raises the project's single user-facing exception. Defaults are given per call, so a missing
optional value and a missing required one are told apart.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import WlpmaskError

# The default of a required value: no default at all.
REQUIRED: Any = object()


def _full(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


class Reader:
    """Typed access to one TOML document; every error names the file and key.

    Args:
        path: the file the document was read from.
    """

    def __init__(self, path: str | Path):
        self.file = str(path)
        self.base = Path(path).parent

    def err(self, key: str, message: str) -> WlpmaskError:
        """The error to raise for a problem at `key`."""
        return WlpmaskError(message, file=self.file, key=key)

    def _get(self, table: dict, key: str, name: str, default: Any,
             hint: str = "") -> tuple[bool, Any]:
        """(present, value): the value when present, else the default (or the missing error)."""
        if name in table:
            return True, table[name]
        if default is REQUIRED:
            raise self.err(_full(key, name), "missing value" + hint)
        return False, default

    def table(self, parent: dict, key: str, name: str, *, required: bool = True) -> dict:
        """A sub-table; an optional missing one is empty."""
        full = _full(key, name)
        if name not in parent:
            if required:
                raise self.err(full, "missing section")
            return {}
        v = parent[name]
        if not isinstance(v, dict):
            raise self.err(full, f"expected a table, got {v!r}")
        return v

    def keys(self, key: str, table: dict, allowed: set[str]) -> None:
        """Fail on the first key of `table` (sorted) that is not in `allowed`: typos."""
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.err(_full(key, unknown[0]),
                           f"unknown key; expected one of {', '.join(sorted(allowed))}")

    def num(self, table: dict, key: str, name: str, *, default: Any = REQUIRED,
            minimum: float | None = 0.0, strict: bool = False,
            maximum: float | None = None) -> float:
        """A finite number (int or float), at least `minimum` (more than it when strict) and
        at most `maximum` (when given)."""
        present, v = self._get(table, key, name, default)
        if not present:
            return v
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise self.err(_full(key, name), f"expected a number, got {v!r}")
        if minimum is not None and (v < minimum or (strict and v == minimum)):
            what = "size" if minimum == 0 else "number"
            raise self.err(_full(key, name), f"expected a {what} {'>' if strict else '>='} "
                           f"{minimum:g}, got {v!r}")
        if maximum is not None and v > maximum:
            raise self.err(_full(key, name), f"expected at most {maximum:g}, got {v!r}")
        return float(v)

    def integer(self, table: dict, key: str, name: str, *, default: Any = REQUIRED,
                minimum: int = 0) -> int:
        """An integer (not a boolean) of at least `minimum`."""
        present, v = self._get(table, key, name, default)
        if present and (isinstance(v, bool) or not isinstance(v, int) or v < minimum):
            raise self.err(_full(key, name), f"expected an integer >= {minimum}, got {v!r}")
        return v

    def string(self, table: dict, key: str, name: str, *, default: Any = REQUIRED,
               choices: Sequence[str] | None = None) -> str:
        """A string, one of `choices` when given."""
        hint = f"; expected one of {', '.join(choices)}" if choices else ""
        present, v = self._get(table, key, name, default, hint)
        if not present:
            return v
        if not isinstance(v, str):
            raise self.err(_full(key, name), f"expected a string, got {v!r}")
        if choices is not None and v not in choices:
            raise self.err(_full(key, name), f"expected one of {', '.join(choices)}, got {v!r}")
        return v

    def boolean(self, table: dict, key: str, name: str, *, default: bool) -> bool:
        """true or false."""
        v = table.get(name, default)
        if not isinstance(v, bool):
            raise self.err(_full(key, name), f"expected true or false, got {v!r}")
        return v

    def names(self, table: dict, key: str, name: str) -> list[str]:
        """A list of strings; missing: empty."""
        v = table.get(name, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self.err(_full(key, name), f"expected a list of names, got {v!r}")
        return v

    def pair(self, value: Any, key: str) -> tuple[int, int]:
        """A GDS [layer, datatype] pair, each 0..65535."""
        if (isinstance(value, list) and len(value) == 2
                and all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= 65535
                        for x in value)):
            return (value[0], value[1])
        raise self.err(key, f"expected a layer name or [layer, datatype], got {value!r}")

    def xy(self, table: dict, key: str, name: str, *,
           default: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float]:
        """An [x, y] pair of numbers (um)."""
        v = table.get(name, list(default))
        if (not isinstance(v, list) or len(v) != 2
                or not all(isinstance(x, (int, float)) and not isinstance(x, bool)
                           and math.isfinite(x) for x in v)):
            raise self.err(_full(key, name), f"expected [dx, dy] in um, got {v!r}")
        return (float(v[0]), float(v[1]))

    def path(self, rel: str) -> Path:
        """A path written in the document, resolved against the document's directory."""
        return Path(os.path.normpath(self.base / rel))
