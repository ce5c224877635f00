"""Bond-pad import: an inline list, a CSV file, a layer of a chip's GDS, or DEF + LEF.

All sources give the same frozen ``Pad`` records in the die frame (um, lower-left die corner at
the origin). Problems name the file and the key (TOML key, CSV row, GDS cell or layer).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from ..errors import WlpmaskError
from . import name_list
from .lefdef_text import unescape

_NAME = re.compile(r"^[A-Za-z0-9_.\-\[\]<>:/]+$")
CSV_FIELDS = ("name", "x_um", "y_um", "w_um", "h_um", "net")
# The database unit of a generated demo chip.
DEMO_CHIP_DBU_UM = 0.001


@dataclass(frozen=True)
class Pad:
    """One bond pad of the incoming wafer.

    Args:
        name: unique pad name.
        x_um, y_um: centre of the pad's bounding box in the die frame.
        w_um, h_um: bounding-box size.
        net: the net the pad belongs to (None: a net of its own, named like the pad).
        outline: the pad polygon in the die frame when it is not the bounding rectangle.
    """

    name: str
    x_um: float
    y_um: float
    w_um: float
    h_um: float
    net: str | None = None
    outline: tuple[tuple[float, float], ...] | None = None

    @property
    def net_name(self) -> str:
        """The pad's net, or the pad's own name when it has none."""
        return self.net if self.net else self.name

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """The bounding box (xmin, ymin, xmax, ymax) in um."""
        return (self.x_um - self.w_um / 2, self.y_um - self.h_um / 2,
                self.x_um + self.w_um / 2, self.y_um + self.h_um / 2)

    def polygon(self) -> np.ndarray:
        """The pad outline as an (N, 2) array in um."""
        if self.outline is not None:
            return np.array(self.outline, dtype=float)
        x0, y0, x1, y1 = self.bounds
        return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])


def _num(value: Any, *, file: str, key: str, positive: bool = False) -> float:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise WlpmaskError(f"expected a number, got {value!r}", file=file, key=key) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise WlpmaskError(f"expected a number, got {value!r}", file=file, key=key)
    if positive and value <= 0:
        raise WlpmaskError(f"expected a size > 0, got {value!r}", file=file, key=key)
    return float(value)


def _name(value: Any, *, file: str, key: str) -> str:
    # Names copied from DEF keep its escapes (pad\[0\]); the name is the one without them.
    name = unescape(value.strip()) if isinstance(value, str) else value
    if not isinstance(name, str) or not _NAME.match(name):
        raise WlpmaskError(f"expected a name (letters, digits, _ . - [ ] < > : /), got {value!r}",
                           file=file, key=key)
    return name


def make_pad(fields: dict[str, Any], *, file: str, key: str) -> Pad:
    """A Pad from a mapping of name, x_um, y_um, w_um, h_um (um) and optional net.

    Args:
        fields: the values by field name; numbers may be strings (a CSV row).
        file: the file the values come from (for messages).
        key: where in the file they are (messages name key.field).

    Raises:
        WlpmaskError: a field is missing, not a number, not a size > 0, or not a name.
    """
    for k in CSV_FIELDS[:5]:
        if k not in fields or fields[k] in (None, ""):
            raise WlpmaskError(f"missing {k}", file=file, key=key)
    net = fields.get("net")
    if net in ("", None):
        net = None
    else:
        net = _name(net, file=file, key=f"{key}.net")
    return Pad(
        name=_name(fields["name"], file=file, key=f"{key}.name"),
        x_um=_num(fields["x_um"], file=file, key=f"{key}.x_um"),
        y_um=_num(fields["y_um"], file=file, key=f"{key}.y_um"),
        w_um=_num(fields["w_um"], file=file, key=f"{key}.w_um", positive=True),
        h_um=_num(fields["h_um"], file=file, key=f"{key}.h_um", positive=True),
        net=net,
    )


def pads_from_inline(items: Any, *, file: str, key: str = "pads.pads") -> list[Pad]:
    """Pads from the design file's inline list of tables.

    Args:
        items: the TOML value: a list of {name, x_um, y_um, w_um, h_um, net?} tables.
        file: the design file (for messages).
        key: the TOML key of the list.
    """
    if not isinstance(items, list) or not items:
        raise WlpmaskError("expected a non-empty list of pad tables", file=file, key=key)
    out = []
    for i, item in enumerate(items):
        k = f"{key}[{i}]"
        if not isinstance(item, dict):
            raise WlpmaskError(f"expected a table, got {item!r}", file=file, key=k)
        unknown = sorted(set(item) - set(CSV_FIELDS))
        if unknown:
            raise WlpmaskError(f"unknown key {unknown[0]!r}; expected {', '.join(CSV_FIELDS)}",
                               file=file, key=k)
        out.append(make_pad(item, file=file, key=k))
    return out


def pads_from_csv(path: str | Path) -> list[Pad]:
    r"""Pads from a CSV file with rows ``name,x_um,y_um,w_um,h_um[,net]``.

    An optional header row (the first row that is not a comment, first field "name"), blank
    lines and lines starting with "#" are skipped; a UTF-8 byte-order mark is dropped, and so
    are DEF escapes in names (pad\[0\] is pad[0]). Errors name the 1-based row number.

    Args:
        path: the CSV file.
    """
    path = Path(path)
    file = str(path)
    try:
        # utf-8-sig: a byte-order mark (Excel and some editors write one) is not part of a name.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise WlpmaskError("pad CSV file not found", file=file) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WlpmaskError(f"cannot read pad CSV: {exc}", file=file) from None
    out = []
    first = True
    for row_no, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        header, first = first and row[0].strip().lower() == "name", False
        if header:
            continue
        key = f"row {row_no}"
        if len(row) not in (5, 6):
            raise WlpmaskError(f"expected 5 or 6 fields (name,x_um,y_um,w_um,h_um[,net]), "
                               f"got {len(row)}", file=file, key=key)
        fields = dict(zip(CSV_FIELDS, (c.strip() for c in row), strict=False))
        out.append(make_pad(fields, file=file, key=key))
    if not out:
        raise WlpmaskError("no pad rows", file=file)
    return out


def pads_from_gds(path: str | Path, *, layer: tuple[int, int], cell: str | None = None,
                  label_layer: tuple[int, int] | None = None,
                  offset_um: Sequence[float] = (0.0, 0.0)) -> list[Pad]:
    """Pads from one layer of a chip's GDS (pad metal or passivation openings).

    The layer is flattened through the hierarchy and merged; each merged polygon is one pad.
    A text label inside a pad names it and gives its net (labels repeated on several pads, as
    power pads have, give one net and names with a suffix; DEF escapes are dropped);
    unlabelled pads are called PAD<n> in counter-clockwise order around the die centre,
    starting at the left edge.

    Args:
        path: the GDS file.
        layer: (layer, datatype) of the pads in that file.
        cell: the chip's cell; None takes the only top cell.
        label_layer: (layer, texttype) of the pad labels; None: the pad layer.
        offset_um: added to every coordinate to bring the chip into the die frame.
    """
    from .gds import read_layout

    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise WlpmaskError("pad GDS file not found", file=file)
    top = read_layout(path).top(cell)
    polys = top.get_polygons(layer=layer[0], datatype=layer[1])
    if not polys:
        raise WlpmaskError(f"no polygons on layer {layer[0]}/{layer[1]} in cell {top.name!r}",
                           file=file, key=f"{layer[0]}/{layer[1]}")
    merged = shapely.union_all([shapely.Polygon(p.points).buffer(0) for p in polys])
    parts = [g for g in getattr(merged, "geoms", [merged]) if not g.is_empty]
    dx, dy = float(offset_um[0]), float(offset_um[1])
    lt = label_layer or layer
    labels = [(unescape(lab.text), lab.origin)
              for lab in top.get_labels(layer=lt[0], texttype=lt[1])]
    shapes = []
    for g in parts:
        if len(g.interiors):
            raise WlpmaskError(f"pad at {g.representative_point().coords[0]} has a hole",
                               file=file, key=f"{layer[0]}/{layer[1]}")
        shapes.append(shapely.affinity.translate(shapely.set_precision(g, 1e-6), dx, dy))
    names = _pad_names(shapes, labels, (dx, dy))
    out = [_polygon_pad(name, g, net) for g, (name, net) in zip(shapes, names, strict=False)]
    return sorted(out, key=lambda p: p.name)


def _polygon_pad(name: str, g: shapely.Polygon, net: str | None,
                 offset: tuple[float, float] = (0.0, 0.0)) -> Pad:
    """A Pad from a polygon: its bounding box, and its outline when it is not a rectangle.

    Args:
        name: as Pad.
        net: as Pad.
        g: the pad polygon, um.
        offset: added to every coordinate, um.
    """
    dx, dy = offset
    x0, y0, x1, y1 = g.bounds
    is_rect = abs(g.area - (x1 - x0) * (y1 - y0)) <= 1e-6 * max(g.area, 1.0)
    ring = shapely.geometry.polygon.orient(g).exterior.coords[:-1]
    outline = None if is_rect else tuple((round(x + dx, 6), round(y + dy, 6)) for x, y in ring)
    return Pad(name, round((x0 + x1) / 2 + dx, 6), round((y0 + y1) / 2 + dy, 6),
               round(x1 - x0, 6), round(y1 - y0, 6), net, outline)


def pads_from_def(path: str | Path, lef_paths: Sequence[str | Path], *, layer: str,
                  pins: Sequence[str] | None = None, components: Sequence[str] | None = None,
                  offset_um: Sequence[float] = (0.0, 0.0),
                  patterns_from: tuple[str, str] | None = None) -> list[Pad]:
    """Pads from a DEF placement and its LEF macros: the pad-ring pins on ``layer``.

    Every pin of a pad-ring component (a macro whose CLASS does not mention BUMP) on ``layer`` that
    belongs to a net and matches the patterns is a pad. The DEF's DIEAREA lower-left corner becomes
    the die frame's origin; pads are named after their component (component/pin when it has several
    chosen pins on the layer) and carry the net.

    Args:
        path: the DEF file.
        lef_paths: the LEF files with the macros.
        layer: the LEF/DEF layer of the pad pins (e.g. "metal10").
        pins: glob patterns on LEF pin names; None: every pin on the layer.
        components: glob patterns on DEF component names; None: every component.
        offset_um: added after moving DIEAREA's lower-left corner to the origin.
        patterns_from: (file, key prefix) where the patterns were written, named by the error
            for a pattern that matches nothing (key prefix + ".pins" or ".components"); None:
            the DEF file and the bare key.
    """
    from .def_lef import layer_terminals, matches, read_def, read_lef

    lefs = read_lef(list(lef_paths))
    d = read_def(path, lefs)
    on_layer = sorted({p for c in d.components.values() for p, shapes in c.pins.items()
                       if any(lay == layer for lay, _ in shapes)})
    for key, pats, names, where in (("components", components, sorted(d.components), ""),
                                    ("pins", pins, on_layer, f" on layer {layer!r}")):
        for pat in pats or ():
            if not any(matches(n, [pat]) for n in names):
                file, prefix = patterns_from or (str(path), "")
                raise WlpmaskError(
                    f"{pat!r} matches no {key[:-1]}{where} of {Path(path).name}; there are: "
                    f"{name_list(names)}", file=file, key=f"{prefix}.{key}" if prefix else key)
    nets = sorted({*d.nets, *d.special_nets})
    terms, _ = layer_terminals(d, lefs, layer, nets, pins=pins, components=components)
    dx = float(offset_um[0]) - d.die_area.bounds[0]
    dy = float(offset_um[1]) - d.die_area.bounds[1]
    out = [_polygon_pad(name, poly, net, (dx, dy))
           for name, kind, poly, net in terms if kind == "pad"]
    if not out:
        raise WlpmaskError(f"no pad pins on layer {layer!r} that belong to a net",
                           file=str(path), key=layer)
    return sorted(out, key=lambda p: p.name)


def _pad_names(shapes, labels, offset) -> list[tuple[str, str | None]]:
    found: list[str | None] = [None] * len(shapes)
    tree = shapely.STRtree(shapes)
    for text, (x, y) in sorted(labels):
        pt = shapely.Point(x + offset[0], y + offset[1])
        for i in tree.query(pt, predicate="intersects"):
            if found[i] is None:
                found[i] = text
    cx = np.mean([g.centroid.x for g in shapes])
    cy = np.mean([g.centroid.y for g in shapes])

    def ring_key(i: int) -> tuple[float, float, float]:
        c = shapes[i].centroid
        ang = (math.atan2(c.y - cy, c.x - cx) - math.pi) % (2 * math.pi)
        return (round(ang, 9), round(c.x, 6), round(c.y, 6))

    order = sorted(range(len(shapes)), key=ring_key)
    width = max(3, len(str(len(shapes))))
    counts: dict[str, int] = {}
    result: list[tuple[str, str | None]] = [("", None)] * len(shapes)
    for n, i in enumerate(order):
        text = found[i]
        if text is None:
            result[i] = (f"PAD{n:0{width}d}", None)
            continue
        counts[text] = counts.get(text, 0) + 1
        name = text if counts[text] == 1 else f"{text}_{counts[text]}"
        result[i] = (name, text)
    return result


def demo_chip(*, cell: str, width_um: float, height_um: float, pads_per_side: int,
              pad_um: float, pitch_um: float, edge_um: float, layer: tuple[int, int],
              label_layer: tuple[int, int] | None = None,
              metal_layer: tuple[int, int] | None = None):
    """A synthetic chip with a peripheral pad ring, as a chip's own GDS would show it.

    The pad is one cell placed by reference (rotated on the vertical sides), every pad carries
    a text label with its name, and an optional top-metal ring on another layer stands in for
    the rest of the chip, so an import has to flatten, filter by layer and read labels.

    Args:
        cell: name of the chip's top cell.
        width_um: chip width; the chip's lower-left corner is the origin.
        height_um: chip height.
        pads_per_side: pads on each of the four sides.
        pad_um: square pad size.
        pitch_um: pad pitch along a side.
        edge_um: distance from the chip edge to the pad centres.
        layer: (layer, datatype) of the pads.
        label_layer: (layer, texttype) of the labels; None: the pad layer.
        metal_layer: (layer, datatype) of a decoy metal ring; None: no ring.

    Returns:
        A gdstk.Library with the chip cell and its pad cell.
    """
    import gdstk

    lib = gdstk.Library(name="DEMO_CHIP", unit=1e-6, precision=DEMO_CHIP_DBU_UM * 1e-6)
    pad = gdstk.Cell(f"{cell}_PAD")
    pad.add(gdstk.rectangle((-pad_um / 2, -pad_um / 2), (pad_um / 2, pad_um / 2),
                            layer=layer[0], datatype=layer[1]))
    top = gdstk.Cell(cell)
    span = (pads_per_side - 1) * pitch_um
    lt = label_layer or layer
    n = 0
    sides = (  # (start, step, rotation) walking counter-clockwise from the bottom-left
        ((width_um / 2 - span / 2, edge_um), (pitch_um, 0.0), 0.0),
        ((width_um - edge_um, height_um / 2 - span / 2), (0.0, pitch_um), math.pi / 2),
        ((width_um / 2 + span / 2, height_um - edge_um), (-pitch_um, 0.0), math.pi),
        ((edge_um, height_um / 2 + span / 2), (0.0, -pitch_um), 3 * math.pi / 2),
    )
    for (x0, y0), (sx, sy), rot in sides:
        for k in range(pads_per_side):
            x, y = round(x0 + k * sx, 6), round(y0 + k * sy, 6)
            top.add(gdstk.Reference(pad, (x, y), rotation=rot))
            top.add(gdstk.Label(f"IO{n:03d}", (x, y), layer=lt[0], texttype=lt[1]))
            n += 1
    if metal_layer is not None:
        m = edge_um + pad_um
        ring = gdstk.boolean(
            gdstk.rectangle((m, m), (width_um - m, height_um - m)),
            gdstk.rectangle((m + 10, m + 10), (width_um - m - 10, height_um - m - 10)), "not",
            layer=metal_layer[0], datatype=metal_layer[1])
        top.add(*ring)
    lib.add(top, pad)
    return lib
