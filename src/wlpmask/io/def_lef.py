"""Read the DEF/LEF subset that OpenROAD-based flows write for pad rings, bumps and RDL routes.

The LEF reader lives in io/lef.py and the tokenizer in io/lefdef_text.py; both are re-exported here.

LEF: UNITS, MACRO (CLASS, ORIGIN, SIZE, PIN ... PORT LAYER ... RECT/POLYGON, OBS). Every other
LEF section (LAYER, VIA, SITE, VIARULE, PROPERTYDEFINITIONS ...) is skipped.
DEF: UNITS DISTANCE MICRONS, DIEAREA, COMPONENTS (placement and orientation), PINS (ports with
LAYER rectangles or POLYGON), NETS and SPECIALNETS (connections and ROUTED wires).

Everything returned is in micrometres; component pin shapes are placed (orientation and
location applied) as shapely polygons. Malformed input raises WlpmaskError naming the file and
the line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import shapely
from shapely.geometry import Polygon, box

from ..errors import WlpmaskError
from .lef import Macro, MacroPin, read_lef
from .lefdef_text import ORIENTATIONS, _read_text, _Tokens

__all__ = [
    "Component",
    "DefDesign",
    "DefNet",
    "DefPin",
    "Macro",
    "MacroPin",
    "Wire",
    "layer_terminals",
    "read_def",
    "read_lef",
    "wire_length_um",
]


@dataclass(frozen=True)
class Component:
    """A placed DEF component with its pin shapes in die coordinates.

    Args:
        name: instance name.
        macro: LEF macro name.
        status: PLACED, FIXED, COVER or UNPLACED.
        location: DEF location (lower-left of the placed bounding box), um.
        orient: one of N S E W FN FS FE FW.
        pins: pin name -> (layer, polygon) pairs, placed, um.
    """

    name: str
    macro: str
    status: str
    location: tuple[float, float]
    orient: str
    pins: Mapping[str, tuple[tuple[str, Polygon], ...]]
    obs: tuple[tuple[str, Polygon], ...] = ()

    def shapes_on(self, layer: str) -> list[Polygon]:
        """Every pin polygon of this component on `layer`, in pin-name order."""
        return [g for name in sorted(self.pins) for lay, g in self.pins[name] if lay == layer]


@dataclass(frozen=True)
class DefPin:
    """A DEF (I/O) pin.

    Args:
        name: pin name.
        net: the net it belongs to.
        use: USE value or None.
        ports: (layer, polygon) pairs, placed, um.
    """

    name: str
    net: str
    use: str | None
    ports: tuple[tuple[str, Polygon], ...]


@dataclass(frozen=True)
class Wire:
    """One routed DEF wire segment chain.

    Args:
        layer: routing layer.
        width_um: wire width (SPECIALNETS), None in regular NETS (layer default).
        points: (N, 2) centre-line points in um (N = 1 for a via-only statement).
        shape: SHAPE value (IOWIRE, STRIPE ...) or None.
    """

    layer: str
    width_um: float | None
    points: np.ndarray
    shape: str | None = None


@dataclass(frozen=True)
class DefNet:
    """A DEF net (regular or special).

    Args:
        name: net name.
        special: True for SPECIALNETS.
        use: USE value or None.
        connections: (component, pin) pairs; component "PIN" names a DEF pin, "*" every
            component that has that pin.
        wires: routed wires.
    """

    name: str
    special: bool
    use: str | None
    connections: tuple[tuple[str, str], ...]
    wires: tuple[Wire, ...] = ()


@dataclass(frozen=True)
class DefDesign:
    """What read_def returns.

    Args:
        name: DESIGN name.
        dbu_per_um: UNITS DISTANCE MICRONS.
        die_area: DIEAREA polygon, um.
        components: by instance name.
        pins: DEF pins by name.
        nets: regular nets by name.
        special_nets: special nets by name.
    """

    name: str
    dbu_per_um: int
    die_area: Polygon
    components: Mapping[str, Component]
    pins: Mapping[str, DefPin]
    nets: Mapping[str, DefNet]
    special_nets: Mapping[str, DefNet] = field(default_factory=dict)

    def net_shapes(self, net: str, layer: str) -> list[tuple[str, Polygon]]:
        """(component, polygon) for every component pin of `net` (regular and special) on `layer`.

        Connections to DEF pins are left out (they are overlays of component pins in the flows
        this reader serves); "*" connections expand to every component with that pin name.
        """
        seen: set[tuple[str, str]] = set()
        conns: list[tuple[str, str]] = []
        for table in (self.nets, self.special_nets):
            if net in table:
                conns.extend(table[net].connections)
        out: list[tuple[str, Polygon]] = []
        for comp, pin in conns:
            if comp == "PIN":
                continue
            names = sorted(self.components) if comp == "*" else [comp]
            for name in names:
                if (name, pin) in seen:
                    continue
                c = self.components.get(name)
                if c is None or pin not in c.pins:
                    continue
                seen.add((name, pin))
                out.extend((name, g) for lay, g in c.pins[pin] if lay == layer)
        return out


# ---------------------------------------------------------------------------------------- DEF


def _orient_fn(orient: str, w: float, h: float):
    """Map bounding-box coordinates of an N-oriented macro to the placed orientation."""
    table = {
        "N": lambda x, y: (x, y),
        "S": lambda x, y: (w - x, h - y),
        "W": lambda x, y: (h - y, x),
        "E": lambda x, y: (y, w - x),
        "FN": lambda x, y: (w - x, y),
        "FS": lambda x, y: (x, h - y),
        "FW": lambda x, y: (y, x),
        "FE": lambda x, y: (h - y, w - x),
    }
    return table[orient]


def place_polygon(poly: Polygon, macro: Macro, location: Sequence[float], orient: str) -> Polygon:
    """Transform a polygon from macro coordinates to die coordinates.

    Args:
        poly: polygon in LEF macro coordinates (um).
        macro: the macro (size and origin).
        location: DEF location, um (lower-left of the placed bounding box).
        orient: DEF orientation.
    """
    f = _orient_fn(orient, *macro.size)
    ox, oy = macro.origin
    xy = np.asarray(poly.exterior.coords)[:-1]
    tx, ty = f(xy[:, 0] + ox, xy[:, 1] + oy)
    pts = np.column_stack([np.asarray(tx) + location[0], np.asarray(ty) + location[1]])
    return shapely.normalize(Polygon(np.round(pts, 9)))


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
            die = _die_area(tk, _need_units(tk, dbu, at), at)
        elif t == "COMPONENTS":
            _section_count(tk)
            comps = _components(tk, lefs, _need_units(tk, dbu, at))
        elif t == "PINS":
            _section_count(tk)
            pins = _pins(tk, _need_units(tk, dbu, at))
        elif t in ("NETS", "SPECIALNETS"):
            _section_count(tk)
            table = _nets(tk, _need_units(tk, dbu, at), special=(t == "SPECIALNETS"))
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


def _die_area(tk: _Tokens, dbu: int, at: int) -> Polygon:
    pts = []
    while tk.peek() == "(":
        x, y = tk.point()
        pts.append((_num(tk, x), _num(tk, y)))
    tk.expect(";")
    if len(pts) == 2:
        (x0, y0), (x1, y1) = pts
        return box(min(x0, x1) / dbu, min(y0, y1) / dbu, max(x0, x1) / dbu, max(y0, y1) / dbu)
    if len(pts) < 3:
        raise tk.error("DIEAREA needs 2 corner points or a polygon", at)
    return Polygon(np.asarray(pts) / dbu)


def _num(tk: _Tokens, s: str) -> float:
    try:
        return float(s)
    except ValueError:
        raise tk.error(f"expected a number, found {s!r}", tk.i - 1) from None


def _records(tk: _Tokens, section: str) -> Iterator[int]:
    """Walk the "- name ... ;" records of a DEF section up to "END section": yields the token
    index of each record's name, the caller reads the record."""
    while True:
        t = tk.next(f"'- name' or 'END {section}'")
        if t == "END":
            tk.expect(section)
            return
        if t != "-":
            raise tk.error(f"{section}: expected '-', found {t!r}", tk.i - 1)
        yield tk.i


def _options(tk: _Tokens, what: str) -> Iterator[str]:
    """The keywords of a record's "+ KEYWORD ..." options up to its ';' (tokens outside
    options are skipped); the caller reads each option's values."""
    while True:
        t = tk.next("';'")
        if t == ";":
            return
        if t == "+":
            yield tk.next(what)


def _components(tk: _Tokens, lefs: Mapping[str, Macro], dbu: int) -> dict[str, Component]:
    out: dict[str, Component] = {}
    for at in _records(tk, "COMPONENTS"):
        inst = tk.next("an instance name")
        master = tk.next("a macro name")
        status, loc, orient = "UNPLACED", (0.0, 0.0), "N"
        while True:
            t = tk.next("';'")
            if t == ";":
                break
            if t in ("PLACED", "FIXED", "COVER"):
                status = t
                x, y = tk.point()
                loc = (_num(tk, x) / dbu, _num(tk, y) / dbu)
                orient = tk.next("an orientation")
                if orient not in ORIENTATIONS:
                    raise tk.error(f"component {inst}: unknown orientation {orient!r}, "
                                   f"expected one of {' '.join(ORIENTATIONS)}", tk.i - 1)
            elif t == "UNPLACED":
                status = t
        if master not in lefs:
            raise tk.error(f"component {inst}: macro {master!r} is not in the LEF files", at)
        macro = lefs[master]
        placed: dict[str, tuple[tuple[str, Polygon], ...]] = {}
        obs: tuple[tuple[str, Polygon], ...] = ()
        if status != "UNPLACED":
            for pname, pin in macro.pins.items():
                placed[pname] = tuple((lay, place_polygon(g, macro, loc, orient))
                                      for lay, g in pin.shapes)
            obs = tuple((lay, place_polygon(g, macro, loc, orient)) for lay, g in macro.obs)
        out[inst] = Component(inst, master, status, loc, orient, MappingProxyType(placed), obs)
    return out


def _pins(tk: _Tokens, dbu: int) -> dict[str, DefPin]:
    out: dict[str, DefPin] = {}
    for at in _records(tk, "PINS"):
        pname = tk.next("a pin name")
        net, use = pname, None
        ports: list[tuple[str, Polygon]] = []
        pending: list[tuple[str, Polygon]] = []  # port shapes in pin coordinates
        for key in _options(tk, "a pin keyword"):
            if key == "NET":
                net = tk.next("a net name")
            elif key == "USE":
                use = tk.next("USE value")
            elif key == "PORT":
                if pending:
                    raise tk.error(f"pin {pname}: port without placement", at)
            elif key == "LAYER":
                lay = tk.next("a layer name")
                while tk.peek() in ("MASK", "SPACING", "DESIGNRULEWIDTH"):
                    tk.next()
                    tk.next()
                x0, y0 = tk.point()
                x1, y1 = tk.point()
                a, b, c, d = (_num(tk, v) / dbu for v in (x0, y0, x1, y1))
                pending.append((lay, box(min(a, c), min(b, d), max(a, c), max(b, d))))
            elif key == "POLYGON":
                lay = tk.next("a layer name")
                pts = []
                while tk.peek() == "(":
                    x, y = tk.point()
                    pts.append((_num(tk, x) / dbu, _num(tk, y) / dbu))
                if len(pts) < 3:
                    raise tk.error(f"pin {pname}: POLYGON needs 3 points", tk.i - 1)
                pending.append((lay, Polygon(pts)))
            elif key in ("PLACED", "FIXED", "COVER"):
                x, y = tk.point()
                orient = tk.next("an orientation")
                if orient not in ORIENTATIONS:
                    raise tk.error(f"pin {pname}: unknown orientation {orient!r}", tk.i - 1)
                loc = (_num(tk, x) / dbu, _num(tk, y) / dbu)
                ports.extend((lay, _place_pin_shape(g, loc, orient)) for lay, g in pending)
                pending.clear()
        out[pname] = DefPin(pname, net, use, tuple(ports))
    return out


def _place_pin_shape(g: Polygon, loc: tuple[float, float], orient: str) -> Polygon:
    """Pin port shapes are relative to the pin's placement point; rotate about that point."""
    rot = {"N": (1, 0, 0, 1), "S": (-1, 0, 0, -1), "W": (0, -1, 1, 0), "E": (0, 1, -1, 0),
           "FN": (-1, 0, 0, 1), "FS": (1, 0, 0, -1), "FW": (0, 1, 1, 0), "FE": (0, -1, -1, 0)}
    a, b, c, d = rot[orient]
    xy = np.asarray(g.exterior.coords)[:-1]
    x = a * xy[:, 0] + b * xy[:, 1] + loc[0]
    y = c * xy[:, 0] + d * xy[:, 1] + loc[1]
    return shapely.normalize(Polygon(np.round(np.column_stack([x, y]), 9)))


def _nets(tk: _Tokens, dbu: int, *, special: bool) -> dict[str, DefNet]:
    section = "SPECIALNETS" if special else "NETS"
    out: dict[str, DefNet] = {}
    for _ in _records(tk, section):
        nname = tk.next("a net name")
        conns: list[tuple[str, str]] = []
        wires: list[Wire] = []
        use = None
        while tk.peek() == "(":
            tk.next()
            comp = tk.next("a component name")
            pin = tk.next("a pin name")
            while tk.next("')'") != ")":
                pass  # + SYNTHESIZED and similar
            conns.append((comp, pin))
        for key in _options(tk, "a net keyword"):
            if key == "USE":
                use = tk.next("USE value")
            elif key in ("ROUTED", "FIXED", "COVER", "NOSHIELD"):
                wires.extend(_routing(tk, dbu, special=special, net=nname))
        out[nname] = DefNet(nname, special, use, tuple(conns), tuple(wires))
    return out


def _routing(tk: _Tokens, dbu: int, *, special: bool, net: str) -> list[Wire]:
    """Wires of one ROUTED statement: 'layer [width] [+ SHAPE s] pts... (NEW ...)*'."""
    wires: list[Wire] = []
    while True:
        at = tk.i
        layer = tk.next("a layer name")
        width = None
        if special:
            width = _num(tk, tk.next("a wire width")) / dbu
        shape = None
        while tk.peek() == "+":
            nxt = tk.toks[tk.i + 1] if tk.i + 1 < len(tk.toks) else None
            if nxt in ("SHAPE", "STYLE", "MASK"):
                tk.next()
                tk.next()
                val = tk.next("a value")
                if nxt == "SHAPE":
                    shape = val
            else:
                break
        if tk.peek() == "TAPER":
            tk.next()
        elif tk.peek() == "TAPERRULE":
            tk.next()
            tk.next()
        pts: list[tuple[float, float]] = []
        while True:
            p = tk.peek()
            if p == "(":
                xs, ys = tk.point()
                x = pts[-1][0] if xs == "*" else _num(tk, xs) / dbu
                y = pts[-1][1] if ys == "*" else _num(tk, ys) / dbu
                if (xs == "*" or ys == "*") and not pts:
                    raise tk.error(f"net {net}: '*' in the first point of a wire", at)
                pts.append((x, y))
            elif p in (";", "+", "NEW") or p is None:
                break
            elif p == "MASK":
                tk.next()
                tk.next()
            elif p == "VIRTUAL":
                tk.next()
            elif p == "RECT":
                tk.next()
                tk.point()
                tk.point()
            else:
                tk.next()  # a via name
        if not pts:
            raise tk.error(f"net {net}: routed wire on {layer} without points", at)
        wires.append(Wire(layer, width, np.asarray(pts, dtype=float), shape))
        if tk.peek() == "NEW":
            tk.next()
            continue
        return wires


def layer_terminals(design: DefDesign, lefs: Mapping[str, Macro], layer: str,
                    nets: Iterable[str]) -> tuple[list[tuple[str, str, Polygon, str]],
                                                  list[Polygon]]:
    """Split the metal of one layer into the terminals of some nets and everything else.

    Args:
        design: from read_def.
        lefs: the macros (their CLASS tells bumps from pads).
        layer: the routing layer.
        nets: the nets whose component pins are terminals.

    Returns:
        (terminals, obstacles). A terminal is (name, kind, polygon, net): name is the
        component, or component/pin when the component has several pins on the layer; kind is
        "bump" when the macro CLASS mentions BUMP, else "pad". Obstacles are all other pin
        and OBS shapes of placed components on the layer.
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
        for pin in on_layer:
            geoms = [g for lay, g in c.pins[pin] if lay == layer]
            if (name, pin) in used:
                merged = shapely.union_all(geoms)
                parts = list(getattr(merged, "geoms", [merged]))
                kind = "bump" if "BUMP" in lefs[c.macro].cls.upper() else "pad"
                tname = name if len(on_layer) == 1 else f"{name}/{pin}"
                for k, part in enumerate(sorted(parts, key=lambda g: g.bounds)):
                    terms.append((tname if len(parts) == 1 else f"{tname}.{k}", kind, part,
                                  used[(name, pin)]))
            else:
                obstacles.extend(geoms)
        obstacles.extend(g for lay, g in c.obs if lay == layer)
    return terms, obstacles


def wire_length_um(wires: Iterable[Wire], layer: str | None = None) -> float:
    """Total centre-line length of routed wires (optionally on one layer), um."""
    total = 0.0
    for w in wires:
        if layer is not None and w.layer != layer:
            continue
        if len(w.points) > 1:
            total += float(np.sum(np.hypot(*np.diff(w.points, axis=0).T)))
    return total
