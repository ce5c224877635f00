"""The sections of a DEF file: COMPONENTS (placed through their LEF macros), PINS, NETS.

Each reader takes the token stream just after the section's count and returns its records in
micrometres, shapes placed in die coordinates.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType

import numpy as np
import shapely
from shapely.geometry import Polygon, box

from .def_model import Component, DefNet, DefPin, Wire
from .lef import Macro
from .lefdef_text import ORIENTATIONS, _Tokens


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
    return place_rings(*macro_rings([poly]), macro, location, orient)[0]


def macro_rings(polys: Sequence[Polygon]) -> tuple[np.ndarray, np.ndarray]:
    """The exterior rings of polygons as one array, and the polygon index of each point.

    The (N, 2) array holds closed rings (LEF shapes have no holes).

    Args:
        polys: the polygons, um.
    """
    rings = shapely.get_exterior_ring(np.asarray(polys, dtype=object))
    return shapely.get_coordinates(rings, return_index=True)


def place_rings(coords: np.ndarray, index: np.ndarray, macro: Macro, location: Sequence[float],
                orient: str) -> np.ndarray:
    """Polygons placed from macro coordinates to die coordinates, all at once.

    Args:
        coords: from macro_rings, in LEF macro coordinates (um).
        index: from macro_rings: the polygon of each point.
        macro: the macro (size and origin).
        location: DEF location, um (lower-left of the placed bounding box).
        orient: DEF orientation.

    Returns:
        An array of normalized shapely polygons, one per polygon index.
    """
    f = _orient_fn(orient, *macro.size)
    ox, oy = macro.origin
    tx, ty = f(coords[:, 0] + ox, coords[:, 1] + oy)
    pts = np.column_stack([np.asarray(tx) + location[0], np.asarray(ty) + location[1]])
    return shapely.normalize(shapely.polygons(shapely.linearrings(np.round(pts, 9),
                                                                  indices=index)))


def read_die_area(tk: _Tokens, dbu: int, at: int) -> Polygon:
    """DIEAREA's points up to ';': two corners or a polygon.

    Args:
        tk: tokens just after DIEAREA.
        dbu: DEF units per um.
        at: token index of DIEAREA (for messages).
    """
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
    """Walk the "- name ... ;" records of a DEF section up to "END section".

    Yields the token index of each record's name; the caller reads the record.
    """
    while True:
        t = tk.next(f"'- name' or 'END {section}'")
        if t == "END":
            tk.expect(section)
            return
        if t != "-":
            raise tk.error(f"{section}: expected '-', found {t!r}", tk.i - 1)
        yield tk.i


def _options(tk: _Tokens, what: str) -> Iterator[str]:
    """The keywords of a record's "+ KEYWORD ..." options up to its ';'.

    Tokens outside options are skipped; the caller reads each option's values.
    """
    while True:
        t = tk.next("';'")
        if t == ";":
            return
        if t == "+":
            yield tk.next(what)


def read_components(tk: _Tokens, lefs: Mapping[str, Macro], dbu: int) -> dict[str, Component]:
    """The COMPONENTS records, pin and OBS shapes placed through their macros.

    Args:
        tk: tokens just after the section's count.
        lefs: the macros by name.
        dbu: DEF units per um.
    """
    out: dict[str, Component] = {}
    # Per macro: its pin and OBS shapes as (pin name or None for OBS, layer) and their rings.
    shapes: dict[str, tuple[list[tuple[str | None, str]], tuple[np.ndarray, np.ndarray]]] = {}
    for at in _records(tk, "COMPONENTS"):
        inst = tk.name("an instance name")
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
            if master not in shapes:
                owned = [(pn, lay, g) for pn, pin in macro.pins.items() for lay, g in pin.shapes]
                owned += [(None, lay, g) for lay, g in macro.obs]
                shapes[master] = ([(pn, lay) for pn, lay, _ in owned],
                                  macro_rings([g for *_, g in owned]))
            keys, rings = shapes[master]
            geoms = place_rings(*rings, macro, loc, orient) if keys else []
            by_pin: dict[str | None, list[tuple[str, Polygon]]] = {pn: [] for pn in macro.pins}
            by_pin[None] = []
            for (pn, lay), g in zip(keys, geoms):
                by_pin[pn].append((lay, g))
            obs = tuple(by_pin.pop(None))
            placed = {pn: tuple(v) for pn, v in by_pin.items()}
        out[inst] = Component(inst, master, status, loc, orient, MappingProxyType(placed), obs)
    return out


def read_pins(tk: _Tokens, dbu: int) -> dict[str, DefPin]:
    """The PINS records with their port shapes placed.

    Args:
        tk: tokens just after the section's count.
        dbu: DEF units per um.
    """
    out: dict[str, DefPin] = {}
    for at in _records(tk, "PINS"):
        pname = tk.name("a pin name")
        net, use = pname, None
        ports: list[tuple[str, Polygon]] = []
        pending: list[tuple[str, Polygon]] = []  # port shapes in pin coordinates
        for key in _options(tk, "a pin keyword"):
            if key == "NET":
                net = tk.name("a net name")
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


def read_nets(tk: _Tokens, dbu: int, *, special: bool) -> dict[str, DefNet]:
    """The NETS or SPECIALNETS records: connections and routed wires.

    Args:
        tk: tokens just after the section's count.
        dbu: DEF units per um.
        special: True for SPECIALNETS (wires carry a width).
    """
    section = "SPECIALNETS" if special else "NETS"
    out: dict[str, DefNet] = {}
    for _ in _records(tk, section):
        nname = tk.name("a net name")
        conns: list[tuple[str, str]] = []
        wires: list[Wire] = []
        use = None
        while tk.peek() == "(":
            tk.next()
            comp = tk.name("a component name")
            pin = tk.name("a pin name")
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
