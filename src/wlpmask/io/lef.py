"""Read LEF macros: UNITS, MACRO (CLASS, ORIGIN, SIZE, PIN ... PORT LAYER ... RECT/POLYGON, OBS).

Every other LEF section (LAYER, VIA, SITE, VIARULE, PROPERTYDEFINITIONS ...) is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import shapely
from shapely.geometry import Polygon, box

from .lefdef_text import _read_text, _Tokens


@dataclass(frozen=True)
class MacroPin:
    """A pin of a LEF macro.

    Args:
        name: pin name.
        use: USE value (SIGNAL, POWER, GROUND ...) or None.
        direction: DIRECTION value or None.
        shapes: (layer, polygon) pairs in macro coordinates (um, relative to the LEF origin).
    """

    name: str
    use: str | None
    direction: str | None
    shapes: tuple[tuple[str, Polygon], ...]


@dataclass(frozen=True)
class Macro:
    """A LEF macro.

    Args:
        name: macro name.
        cls: CLASS value ("PAD", "COVER BUMP" ...), "" when absent.
        size: (width, height) in um.
        origin: ORIGIN (x, y) in um: macro coordinates plus origin give bounding-box coordinates.
        pins: pins by name.
        obs: OBS (layer, polygon) pairs in macro coordinates.
    """

    name: str
    cls: str
    size: tuple[float, float]
    origin: tuple[float, float]
    pins: Mapping[str, MacroPin]
    obs: tuple[tuple[str, Polygon], ...] = ()


def read_lef(paths: str | Path | Iterable[str | Path]) -> dict[str, Macro]:
    """Read the macros of one or more LEF files (later files override earlier macros).

    Args:
        paths: LEF file path(s).

    Returns:
        macro name -> Macro, geometry in um.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    macros: dict[str, Macro] = {}
    for path in paths:
        tk = _Tokens(_read_text(path), str(path))
        while tk.peek() is not None:
            t = tk.next()
            if t == "MACRO":
                m = _lef_macro(tk)
                macros[m.name] = m
            elif t == "END":
                tk.next("a section name")  # END LIBRARY
            elif t in ("UNITS", "PROPERTYDEFINITIONS"):
                tk.skip_to_end(t)
            elif t in ("LAYER", "VIA", "SITE", "VIARULE", "NONDEFAULTRULE", "SPACING", "ARRAY",
                       "BEGINEXT"):
                name = tk.next("a name") if t not in ("SPACING",) else "SPACING"
                if t == "VIARULE" and tk.peek() == "GENERATE":
                    tk.next()
                tk.skip_to_end(name)
            else:
                # simple statement: VERSION, BUSBITCHARS, MANUFACTURINGGRID ...
                if t != ";":
                    tk.skip_statement()
    return macros


def _lef_macro(tk: _Tokens) -> Macro:
    name = tk.next("a macro name")
    start = tk.i
    cls = ""
    size = (0.0, 0.0)
    origin = (0.0, 0.0)
    pins: dict[str, MacroPin] = {}
    obs: list[tuple[str, Polygon]] = []
    while True:
        t = tk.next(f"END {name}")
        if t == "END":
            end = tk.next(name)
            if end != name:
                raise tk.error(f"macro {name!r}: expected 'END {name}', found 'END {end}'",
                               tk.i - 1)
            break
        if t == "CLASS":
            parts = []
            while tk.peek() != ";":
                parts.append(tk.next())
            tk.next()
            cls = " ".join(parts)
        elif t == "SIZE":
            w = tk.number("macro width")
            tk.expect("BY")
            h = tk.number("macro height")
            tk.expect(";")
            size = (w, h)
        elif t == "ORIGIN":
            origin = (tk.number("origin x"), tk.number("origin y"))
            tk.expect(";")
        elif t == "PIN":
            pin = _lef_pin(tk, name)
            pins[pin.name] = pin
        elif t == "OBS":
            obs.extend(_lef_shapes(tk, f"macro {name} OBS"))
        else:
            tk.skip_statement()
    if size == (0.0, 0.0):
        raise tk.error(f"macro {name!r} has no SIZE", start)
    return Macro(name, cls, size, origin, MappingProxyType(pins), tuple(obs))


def _lef_pin(tk: _Tokens, macro: str) -> MacroPin:
    name = tk.next("a pin name")
    use = direction = None
    shapes: list[tuple[str, Polygon]] = []
    while True:
        t = tk.next(f"END {name}")
        if t == "END":
            end = tk.next(name)
            if end != name:
                raise tk.error(f"macro {macro} pin {name!r}: expected 'END {name}'", tk.i - 1)
            break
        if t == "PORT":
            shapes.extend(_lef_shapes(tk, f"macro {macro} pin {name}"))
        elif t == "USE":
            use = tk.next("USE value")
            tk.expect(";")
        elif t == "DIRECTION":
            direction = tk.next("DIRECTION value")
            tk.skip_statement()
        else:
            tk.skip_statement()
    return MacroPin(name, use, direction, tuple(shapes))


def _lef_shapes(tk: _Tokens, where: str) -> list[tuple[str, Polygon]]:
    """LAYER / RECT / POLYGON statements up to the closing END of a PORT or OBS."""
    layer: str | None = None
    out: list[tuple[str, Polygon]] = []
    while True:
        t = tk.next("END")
        if t == "END":
            return out
        if t == "LAYER":
            layer = tk.next("a layer name")
            tk.skip_statement()
        elif t in ("RECT", "POLYGON"):
            at = tk.i - 1
            if layer is None:
                raise tk.error(f"{where}: {t} before any LAYER", at)
            if tk.peek() == "MASK":
                tk.next()
                tk.next("mask number")
            if tk.peek() == "ITERATE":
                raise tk.error(f"{where}: ITERATE is not supported", at)
            vals = []
            while tk.peek() != ";":
                vals.append(tk.number(f"{t} coordinate"))
            tk.next()
            out.append((layer, _shape(t, vals, tk, at, where)))
        else:
            tk.skip_statement()


def _shape(kind: str, vals: list[float], tk: _Tokens, at: int, where: str) -> Polygon:
    if kind == "RECT":
        if len(vals) != 4:
            raise tk.error(f"{where}: RECT needs 4 numbers, found {len(vals)}", at)
        x0, y0, x1, y1 = vals
        return box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    if len(vals) < 6 or len(vals) % 2:
        raise tk.error(f"{where}: POLYGON needs at least 3 x y pairs", at)
    poly = Polygon(np.reshape(vals, (-1, 2)))
    if not poly.is_valid or poly.area <= 0:
        raise tk.error(f"{where}: POLYGON is not a simple polygon", at)
    return shapely.normalize(poly)
