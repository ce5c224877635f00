"""Teardrops: fillets where a routed trace meets a capture pad (and, optionally, a pad landing).

A teardrop is a fraction of the pad diameter wide at the pad (the technology's
teardrop_width_ratio; 90 % in Deca's deck, DOMAIN.md 2) and follows the trace from where it
leaves the pad, across a 45-degree bend, for a fraction of the pad's radius (it
ends early at a sharper turn or at the end of the trace; where it stops at a turn of up to 90
degrees, it is widened over the inside of that turn so that no bite is left between its flank
and the wire after the bend). It is then clipped against the RDL space to every other net
(wires, terminals, teardrops placed before it) and to the routing boundary, and opened by half
the RDL width so that no clipped sliver is narrower than a wire.
A teardrop shrunk to fit is kept; one that adds less than a wire-width square of metal is not.
Notches left between a teardrop and its own net are filled afterwards (routing.notches).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from ... import geometry as geo
from .terminals import TerminalSpec

if TYPE_CHECKING:  # pragma: no cover
    from .design import Rdl, TeardropShape
# The largest turn of the trace (from its exit direction) a teardrop follows; beyond a 45-degree
# bend the convex fillet would bulge into the inside of the turn.
MAX_TURN_DEG = 45.0


@dataclass(frozen=True)
class Teardrop:
    """One placed teardrop.

    Args:
        net: the net.
        terminal: the terminal's name; kind: "bump" (capture pad) or "pad" (pad landing).
        shape: the added metal (um), grid-snapped, possibly several pieces.
        clipped: True when the space to other metal or the boundary cut it down.
    """

    net: str
    terminal: str
    kind: str
    shape: shapely.Geometry
    clipped: bool


@dataclass
class TeardropReport:
    """What the teardrop step did, per terminal kind ("bump" or "pad").

    Junctions seen, teardrops placed (full size or clipped), junctions left without one
    (terminal -> reason).
    """

    junctions: dict[str, int] = field(default_factory=lambda: {"bump": 0, "pad": 0})
    full: dict[str, int] = field(default_factory=lambda: {"bump": 0, "pad": 0})
    clipped: dict[str, int] = field(default_factory=lambda: {"bump": 0, "pad": 0})
    missing: dict[str, str] = field(default_factory=dict)

    def placed(self, kind: str | None = None) -> int:
        """Teardrops placed, full size or clipped.

        Args:
            kind: "bump" or "pad"; None counts both.
        """
        kinds = [kind] if kind else list(self.full)
        return sum(self.full[k] + self.clipped[k] for k in kinds)

    def to_json(self) -> dict[str, Any]:
        """The manifest record: capture_pads and pad_landings counts, placed, missing."""
        out: dict[str, Any] = {}
        for kind, label in (("bump", "capture_pads"), ("pad", "pad_landings")):
            out[label] = {"junctions": self.junctions[kind], "placed": self.placed(kind),
                          "full_size": self.full[kind], "clipped": self.clipped[kind]}
        out["placed"] = self.placed()
        out["missing"] = dict(sorted(self.missing.items()))
        return out


def junction_paths(line: np.ndarray, pad: shapely.Polygon, *, reach_um: float,
                   max_turn_deg: float = MAX_TURN_DEG) -> np.ndarray | None:
    """The part of a centre-line a teardrop follows.

    From its start inside the pad to `reach_um` beyond the point where it leaves the pad,
    stopping early at the first vertex where the trace has turned more than `max_turn_deg`
    from its exit direction.

    Args:
        line: a centre-line polyline (um); either end may be the one inside the pad.
        pad: the pad.
        reach_um: how far beyond the pad edge to follow the trace.
        max_turn_deg: the largest turn followed.

    Returns:
        The polyline (um), or None when neither end lies in the pad or the line never leaves.
    """
    line = np.asarray(line, dtype=float)
    if len(line) < 2:
        return None
    inside = [pad.covers(shapely.Point(p)) for p in (line[0], line[-1])]
    if not inside[0]:
        if not inside[1]:
            return None
        line = line[::-1]
    for k in range(len(line) - 1):
        if pad.covers(shapely.Point(line[k + 1])):
            continue
        cross = pad.exterior.intersection(shapely.LineString(line[k:k + 2]))
        if cross.is_empty:
            return None
        exit_pt = np.array(shapely.get_coordinates(cross)[-1])
        return _follow(line[:k + 1], exit_pt, line[k + 1:], reach_um, max_turn_deg)
    return None


def _follow(head: np.ndarray, exit_pt: np.ndarray, rest: np.ndarray, reach: float,
            max_turn_deg: float) -> np.ndarray | None:
    out = [*head, exit_pt]
    d0 = rest[0] - exit_pt
    if not np.hypot(*d0) > 0:
        return None
    a0 = np.arctan2(d0[1], d0[0])
    left, here = reach, exit_pt
    bends = []  # indices in `out` of the bends followed
    for p in rest:
        seg = p - here
        n = float(np.hypot(*seg))
        if n == 0:
            continue
        turn = np.degrees(abs((np.arctan2(seg[1], seg[0]) - a0 + np.pi) % (2 * np.pi) - np.pi))
        if turn > max_turn_deg + 1e-6:
            # A fillet ending at a sharp turn leaves an acute pocket on its inner side; after
            # a followed bend, ending at that bend leaves a right angle instead.
            if len(bends) > 1:
                out = out[:bends[-2] + 1]
            break
        if n >= left:
            out.append(here + seg * (left / n))
            break
        out.append(p)
        bends.append(len(out) - 1)
        left -= n
        here = p
    return np.array(out)


def _polylines(centerlines: Any) -> Iterable[np.ndarray]:
    if centerlines is None:
        return []
    if hasattr(centerlines, "geoms"):
        centerlines = list(centerlines.geoms)
    elif hasattr(centerlines, "coords"):
        centerlines = [centerlines]
    return [np.asarray(getattr(line, "coords", line), dtype=float) for line in centerlines]


class _Metal:
    """Every shape on the RDL with its owner, for the spacing test of a candidate."""

    def __init__(self, items: list[shapely.Geometry], owners: list[str]):
        self.items, self.owners = items, owners
        self.tree = shapely.STRtree(items)

    def near(self, geom: shapely.Geometry, distance: float, *, own: str,
             mine: bool) -> list[shapely.Geometry]:
        """The shapes within `distance` of geom that belong (mine) or do not belong to `own`."""
        idx = self.tree.query(geom, predicate="dwithin", distance=distance)
        return [self.items[i] for i in sorted(idx.tolist()) if (self.owners[i] == own) == mine]


def teardrops(*, terminals: Sequence[TerminalSpec], nets: Mapping[str, Any],
              bump_nets: Mapping[str, str | None], rdl: Rdl, proportions: TeardropShape,
              capture_um: float, boundary: shapely.Polygon, grid_um: float,
              mode: str | None = None) -> tuple[list[Teardrop], TeardropReport]:
    """Teardrops at every junction of a routed trace with a capture pad.

    Pad landings get one too in mode "all"; each teardrop is clipped to keep the RDL space to
    every other net.

    Args:
        terminals: all routing terminals.
        nets: routed nets: net name -> object with ``centerlines`` (polylines, um) and
            ``metal`` (shapely geometry without the terminals).
        bump_nets: bump name -> net after assignment.
        rdl: the RDL width, space (um) and teardrop mode.
        proportions: the teardrop's width and reach relative to its pad.
        capture_um: the capture pad diameter.
        boundary: where RDL may lie (um).
        grid_um: the manufacturing grid.
        mode: "none", "capture" or "all"; None: the mode of `rdl`.

    Returns:
        (teardrops sorted by terminal kind, name and trace, the report).
    """
    mode = mode or rdl.teardrops
    report = TeardropReport()
    if mode == "none":
        return [], report
    g = grid_um
    w, s = rdl.width_um, rdl.space_um
    owner = {t.name: (bump_nets.get(t.name) if t.kind == "bump" else t.net) or f"#{t.name}"
             for t in terminals}
    items = [t.shape for t in terminals]
    owners = [owner[t.name] for t in terminals]
    for net in sorted(nets):
        for part in geo.polygon_parts(nets[net].metal):
            items.append(part)
            owners.append(net)
    metal = _Metal(items, owners)
    placed: list[tuple[str, shapely.Geometry]] = []
    out: list[Teardrop] = []
    kinds = ("bump", "pad") if mode == "all" else ("bump",)
    for t in sorted(terminals, key=lambda t: (kinds.index(t.kind) if t.kind in kinds else 9,
                                              t.name)):
        net = owner[t.name]
        if t.kind not in kinds or net not in nets:
            continue
        if t.kind == "pad" and not _convex(t.shape):
            report.missing[t.name] = "pad landing is not convex"
            continue
        chord, reach = _chord_and_reach(t, proportions, capture_um)
        for line in _polylines(nets[net].centerlines):
            path = junction_paths(line, t.shape, reach_um=reach)
            if path is None:
                continue
            report.junctions[t.kind] += 1
            pts = geo.teardrop(pad=np.asarray(t.shape.exterior.coords[:-1]), center=t.center,
                               path=path, chord_um=chord, trace_width_um=w, grid_um=g)
            cand = None if pts is None else _fill_inner_turn(
                shapely.Polygon(pts), line, t.shape, path, w=w, g=g)
            drop = None if cand is None else _fit(
                cand, net, t.shape, metal, placed, boundary, w=w, s=s, g=g)
            if drop is None:
                report.missing[t.name] = "no room: the RDL space to other nets"
                continue
            shape, clipped = drop
            placed.append((net, shape))
            out.append(Teardrop(net, t.name, t.kind, shape, clipped))
            (report.clipped if clipped else report.full)[t.kind] += 1
    return out, report


def _fill_inner_turn(cand: shapely.Polygon, line: np.ndarray, pad: shapely.Polygon,
                     path: np.ndarray, *, w: float, g: float) -> shapely.Polygon:
    """The fillet extended over the inside of the sharp turn where its path stops.

    A fillet ending at a bend of more than MAX_TURN_DEG leaves a concave bite between its
    flank and the wire after the bend. The convex hull of the fillet and the wire's next
    stretch fills it; the stretch runs until it passes every point of the fillet along its
    direction, so the hull's flank meets the wire at 90 degrees or more. Turns sharper than
    90 degrees fold back towards the pad and are left alone.

    Args:
        cand: the fillet (um).
        line: the trace's centre-line (um), either end in the pad.
        pad: the pad.
        path: the fillet's path (junction_paths of line).
        w: trace width (um).
        g: grid (um).
    """
    line = np.asarray(line, dtype=float)
    if not pad.covers(shapely.Point(line[0])):
        line = line[::-1]
    end = np.asarray(path[-1], dtype=float)
    hits = np.flatnonzero(np.hypot(*(line - end).T) < 1e-9)
    if not len(hits) or hits[-1] + 1 >= len(line) or len(path) < 2:
        return cand
    k = int(hits[-1])
    last, nxt = end - np.asarray(path[-2], dtype=float), line[k + 1] - end
    n_last, n_nxt = float(np.hypot(*last)), float(np.hypot(*nxt))
    if not (n_last > 0 and n_nxt > 0):
        return cand
    cos_turn = float(last @ nxt) / (n_last * n_nxt)
    if cos_turn > np.cos(np.radians(MAX_TURN_DEG)) + 1e-9 or cos_turn < -1e-9:
        return cand
    d = nxt / n_nxt
    pts = np.asarray(cand.exterior.coords)
    run = min(float(np.max((pts - end) @ d)) + w / 2, n_nxt)
    if not run > 0:
        return cand
    stretch = shapely.LineString([end, end + run * d]).buffer(w / 2, cap_style="flat",
                                                              join_style="mitre")
    hull = shapely.union_all([cand, stretch]).convex_hull
    return shapely.Polygon(geo.ccw(geo.snap(np.asarray(hull.exterior.coords[:-1]), g)))


def _convex(shape: shapely.Polygon) -> bool:
    return shape.convex_hull.area - shape.area <= 1e-9 * max(shape.area, 1.0)


def _chord_and_reach(t: TerminalSpec, proportions: TeardropShape,
                     capture_um: float) -> tuple[float, float]:
    """Chord width at the pad and reach beyond it (um).

    Both follow from the capture pad's diameter, or from a pad landing's smaller side.
    """
    if t.kind == "bump":
        d = capture_um
    else:
        x0, y0, x1, y1 = t.shape.bounds
        d = min(x1 - x0, y1 - y0)
    return proportions.width_ratio * d, proportions.reach_ratio * d / 2


def _fit(cand: shapely.Polygon, net: str, pad: shapely.Polygon, metal: _Metal,
         placed: list[tuple[str, shapely.Geometry]], boundary: shapely.Polygon, *, w: float,
         s: float, g: float) -> tuple[shapely.Geometry, bool] | None:
    """The candidate clipped to the RDL space from other nets and to the boundary.

    The result is opened by half the width; (shape, clipped), or None when too little is
    left.
    """
    keep = s + 2 * g  # snapping moves a vertex by up to half a grid step
    window = cand.buffer(keep + w, join_style="mitre")
    foreign = metal.near(cand, keep, own=net, mine=False)
    foreign += [p for other, p in placed if other != net and cand.distance(p) < keep]
    avail = cand.intersection(boundary)
    if foreign:
        local = shapely.union_all([f.intersection(window) for f in foreign])
        avail = avail.difference(geo.grow(local, keep))
    full_area = cand.area
    clipped = avail.area < full_area - 1e-6 * max(full_area, 1.0)
    own = shapely.union_all([pad, *(m.intersection(window)
                                    for m in metal.near(cand, w, own=net, mine=True))])
    if clipped:
        # Opening removes what is thinner than a wire; kept to the clipped area, so the
        # opening's rounding of the own metal around it adds nothing.
        r = w / 2
        avail = shapely.union_all([avail, own]).buffer(-r, quad_segs=8).buffer(
            r, quad_segs=8).intersection(avail)
    added = geo.snap_geometry(avail, g).difference(own)
    if added.is_empty or added.area < w * w:
        return None
    shape = geo.snap_geometry(shapely.union_all(
        [p for p in geo.polygon_parts(geo.snap_geometry(avail, g)) if p.intersects(own)]), g)
    if shape.is_empty:
        return None
    return shape, clipped
