"""Typed reading of one TOML document: every value checked, every error naming file and key.

``read_toml`` reads the document; a ``Reader`` wraps the file name; each accessor takes the
table, the dotted key of that table (for messages) and the name inside it, and returns the value
with the right Python type or raises the project's single user-facing exception. Defaults are
given per call, so a missing optional value and a missing required one are told apart. Technology
and design files are both read this way.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from .errors import WlpmaskError

# The default of a required value: no default at all.
REQUIRED: Any = object()

# The unit a free-named number carries at the end of its name; _ratio, _percent, _count and
# _index (a refractive index) mark numbers without a dimension; _gpa and _mpa are a film's
# modulus and stress.
UNIT_SUFFIX = re.compile(
    r"_(um|um2|nm|mm|deg|c|k|ppm_per_k|percent|ratio|count|index|s|min|um_per_s|gpa|mpa)$")

# The largest size per unit: one metre (one square metre). That is beyond any wafer (450 mm at
# most), and at a 1 nm grid a metre is 1e9 database units, still inside GDS's 32-bit
# coordinates; a larger value is a typo in the exponent, not a layout.
MAX_SIZE = {"um": 1e6, "nm": 1e9, "mm": 1e3, "um2": 1e12}

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def dotted(key: str, name: str) -> str:
    """The TOML key of `name` inside the table at `key`; a name that is no bare key is quoted.

    Args:
        key: the table's dotted key ("" for the document's top level).
        name: the name inside the table.
    """
    if not _BARE_KEY.fullmatch(name):
        name = f'"{name}"'
    return f"{key}.{name}" if key else name


def is_number(value: Any) -> bool:
    """True for a TOML integer or float (a boolean is no number).

    Args:
        value: any value read from TOML.
    """
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def read_toml(path: str | Path) -> tuple[dict, bytes]:
    """Read a TOML file and its bytes; errors name the file (and line, as tomllib reports it).

    A UTF-8 byte-order mark at the start (as some Windows editors write) is skipped.

    Args:
        path: the file.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise WlpmaskError("file not found", file=path) from None
    except OSError as exc:
        raise WlpmaskError(f"cannot read: {exc.strerror}", file=path) from None
    try:
        return tomllib.loads(raw.decode("utf-8-sig")), raw
    except UnicodeDecodeError:
        raise WlpmaskError("not UTF-8 text; expected a TOML file", file=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise WlpmaskError(f"malformed TOML: {exc}", file=path) from None


class Reader:
    """Typed access to one TOML document; every error names the file and key.

    Args:
        path: the file the document was read from.
    """

    def __init__(self, path: str | Path):
        self.file = str(path)
        self.base = Path(path).parent

    def err(self, key: str, message: str) -> WlpmaskError:
        """The error to raise for a problem at `key`.

        Args:
            key: the dotted key of the bad value.
            message: what is wrong and what was expected.
        """
        return WlpmaskError(message, file=self.file, key=key)

    def _get(self, table: dict, key: str, name: str, default: Any,
             hint: str = "") -> tuple[bool, Any]:
        """(present, value): the value when present, else the default (or the missing error)."""
        if name in table:
            return True, table[name]
        if default is REQUIRED:
            raise self.err(dotted(key, name), "missing value" + hint)
        return False, default

    def table(self, parent: dict, key: str, name: str, *, required: bool = True) -> dict:
        """A sub-table; an optional missing one is empty.

        Args:
            parent: the table holding it.
            key: the parent's dotted key.
            name: the sub-table's name.
            required: a missing sub-table is an error (else it reads as empty).
        """
        full = dotted(key, name)
        if name not in parent:
            if required:
                raise self.err(full, "missing section")
            return {}
        v = parent[name]
        if not isinstance(v, dict):
            raise self.err(full, f"expected a table, got {v!r}")
        return v

    def keys(self, key: str, table: dict, allowed: set[str]) -> None:
        """Fail on the first key of `table` (sorted) that is not in `allowed`: typos.

        Args:
            key: the table's dotted key.
            table: the table to check.
            allowed: the names it may hold.
        """
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.err(dotted(key, unknown[0]),
                           f"unknown key; expected one of {', '.join(sorted(allowed))}")

    def num(self, table: dict, key: str, name: str, *, default: Any = REQUIRED,
            minimum: float | None = 0.0, strict: bool = False,
            maximum: float | None = None) -> float:
        """A finite number: at least `minimum` (more when strict), at most `maximum` if given.

        Args:
            table: the table holding the value.
            key: the table's dotted key.
            name: the value's name.
            default: returned unchecked when the value is missing (REQUIRED: it must be there).
            minimum: the least value allowed; None for no lower bound.
            strict: the value must exceed `minimum`.
            maximum: the largest value allowed; None: a value named with a size unit (um, nm,
                mm, um2) is at most MAX_SIZE of that unit, any other has no upper bound.
        """
        present, v = self._get(table, key, name, default)
        if not present:
            return v
        if maximum is None:
            unit = UNIT_SUFFIX.search(name)
            maximum = MAX_SIZE.get(unit.group(1)) if unit else None
        if not is_number(v) or not math.isfinite(v):
            raise self.err(dotted(key, name), f"expected a number, got {v!r}")
        what = "size" if minimum == 0 else "number"
        if minimum is not None and (v < minimum or (strict and v == minimum)):
            raise self.err(dotted(key, name), f"expected a {what} {'>' if strict else '>='} "
                           f"{minimum:g}, got {v!r}")
        if maximum is not None and v > maximum:
            raise self.err(dotted(key, name), f"expected a {what} <= {maximum:g}, got {v!r}")
        return float(v)

    def quantity(self, table: dict, key: str, name: str, *, minimum: float | None = None,
                 strict: bool = False) -> float:
        """A number whose name ends in its unit (UNIT_SUFFIX); a size is at most MAX_SIZE.

        The value is required; its unit is the one its name ends in.

        Args:
            table: the table holding the value.
            key: the table's dotted key.
            name: the value's name, ending in its unit (e.g. "width_um").
            minimum: the least value (none when None; then a size is at least -MAX_SIZE).
            strict: the value must exceed `minimum`.
        """
        unit = UNIT_SUFFIX.search(name)
        if unit is None:
            raise self.err(dotted(key, name), "a numeric value needs a unit suffix "
                           "(_um, _deg, _ratio, ...)")
        bound = MAX_SIZE.get(unit.group(1))
        if bound is not None and minimum is None:
            minimum = -bound
        return self.num(table, key, name, minimum=minimum, strict=strict, maximum=bound)

    def integer(self, table: dict, key: str, name: str, *, default: Any = REQUIRED,
                minimum: int = 0, maximum: int | None = None) -> int:
        """An integer (not a boolean) of at least `minimum`, at most `maximum` when given.

        Args:
            table: the table holding the value.
            key: the table's dotted key.
            name: the value's name.
            default: returned unchecked when missing (REQUIRED: the value must be there).
            minimum: the smallest integer allowed.
            maximum: the largest integer allowed, or None.
        """
        present, v = self._get(table, key, name, default)
        if present and (not is_number(v) or not isinstance(v, int) or v < minimum
                        or (maximum is not None and v > maximum)):
            span = f">= {minimum}" if maximum is None else f"{minimum}..{maximum}"
            raise self.err(dotted(key, name), f"expected an integer {span}, got {v!r}")
        return v

    def string(self, table: dict, key: str, name: str, *, default: Any = REQUIRED,
               choices: Sequence[str] | None = None) -> str:
        """A string, one of `choices` when given.

        Args:
            table: the table holding the value.
            key: the table's dotted key.
            name: the value's name.
            default: returned unchecked when missing (REQUIRED: the value must be there).
            choices: the strings allowed, or None for any.
        """
        hint = f"; expected one of {', '.join(choices)}" if choices else ""
        present, v = self._get(table, key, name, default, hint)
        if not present:
            return v
        if not isinstance(v, str):
            raise self.err(dotted(key, name), f"expected a string, got {v!r}")
        if choices is not None and v not in choices:
            raise self.err(dotted(key, name), f"expected one of {', '.join(choices)}, got {v!r}")
        return v

    def boolean(self, table: dict, key: str, name: str, *, default: bool) -> bool:
        """A TOML boolean: true or false.

        Args:
            table: the table holding the value.
            key: the table's dotted key.
            name: the value's name.
            default: the value when missing.
        """
        v = table.get(name, default)
        if not isinstance(v, bool):
            raise self.err(dotted(key, name), f"expected true or false, got {v!r}")
        return v

    def names(self, table: dict, key: str, name: str) -> list[str]:
        """A list of strings; missing: empty.

        Args:
            table: the table holding the list.
            key: the table's dotted key.
            name: the list's name.
        """
        v = table.get(name, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self.err(dotted(key, name), f"expected a list of names, got {v!r}")
        return v

    def pair(self, value: Any, key: str, *, named: bool = True) -> tuple[int, int]:
        """A GDS [layer, datatype] pair, each 0..65535.

        Args:
            value: the TOML value.
            key: the value's dotted key (for messages).
            named: the value may also be a layer name (the caller resolves names first); this
                only changes the message.
        """
        if (isinstance(value, list) and len(value) == 2
                and all(is_number(x) and isinstance(x, int) and 0 <= x <= 65535 for x in value)):
            return (value[0], value[1])
        if named:
            raise self.err(key, f"expected a layer name or [layer, datatype], got {value!r}")
        raise self.err(key, f"expected [layer, datatype], integers 0..65535, got {value!r}")

    def xy(self, table: dict, key: str, name: str, *,
           default: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float]:
        """An [x, y] pair of finite numbers (um), each within MAX_SIZE of its unit.

        Args:
            table: the table holding the pair.
            key: the table's dotted key.
            name: the pair's name.
            default: the pair when missing (um).
        """
        v = table.get(name, list(default))
        if (not isinstance(v, list) or len(v) != 2
                or not all(is_number(x) and math.isfinite(x) for x in v)):
            raise self.err(dotted(key, name), f"expected [dx, dy] in um, got {v!r}")
        unit = UNIT_SUFFIX.search(name)
        bound = MAX_SIZE.get(unit.group(1) if unit else "um")
        if any(abs(x) > bound for x in v):
            raise self.err(dotted(key, name), f"expected coordinates within +-{bound:g}, "
                           f"got {v!r}")
        return (float(v[0]), float(v[1]))

    def path(self, rel: str) -> Path:
        """A path written in the document, resolved against the document's directory.

        Args:
            rel: the path as written (relative to the document, or absolute).
        """
        return Path(os.path.normpath(self.base / rel))
