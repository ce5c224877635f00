"""Topological plan of a fan-in: which bump each pad gets and the order of wires in each gap.

The routing area is cut into faces by a Delaunay triangulation of the terminal centres, the
obstacles' corners and points along the boundary; triangles whose corners lie on one circle
(the cells of a square bump array) are merged into one cell and cut again along the diagonal
that lies across the fan-in's traffic (larger faces around their centre). Each side of a face
is a cut between two vertices; its capacity is the number of usable lattice nodes on it, which
is the number of wires that can cross it (the diagonals cap the wires that cross a cell: its
sides alone overstate its room, which the wires that turn round its corners share). A
minimum-cost flow sends one unit from every pad that needs a bump, through the faces, into
distinct free bumps (single-commodity: the flow chooses the assignment and the global routes
at once, within every capacity).

The flow is then turned into wires that cannot cross: in each face, the units entering and
leaving through its sides (and starting or ending at its corner terminals) are paired without
crossing by a stack over their cyclic order; following the pairs from face to face gives every
pad its bump and its position in the order of wires on every cut it crosses.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon
from shapely.geometry.base import BaseGeometry

from .flow import FlowError, min_cost_flow
from .lattice import DIRS, Lattice

PAD, BUMP, OTHER = 0, 1, 2  # vertex kinds: a cut between two non-pad vertices is a gap
UNSERVED = 50.0  # cost (in die diagonals) of leaving a pad without a bump
# (share of a cut's capacity, extra cost per wire in typical face-to-face hops): wires spread
# over neighbouring gaps before a gap fills up, which leaves room to turn in the faces
FILL_TIERS = ((0.5, 0.0), (0.75, 0.5), (1.0, 2.0))


@dataclass(frozen=True)
class Cut:
    """A face side between vertices u < v.

    Args:
        u, v: vertex ids.
        nodes: lattice nodes on the segment from u to v (8-connected), in order.
        usable: positions in `nodes` where a wire may cross (on a gap: where it may have its
            slot, with a usable step either side).
        gap: both ends are bumps or obstacles: the plan's order is enforced here.
    """

    u: int
    v: int
    nodes: tuple[int, ...]
    usable: tuple[int, ...]
    gap: bool


@dataclass
class Plan:
    """Result of plan_fanin.

    Args:
        bump_of: pad terminal -> bump terminal.
        crossings: pad terminal -> [(cut id, position)] from the pad to its bump; position 0
            is the wire nearest the cut's vertex u.
        count: cut id -> number of wires the plan sends across it.
        cuts: every cut.
        unserved: pads the flow could not bring to a free bump.
        entry: pad terminal -> the corner of the face through which its wire enters its bump,
            as the two neighbouring vertices (grid units) that bound it counter-clockwise
            (the wire must reach the bump between them, or it crosses the wires around it).
        points: vertex coordinates (grid units).
        centers: terminal centres (grid units).
    """

    bump_of: dict[int, int] = field(default_factory=dict)
    crossings: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    count: dict[int, int] = field(default_factory=dict)
    cuts: list[Cut] = field(default_factory=list)
    unserved: list[int] = field(default_factory=list)
    entry: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    points: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    centers: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class _Faces:
    cycles: list[list[int]]  # vertex ids, counter-clockwise
    centroid: np.ndarray  # (F, 2)
    edge_faces: dict[tuple[int, int], list[int]]


def _vertices(centers: Sequence[tuple[float, float]], kinds: Sequence[int],
              obstacles: Sequence[BaseGeometry], boundary: Polygon, step: float
              ) -> tuple[np.ndarray, list[int], list[list[int]]]:
    """Points of the triangulation, their kinds, and the terminals at each point."""
    pts: list[tuple[float, float]] = []
    kind: list[int] = []
    terms: list[list[int]] = []
    where: dict[tuple[float, float], int] = {}

    def add(x: float, y: float, k: int, t: int | None) -> None:
        key = (round(x, 3), round(y, 3))
        v = where.get(key)
        if v is None:
            v = where[key] = len(pts)
            pts.append((x, y))
            kind.append(k)
            terms.append([])
        elif k < kind[v]:
            kind[v] = k
        if t is not None:
            terms[v].append(t)

    for t, ((x, y), k) in enumerate(zip(centers, kinds)):
        add(x, y, k, t)

    def ring(coords: np.ndarray, k: int) -> None:
        for a, b in zip(coords[:-1], coords[1:]):
            n = max(1, int(math.ceil(math.dist(a, b) / step)))
            for s in range(n):
                add(a[0] + (b[0] - a[0]) * s / n, a[1] + (b[1] - a[1]) * s / n, k, None)

    for o in obstacles:
        for poly in getattr(o, "geoms", [o]):
            if poly.geom_type == "Polygon":
                ring(np.asarray(poly.exterior.coords), OTHER)
    ring(np.asarray(boundary.exterior.coords), PAD)  # boundary points: not gap ends
    return np.asarray(pts, dtype=float), kind, terms


def _angle(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    u, v = a - p, b - p
    return abs(math.atan2(u[0] * v[1] - u[1] * v[0], u[0] * v[0] + u[1] * v[1]))


def _faces(pts: np.ndarray) -> _Faces:
    """Delaunay triangles, co-circular neighbours merged, as counter-clockwise cycles."""
    tri_geoms = shapely.get_parts(shapely.delaunay_triangles(MultiPoint(pts)))
    index = {(round(x, 3), round(y, 3)): k for k, (x, y) in enumerate(pts)}
    tris: list[tuple[int, int, int]] = []
    for g in tri_geoms:
        c = np.asarray(g.exterior.coords)[:3]
        a, b, d = (index[(round(x, 3), round(y, 3))] for x, y in c)
        area = ((pts[b] - pts[a])[0] * (pts[d] - pts[a])[1]
                - (pts[b] - pts[a])[1] * (pts[d] - pts[a])[0])
        if area == 0:
            continue
        tris.append((a, b, d) if area > 0 else (a, d, b))
    tris.sort()
    parent = list(range(len(tris)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[tuple[int, int], int] = {}
    for k, (a, b, c) in enumerate(tris):
        for e in ((a, b), (b, c), (c, a)):
            owner[e] = k
    for (a, b), k in owner.items():
        k2 = owner.get((b, a))
        if k2 is None or k2 < k:
            continue
        c = next(x for x in tris[k] if x not in (a, b))
        d = next(x for x in tris[k2] if x not in (a, b))
        if abs(_angle(pts[c], pts[a], pts[b]) + _angle(pts[d], pts[a], pts[b]) - math.pi) < 1e-9:
            parent[find(k2)] = find(k)
    groups: dict[int, list[int]] = defaultdict(list)
    for k in range(len(tris)):
        groups[find(k)].append(k)
    cycles: list[list[int]] = []
    for root in sorted(groups):
        members = groups[root]
        directed = {e for k in members for e in ((tris[k][0], tris[k][1]),
                                                   (tris[k][1], tris[k][2]),
                                                   (tris[k][2], tris[k][0]))}
        nxt = {a: b for a, b in directed if (b, a) not in directed}
        start = min(nxt)
        cyc = [start]
        while nxt[cyc[-1]] != start and len(cyc) <= len(nxt):
            cyc.append(nxt[cyc[-1]])
        cycles.append(cyc)
    return _index(cycles, pts)


def _index(cycles: list[list[int]], pts: np.ndarray) -> _Faces:
    cents = [tuple(pts[cyc].mean(axis=0)) for cyc in cycles]
    edge_faces: dict[tuple[int, int], list[int]] = defaultdict(list)
    for f, cyc in enumerate(cycles):
        for a, b in zip(cyc, cyc[1:] + cyc[:1]):
            edge_faces[(min(a, b), max(a, b))].append(f)
    return _Faces(cycles, np.asarray(cents, dtype=float), dict(edge_faces))


def _cos(t: np.ndarray, r: np.ndarray) -> float:
    """|cos| of the angle between two vectors (0 if either is zero)."""
    n = float(np.hypot(*t)) * float(np.hypot(*r))
    return abs(float(t @ r)) / n if n else 0.0


def _split_cells(pts: np.ndarray, kind: list[int], vterms: list[list[int]], faces: _Faces,
                 towards: np.ndarray) -> tuple[np.ndarray, list[int], list[list[int]], _Faces]:
    """Split every face of four or more corners (a cell of a bump array) into triangles.

    A cell's sides alone overstate its room: the wires that cross it and those that turn
    round its corners share the cell, and it holds fewer of them than its sides let in. A cell
    of four corners is cut along the diagonal more nearly across the fan-in's traffic, which
    runs towards `towards` (the boundary's centre): that diagonal, as a cut, caps how many
    wires pass between its two bumps. A larger face is split around a new vertex at its
    centre, with a cut from every corner.
    """
    new_pts = [tuple(p) for p in pts]
    kind, vterms = list(kind), list(vterms)
    cycles: list[list[int]] = []
    for cyc in faces.cycles:
        if len(cyc) < 4:
            cycles.append(cyc)
            continue
        cen = pts[cyc].mean(axis=0)
        if len(cyc) == 4:
            a, b, c, d = cyc
            r = cen - towards
            ac_across = _cos(pts[c] - pts[a], r) < _cos(pts[d] - pts[b], r)
            cycles.extend([[a, b, c], [a, c, d]] if ac_across else [[b, c, d], [b, d, a]])
            continue
        m = len(new_pts)
        new_pts.append(tuple(cen))
        kind.append(OTHER)  # its spokes are gaps: wires cross them at slots
        vterms.append([])
        cycles.extend([u, v, m] for u, v in zip(cyc, cyc[1:] + cyc[:1]))
    out = np.asarray(new_pts, dtype=float)
    return out, kind, vterms, _index(cycles, out)


def normal_dir(a: np.ndarray, b: np.ndarray) -> int:
    """The octilinear direction (0..3) most nearly normal to the segment a-b."""
    tx, ty = b[0] - a[0], b[1] - a[1]
    tl = math.hypot(tx, ty) or 1.0
    return max(range(4), key=lambda d: (abs(DIRS[d][0] * ty - DIRS[d][1] * tx)
                                        / math.hypot(*DIRS[d]) / tl, -d))


def _raster(lat: Lattice, a: np.ndarray, b: np.ndarray) -> list[int]:
    """Lattice nodes on the segment a-b, 8-connected (one per step of the longer axis)."""
    p = lat.pitch
    i0, j0 = (a[0] - lat.x0) / p, (a[1] - lat.y0) / p
    i1, j1 = (b[0] - lat.x0) / p, (b[1] - lat.y0) / p
    steps = max(1, int(math.ceil(max(abs(i1 - i0), abs(j1 - j0)))))
    t = np.arange(steps + 1) / steps
    ii = np.rint(i0 + (i1 - i0) * t).astype(np.int64)
    jj = np.rint(j0 + (j1 - j0) * t).astype(np.int64)
    ok = (ii > 0) & (ii < lat.nx - 1) & (jj > 0) & (jj < lat.ny - 1)
    nodes = (jj * lat.nx + ii)[ok]
    out: list[int] = []
    for n in nodes.tolist():
        if not out or out[-1] != n:
            out.append(n)
    return out


def plan_fanin(*, lat: Lattice, free: np.ndarray, centers: Sequence[tuple[float, float]],
               kinds: Sequence[str], pads: Sequence[int], bumps: Sequence[int],
               obstacles: Sequence[BaseGeometry], boundary: Polygon,
               reserved: set[int] | frozenset[int] = frozenset()) -> Plan:
    """Assign free bumps to pads and plan the order of their wires through every gap.

    Args:
        lat: the routing lattice (grid units).
        free: usable lattice nodes (Lattice.build_static).
        centers: every terminal's centre, grid units.
        kinds: every terminal's kind ("pad" or "bump").
        pads: terminals that need a bump (one wire each).
        bumps: free bumps they may take.
        obstacles: obstacle shapes, grid units.
        boundary: routing boundary, grid units.
        reserved: lattice nodes no wire may cross at (terminal accesses).
    """
    vkind = [PAD if k == "pad" else BUMP for k in kinds]
    step = 4.0 * lat.pitch
    pts, kind, vterms = _vertices(centers, vkind, obstacles, boundary, step)
    faces = _faces(pts)
    c = boundary.centroid
    pts, kind, vterms, faces = _split_cells(pts, kind, vterms, faces,
                                            np.array([c.x, c.y]))
    plan = Plan(points=pts, centers=list(centers))
    cut_id: dict[tuple[int, int], int] = {}
    rasters = {(u, v): _raster(lat, pts[u], pts[v])
               for (u, v), fs in sorted(faces.edge_faces.items()) if len(fs) == 2}
    lines: dict[int, int] = {}  # node -> number of gap lines through it
    for (u, v), nodes in rasters.items():
        if kind[u] != PAD and kind[v] != PAD:
            for n in set(nodes):
                lines[n] = lines.get(n, 0) + 1
    em = lat.emask
    slots: dict[tuple[int, int], list[int]] = {}
    steps: dict[int, int] = {}  # node -> how many candidate slots have it as a step
    for (u, v), nodes in rasters.items():
        if kind[u] != PAD and kind[v] != PAD:
            # a wire crosses a gap straight through its slot: one step either side, both
            # usable and off every gap line (where gap lines meet)
            d = normal_dir(pts[u], pts[v])
            o = lat.off[d]
            slots[(u, v)] = [k for k, n in enumerate(nodes)
                             if free[n] and n not in reserved and lines.get(n) == 1
                             and n - o >= 0 and n + o < lat.size
                             and not lines.get(n - o) and not lines.get(n + o)
                             and n - o not in reserved and n + o not in reserved
                             and (em[n - o] >> d) & 1 and (em[n] >> d) & 1]
            for k in slots[(u, v)]:
                for m in (nodes[k] - o, nodes[k] + o):
                    steps[m] = steps.get(m, 0) + 1
    for (u, v), nodes in rasters.items():
        if (u, v) in slots:  # and no step shared with a slot of another gap
            o = lat.off[normal_dir(pts[u], pts[v])]
            usable = tuple(k for k in slots[(u, v)]
                           if steps[nodes[k] - o] == 1 and steps[nodes[k] + o] == 1)
        else:
            usable = tuple(k for k, n in enumerate(nodes) if free[n] and n not in reserved)
        cut_id[(u, v)] = len(plan.cuts)
        plan.cuts.append(Cut(u, v, tuple(nodes), usable, (u, v) in slots))
    nf = len(faces.cycles)
    pad_list = sorted(pads)
    bump_list = sorted(bumps)
    pad_node = {t: nf + k for k, t in enumerate(pad_list)}
    bump_node = {t: nf + len(pad_list) + k for k, t in enumerate(bump_list)}
    sink = nf + len(pad_list) + len(bump_list)
    vfaces: dict[int, list[int]] = defaultdict(list)
    for f, cyc in enumerate(faces.cycles):
        for v in cyc:
            vfaces[v].append(f)
    tails: list[int] = []
    heads: list[int] = []
    caps: list[float] = []
    costs: list[float] = []
    arc_of: dict[tuple, int] = {}

    def arc(key: tuple, t: int, h: int, cap: float, cost: float) -> None:
        arc_of[key] = len(tails)
        tails.append(t)
        heads.append(h)
        caps.append(cap)
        costs.append(cost)

    cen = faces.centroid
    hops = {e: float(np.hypot(*(cen[fs[0]] - cen[fs[1]])))
            for (u, v), e in cut_id.items() for fs in [faces.edge_faces[(u, v)]]}
    typical = float(np.median(list(hops.values()))) if hops else 1.0
    for (u, v), e in cut_id.items():
        f, g = faces.edge_faces[(u, v)]
        cap = len(plan.cuts[e].usable)
        lo = 0
        for share, extra in FILL_TIERS:  # convex cost: full gaps cost more per wire
            hi = min(cap, int(math.ceil(share * cap)))
            if hi > lo:
                d = hops[e] + extra * typical
                arc(("c", f, e, lo), f, g, hi - lo, d)
                arc(("c", g, e, lo), g, f, hi - lo, d)
            lo = hi
    term_vertex = {t: v for v, ts in enumerate(vterms) for t in ts}
    diag = math.dist(boundary.bounds[:2], boundary.bounds[2:])
    for t in pad_list:
        c = np.asarray(centers[t])
        for f in vfaces[term_vertex[t]]:
            arc(("p", t, f), pad_node[t], f, 1, float(np.hypot(*(cen[f] - c))))
        arc(("u", t, 0), pad_node[t], sink, 1, UNSERVED * diag)
    for t in bump_list:
        c = np.asarray(centers[t])
        for f in vfaces[term_vertex[t]]:
            arc(("b", t, f), f, bump_node[t], 1, float(np.hypot(*(cen[f] - c))))
        arc(("s", t, 0), bump_node[t], sink, 1, 0.0)
    supply = np.zeros(sink + 1)
    supply[[pad_node[t] for t in pad_list]] = 1
    supply[sink] = -len(pad_list)
    try:
        x = min_cost_flow(nodes=sink + 1, tails=tails, heads=heads, caps=caps, costs=costs,
                          supply=supply)
    except FlowError:
        plan.unserved = pad_list
        return plan

    def flow(key: tuple) -> int:
        k = arc_of.get(key)
        return int(x[k]) if k is not None else 0

    def across_flow(f: int, e: int) -> int:
        return sum(flow(("c", f, e, lo)) for lo in tier_starts.get(e, ()))

    tier_starts: dict[int, list[int]] = defaultdict(list)
    for key in arc_of:
        if key[0] == "c" and key[3] not in tier_starts[key[2]]:
            tier_starts[key[2]].append(key[3])

    # net wires across each cut (positive: from the face listed first to the second)
    across: dict[int, int] = {}
    for (u, v), e in cut_id.items():
        f, g = faces.edge_faces[(u, v)]
        n = across_flow(f, e) - across_flow(g, e)
        if n:
            across[e] = n
            plan.count[e] = abs(n)
    # cyclic items of each face, paired without crossings
    partner: dict[tuple[int, tuple], tuple] = {}
    start_face: dict[int, int] = {}
    for f, cyc in enumerate(faces.cycles):
        items: list[tuple[int, tuple]] = []
        for a, b in zip(cyc, cyc[1:] + cyc[:1]):
            for t in sorted(vterms[a]):
                if t in pad_node and flow(("p", t, f)):
                    items.append((1, ("T", t)))
                    start_face[t] = f
                elif t in bump_node and flow(("b", t, f)):
                    items.append((-1, ("T", t)))
            key = (min(a, b), max(a, b))
            e = cut_id.get(key)
            if e is None or e not in across:
                continue
            first = faces.edge_faces[key][0]
            n = across[e]
            sign = -1 if (n > 0) == (first == f) else 1  # leaving f: -1
            idx = range(abs(n)) if a == key[0] else range(abs(n) - 1, -1, -1)
            items.extend((sign, ("P", e, i)) for i in idx)
        stack: list[tuple[int, tuple]] = []
        for s, it in items:
            if stack and stack[-1][0] == -s:
                other = stack.pop()[1]
                partner[(f, it)] = other
                partner[(f, other)] = it
            else:
                stack.append((s, it))
    limit = 2 * sum(plan.count.values()) + 2
    for t in pad_list:
        if t not in start_face:
            plan.unserved.append(t)
            continue
        f, key = start_face[t], ("T", t)
        seq: list[tuple[int, int]] = []
        for _ in range(limit):
            other = partner[(f, key)]
            if other[0] == "T":
                plan.bump_of[t] = other[1]
                cyc = faces.cycles[f]  # the corner of the face it enters the bump through
                i = cyc.index(term_vertex[other[1]])
                plan.entry[t] = (pts[cyc[(i + 1) % len(cyc)]], pts[cyc[i - 1]])
                break
            _, e, i = other
            seq.append((e, i))
            a, b = faces.edge_faces[(plan.cuts[e].u, plan.cuts[e].v)]
            f, key = (b if f == a else a), other
        else:
            plan.unserved.append(t)
            continue
        plan.crossings[t] = seq
    return plan
