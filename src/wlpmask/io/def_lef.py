"""Read the DEF/LEF subset that OpenROAD-based flows write for pad rings, bumps and RDL routes.

The LEF reader lives in io/lef.py, the tokenizer in io/lefdef_text.py, the records in
io/def_model.py and the section readers in io/def_sections.py; the public names are re-exported
here.

LEF: UNITS, MACRO (CLASS, ORIGIN, SIZE, PIN ... PORT LAYER ... RECT/POLYGON, OBS). Every other
LEF section (LAYER, VIA, SITE, VIARULE, PROPERTYDEFINITIONS ...) is skipped.
DEF: UNITS DISTANCE MICRONS, DIEAREA, COMPONENTS (placement and orientation), PINS (ports with
LAYER rectangles or POLYGON), NETS and SPECIALNETS (connections and ROUTED wires).

Everything returned is in micrometres; component pin shapes are placed (orientation and
location applied) as shapely polygons. Malformed input raises WlpmaskError naming the file and
the line.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

import numpy as np
import shapely
from shapely.geometry import Polygon

from ..errors import WlpmaskError
from .def_model import Component, DefDesign, DefNet, DefPin, Wire
from .def_sections import place_polygon, read_components, read_die_area, read_nets, read_pins
from .lef import Macro, MacroPin, read_lef
from .lefdef_text import _read_text, _Tokens

__all__ = [
    "Component",
    "DefDesign",
    "DefNet",
    "DefPin",
    "Macro",
    "MacroPin",
    "Wire",
    "layer_terminals",
    "matches",
    "place_polygon",
    "read_def",
    "read_lef",
    "wire_length_um",
]


def read_def(path: str | Path, lefs: Mapping[str, Macro]) -> DefDesign:
    """Read a DEF file.

    Args:
        path: the DEF file.
        lefs: macros from read_lef; every placed component's macro must be among them.

    Returns:
        DefDesign in um.
    """
    tk = _Tokens(_read_text(path), str(path))
    name = ""
    dbu: int | None = None
    die: Polygon | None = None
    comps: dict[str, Component] = {}
    pins: dict[str, DefPin] = {}
    nets: dict[str, DefNet] = {}
    snets: dict[str, DefNet] = {}
    while tk.peek() is not None:
        at = tk.i
        t = tk.next()
        if t == "DESIGN":
            name = tk.next("a design name")
            tk.expect(";")
        elif t == "UNITS":
            tk.expect("DISTANCE")
            tk.expect("MICRONS")
            v = tk.number("DEF units per micron")
            if v <= 0 or v != int(v):
                raise tk.error(f"UNITS DISTANCE MICRONS must be a positive integer, found {v}", at)
            dbu = int(v)
            tk.expect(";")
        elif t == "DIEAREA":
            die = read_die_area(tk, _need_units(tk, dbu, at), at)
        elif t == "COMPONENTS":
            _section_count(tk)
            comps = read_components(tk, lefs, _need_units(tk, dbu, at))
        elif t == "PINS":
            _section_count(tk)
            pins = read_pins(tk, _need_units(tk, dbu, at))
        elif t in ("NETS", "SPECIALNETS"):
            _section_count(tk)
            table = read_nets(tk, _need_units(tk, dbu, at), special=(t == "SPECIALNETS"))
            (snets if t == "SPECIALNETS" else nets).update(table)
        elif t == "END":
            tk.next("a section name")
        elif t in ("VIAS", "NONDEFAULTRULES", "REGIONS", "GROUPS", "BLOCKAGES", "FILLS",
                   "PROPERTYDEFINITIONS", "SCANCHAINS", "STYLES", "PINPROPERTIES"):
            if t != "PROPERTYDEFINITIONS":
                _section_count(tk)
            tk.skip_to_end(t)
        else:
            tk.skip_statement()
    if dbu is None:
        raise WlpmaskError("no UNITS DISTANCE MICRONS statement", file=str(path), key="UNITS")
    if die is None:
        raise WlpmaskError("no DIEAREA statement", file=str(path), key="DIEAREA")
    return DefDesign(name, dbu, die, MappingProxyType(comps), MappingProxyType(pins),
                     MappingProxyType(nets), MappingProxyType(snets))


def _need_units(tk: _Tokens, dbu: int | None, at: int) -> int:
    if dbu is None:
        raise tk.error("UNITS DISTANCE MICRONS must come before geometry", at)
    return dbu


def _section_count(tk: _Tokens) -> None:
    tk.number("a count")
    tk.expect(";")


def matches(name: str, patterns: Sequence[str] | None) -> bool:
    """True when `name` equals one of the glob patterns or matches it (fnmatch, case-sensitive).

    Args:
        name: a component or pin name.
        patterns: glob patterns; None matches every name.
    """
    return patterns is None or any(name == p or fnmatch.fnmatchcase(name, p) for p in patterns)


def layer_terminals(design: DefDesign, lefs: Mapping[str, Macro], layer: str,
                    nets: Iterable[str], *, pins: Sequence[str] | None = None,
                    components: Sequence[str] | None = None,
                    ) -> tuple[list[tuple[str, str, Polygon, str]], list[Polygon]]:
    """Split the metal of one layer into the terminals of some nets and everything else.

    Args:
        design: from read_def.
        lefs: the macros (their CLASS tells bumps from pads).
        layer: the routing layer.
        nets: the nets whose component pins are terminals.
        pins: glob patterns on LEF pin names that may be terminals; None: every pin.
        components: glob patterns on component names that may have terminals; None: all.

    Returns:
        (terminals, obstacles). A terminal is (name, kind, polygon, net): name is the
        component, or component/pin when the component has several such pins on the layer;
        kind is "bump" when the macro CLASS mentions BUMP, else "pad". Obstacles are all other
        pin and OBS shapes of placed components on the layer.
    """
    used: dict[tuple[str, str], str] = {}
    for net in sorted(set(nets)):
        conns: list[tuple[str, str]] = []
        for table in (design.nets, design.special_nets):
            if net in table:
                conns.extend(table[net].connections)
        for comp, pin in conns:
            names = sorted(design.components) if comp == "*" else [comp]
            for name in names:
                c = design.components.get(name)
                if c is None or pin not in c.pins:
                    continue
                if any(lay == layer for lay, _ in c.pins[pin]):
                    used.setdefault((name, pin), net)
    terms: list[tuple[str, str, Polygon, str]] = []
    obstacles: list[Polygon] = []
    for name in sorted(design.components):
        c = design.components[name]
        on_layer = [p for p in sorted(c.pins) if any(lay == layer for lay, _ in c.pins[p])]
        chosen = {p for p in on_layer if matches(p, pins)} if matches(name, components) else set()
        for pin in on_layer:
            geoms = [g for lay, g in c.pins[pin] if lay == layer]
            if pin in chosen and (name, pin) in used:
                merged = shapely.union_all(geoms)
                parts = list(getattr(merged, "geoms", [merged]))
                kind = "bump" if "BUMP" in lefs[c.macro].cls.upper() else "pad"
                tname = name if len(chosen) == 1 else f"{name}/{pin}"
                for k, part in enumerate(sorted(parts, key=lambda g: g.bounds)):
                    terms.append((tname if len(parts) == 1 else f"{tname}.{k}", kind, part,
                                  used[(name, pin)]))
            else:
                obstacles.extend(geoms)
        obstacles.extend(g for lay, g in c.obs if lay == layer)
    return terms, obstacles


def wire_length_um(wires: Iterable[Wire], layer: str | None = None) -> float:
    """Total centre-line length of routed wires (optionally on one layer), um.

    Args:
        wires: routed DEF wires, points in um.
        layer: count only wires on this layer; None for all.
    """
    total = 0.0
    for w in wires:
        if layer is not None and w.layer != layer:
            continue
        if len(w.points) > 1:
            total += float(np.sum(np.hypot(*np.diff(w.points, axis=0).T)))
    return total
