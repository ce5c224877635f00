"""Corner-local radius rule kinds: each corner rounded with R, or as far as its part allows.

`convex_corner_radius` R: every convex corner of the merged layer must be reached by discs of
radius min(R, t) lying inside the layer, where t is the radius of the largest disc tangent to
both of the corner's edges that fits inside the layer (the corner taken as sharp). A corner
of a wide part needs R; the end of a lead narrower than 2R needs a full round end (its edges
are parallel: t is half the width); a straight neck or lead has no corner and passes whatever
its width (the width rule is for that). `concave_corner_radius` R is the same for concave
corners, with discs outside the layer: the bottom of a slot narrower than 2R must be round.

Unlike the morphological kinds (radius.py), which fail any part narrower than 2R, these agree
with the web and slot rules of a photo-etched sheet (web 0.8 T, slot 1.1 T beside corner
radii of 1 T and 0.75 T).

A corner is a ring vertex that turns by more than MIN_TURN_DEG, or a run of such vertices
joined by edges under R / 5 (a drawn arc); each of its vertices must be reached within the
tolerance of radius.py. Corners that discs of R already reach (one opening of each polygon, or
one closing of the layer) are done at once; the others are worked in a window around them.
A violation is one per corner, its marker what the discs leave out next to it, its measured
value the largest radius (to its need / 2**BISECT_STEPS) whose discs reach every vertex: about
0 at a sharp corner, the radius of a corner rounded too little.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely

from ..polys import rings
from ..tech import Rule
from .radius import BISECT_STEPS, QUAD_SEGS, closing, opening, tolerance_dbu
from .result import Violation

if TYPE_CHECKING:  # pragma: no cover
    from .kinds import LayerSet

__all__ = ["K", "MIN_TURN_DEG", "Corners", "check_concave_corner_radius",
           "check_convex_corner_radius", "corner_vertices"]

# The window a corner is worked in reaches K disc radii beyond it: a disc of radius r in a
# corner of interior angle a lies r / sin(a / 2) from its vertex, so corners down to
# 2 asin(1 / (K - 1)) = 39 degrees see the discs that round them.
K = 4.0
MIN_TURN_DEG = 0.5


@dataclass(frozen=True)
class Corners:
    """The corners of polygons that turn one way, vertex by vertex and corner by corner.

    Args:
        pts: (N, 2) the corner vertices.
        owner: (N,) the polygon of each.
        corner: (N,) the corner each belongs to.
        p1: (C, 2) each corner's first vertex.
        u1: (C, 2) the unit direction of the edge that enters it.
        p2: (C, 2) each corner's last vertex.
        u2: (C, 2) the unit direction of the edge that leaves it.
    """

    pts: np.ndarray
    owner: np.ndarray
    corner: np.ndarray
    p1: np.ndarray
    u1: np.ndarray
    p2: np.ndarray
    u2: np.ndarray


def corner_vertices(geoms: np.ndarray, *, convex: bool, join_dbu: float = 0.0) -> Corners:
    """The convex (or concave) corners of polygons.

    Consecutive vertices of a ring that both turn the asked way and are joined by an edge no
    longer than join_dbu belong to one corner (the vertices of one drawn arc).

    Args:
        geoms: shapely polygons.
        convex: convex corners (turning toward the inside), else concave ones.
        join_dbu: the longest edge inside one corner.
    """
    pts, owner, corner, p1, u1, p2, u2 = [], [], [], [], [], [], []
    for i, g in enumerate(geoms):
        for c in rings(shapely.orient_polygons(g)):
            n = len(c)
            if n < 3:
                continue
            e_in = c - np.roll(c, 1, axis=0)
            e_out = np.roll(c, -1, axis=0) - c
            cross = e_in[:, 0] * e_out[:, 1] - e_in[:, 1] * e_out[:, 0]
            turn = np.degrees(np.arctan2(cross, (e_in * e_out).sum(axis=1)))  # > 0: inward
            keep = turn > MIN_TURN_DEG if convex else turn < -MIN_TURN_DEG
            if not keep.any():
                continue
            # a corner starts at a kept vertex whose predecessor is not kept or is far
            new = keep & ~(np.roll(keep, 1) & (np.hypot(*e_in.T) <= join_dbu))
            if not new.any():  # the whole ring is one arc (a disc)
                new[np.flatnonzero(keep)[0]] = True
            for s in np.flatnonzero(new):
                run = [s]
                while keep[(run[-1] + 1) % n] and not new[(run[-1] + 1) % n] \
                        and len(run) < n:
                    run.append((run[-1] + 1) % n)
                corner.extend([len(p1)] * len(run))
                pts.append(c[run])
                owner.extend([i] * len(run))
                p1.append(c[run[0]])
                u1.append(e_in[run[0]] / np.hypot(*e_in[run[0]]))
                p2.append(c[run[-1]])
                u2.append(e_out[run[-1]] / np.hypot(*e_out[run[-1]]))
    if not pts:
        z2, z = np.zeros((0, 2)), np.zeros(0, dtype=np.int64)
        return Corners(z2, z, z, z2, z2, z2, z2)
    return Corners(np.concatenate(pts), np.array(owner, dtype=np.int64),
                   np.array(corner, dtype=np.int64), np.array(p1), np.array(u1),
                   np.array(p2), np.array(u2))


def _tangent_centres(cs: Corners, r: np.ndarray, side: float) -> tuple[np.ndarray, np.ndarray]:
    """Centres of the discs of radius r tangent to both edges of each corner.

    On the side of the solid; with whether there is one (the edges are not parallel).
    """
    n1 = side * np.column_stack((-cs.u1[:, 1], cs.u1[:, 0]))
    n2 = side * np.column_stack((-cs.u2[:, 1], cs.u2[:, 0]))
    # p1 + r n1 + t u1 = p2 + r n2 + t' u2
    rhs = cs.p2 - cs.p1 + r[:, None] * (n2 - n1)
    det = -(cs.u1[:, 0] * cs.u2[:, 1] - cs.u1[:, 1] * cs.u2[:, 0])
    ok = np.abs(det) > 1e-9
    safe = np.where(ok, det, 1.0)
    t = (rhs[:, 0] * -cs.u2[:, 1] + rhs[:, 1] * cs.u2[:, 0]) / safe
    return cs.p1 + r[:, None] * n1 + t[:, None] * cs.u1, ok


def _need(cs: Corners, solid: np.ndarray, R: float, side: float) -> np.ndarray:
    """Per corner, the largest radius up to R of a disc tangent to both its edges in the solid.

    R at a corner of a wide part, half the width at the end of a narrow one.
    """
    n1 = side * np.column_stack((-cs.u1[:, 1], cs.u1[:, 0]))
    # edges (anti)parallel: the end of a strip, as wide as the lines are apart
    apart = np.abs(((cs.p2 - cs.p1) * n1).sum(axis=1)) / 2
    # The corner taken as sharp (its triangle to the edges' crossing filled in): a rounded
    # corner would keep out the small discs that it is rounded to admit.
    apex, ok = _tangent_centres(cs, np.zeros(len(cs.p1)), side)
    ahead = ((apex - cs.p1) * cs.u1).sum(axis=1) >= 0  # the edges cross ahead, not behind
    tri = np.empty(len(cs.p1), dtype=object)
    tri[:] = shapely.Polygon()
    fill = ok & ahead
    if fill.any():
        tri[fill] = shapely.polygons(np.stack((cs.p1[fill], apex[fill], cs.p2[fill]), axis=1))
    solid = shapely.union(solid, shapely.make_valid(tri))
    boundary = shapely.boundary(solid)

    def fits(r: np.ndarray) -> np.ndarray:
        c, ok = _tangent_centres(cs, r, side)
        pc = shapely.points(c)
        room = shapely.distance(boundary, pc)
        inside = shapely.intersects(solid, pc)
        return np.where(ok, inside & (room >= r - tolerance_dbu(r)), r <= apart)

    return _bisect(fits, np.full(len(cs.p1), float(R)))


def _component(geoms: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Per geometry, its part nearest the point (the part connected to the corner there)."""
    parts, idx = shapely.get_parts(geoms, return_index=True)
    out = np.empty(len(geoms), dtype=object)
    out[:] = shapely.Polygon()
    if not len(parts):
        return out
    d = shapely.distance(parts, shapely.points(pts[idx]))
    order = np.lexsort((d, idx))
    first = np.ones(len(order), dtype=bool)
    first[1:] = idx[order][1:] != idx[order][:-1]
    out[idx[order][first]] = parts[order][first]
    return out


def _bisect(test, hi: np.ndarray) -> np.ndarray:
    """The largest r in [0, hi] with test(r) true (test(0) is taken as true), per entry."""
    lo = np.zeros(len(hi))
    for _ in range(BISECT_STEPS):
        mid = (lo + hi) / 2
        ok = test(mid)
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
    return lo


def _rounded_with_r(layer, cs: Corners, R: float, convex: bool) -> np.ndarray:
    """Per vertex, whether a disc of R (inside the layer, or outside for concave) reaches it.

    One opening per polygon, or one closing of the layer, for all vertices at once.
    """
    tol = tolerance_dbu(R)
    x, y = cs.pts[:, 0], cs.pts[:, 1]
    if convex:  # within tol of the opening: inside the opening grown by tol
        grown = shapely.buffer(opening(layer.geoms, R), tol, quad_segs=QUAD_SEGS)
        shapely.prepare(grown)  # each polygon indexed once, tested at each of its vertices
        return shapely.intersects_xy(grown[cs.owner], x, y)
    # within tol of the closing's outline: not inside the closing shrunk by tol
    closed = shapely.buffer(closing(shapely.union_all(layer.geoms), R), -tol,
                            quad_segs=QUAD_SEGS)
    shapely.prepare(closed)
    return ~shapely.intersects_xy(closed, x, y)


def _clip(geoms: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Each geometry cut to its box (lo, hi): a clip, not an overlay, of a large polygon."""
    out = np.empty(len(geoms), dtype=object)
    out[:] = [shapely.clip_by_rect(g, *a, *b) for g, a, b in zip(geoms, lo.tolist(), hi.tolist())]
    return shapely.make_valid(out)


def _run_bounds(cs: Corners, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lower-left and upper-right of each given corner's vertices."""
    # every corner has vertices, listed corner by corner: one reduction over all of them
    start = np.searchsorted(cs.corner, np.arange(len(cs.p1)))
    return (np.minimum.reduceat(cs.pts, start, axis=0)[ids],
            np.maximum.reduceat(cs.pts, start, axis=0)[ids])


def _windows(layer, cs: Corners, ids: np.ndarray, run_lo: np.ndarray, run_hi: np.ndarray,
             reach: float, convex: bool) -> np.ndarray:
    """Per corner, the solid its discs lie in, within `reach` of its vertices.

    Its own polygon (convex corners), or the space outside the layer (concave ones).
    """
    lo, hi = run_lo - reach, run_hi + reach
    boxes = shapely.box(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1])
    geoms = layer.geoms
    if convex:
        owner = cs.owner[np.searchsorted(cs.corner, ids)]
        return _clip(geoms[owner], lo, hi)
    w_idx, g_idx = shapely.STRtree(geoms).query(boxes, predicate="intersects")
    # each nearby polygon cut to the window first (a large polygon then costs a clip, not an
    # overlay per window), then the window less what lies in it
    near = _clip(geoms[g_idx], lo[w_idx], hi[w_idx])
    out = np.empty(len(ids), dtype=object)
    for k in range(len(ids)):
        out[k] = shapely.difference(boxes[k], shapely.union_all(near[w_idx == k]))
    return out


def _check(rule: Rule, layers: LayerSet, convex: bool) -> list[Violation]:
    layer = layers.merged(rule.layers[0])
    R = float(layers.dist(rule.limit))
    if layer.count == 0 or R <= 0:
        return []
    # the vertices of one drawn arc (chords of at most about R / 10) form one corner
    cs = corner_vertices(layer.geoms, convex=convex, join_dbu=0.2 * R)
    if not len(cs.pts):
        return []
    todo = ~_rounded_with_r(layer, cs, R, convex)  # most corners: done in one pass
    if not todo.any():
        return []
    ids = np.unique(cs.corner[todo])  # the corners left, each handled in its own window
    run_lo, run_hi = _run_bounds(cs, ids)
    solid = _windows(layer, cs, ids, run_lo, run_hi, (K + 1) * R, convex)
    sub = Corners(cs.p1[ids], cs.owner[np.searchsorted(cs.corner, ids)], ids, cs.p1[ids],
                  cs.u1[ids], cs.p2[ids], cs.u2[ids])
    side = 1.0 if convex else -1.0
    need = _need(sub, solid, R, side)
    need = need - tolerance_dbu(need)  # a disc a little smaller than the one that just fits
    # the corner's vertices still to reach, each with its corner's slot
    v = np.flatnonzero(todo & np.isin(cs.corner, ids))
    slot = np.searchsorted(ids, cs.corner[v])
    vpts = shapely.points(cs.pts[v])

    def local(r: np.ndarray) -> np.ndarray:
        """The solid within K r of the corner, the part connected to it."""
        m = K * np.maximum(r, 1.0)
        boxes = shapely.box(run_lo[:, 0] - m, run_lo[:, 1] - m, run_hi[:, 0] + m,
                            run_hi[:, 1] + m)
        return _component(shapely.intersection(solid, boxes), sub.p1)

    def reached(r: np.ndarray) -> np.ndarray:
        """Per vertex, whether the discs of its corner's radius r reach it."""
        opened = opening(local(r), np.maximum(r, 1.0))
        d = np.nan_to_num(shapely.distance(opened[slot], vpts), nan=np.inf)
        return d <= tolerance_dbu(np.maximum(r, 1.0))[slot]

    ok_v = reached(need) | (need[slot] <= 0)
    bad_c = np.zeros(len(ids), dtype=bool)
    bad_c[slot[~ok_v]] = True
    if not bad_c.any():
        return []

    def corner_reached(r: np.ndarray) -> np.ndarray:
        full_r = np.where(bad_c, r, 0.0)
        hit = reached(full_r) | ok_v
        per = np.ones(len(ids), dtype=bool)
        np.logical_and.at(per, slot, hit)
        return per

    got = _bisect(corner_reached, np.where(bad_c, need, 0.0))
    # the marker: what the discs of the needed radius leave out next to the corner
    loc = local(need)
    gaps = shapely.difference(loc, opening(loc, np.maximum(need, 1.0)))
    near = shapely.box(run_lo[:, 0] - 2 * need, run_lo[:, 1] - 2 * need,
                       run_hi[:, 0] + 2 * need, run_hi[:, 1] + 2 * need)
    gaps = shapely.intersection(gaps, near)
    dbu = layers.dbu
    out = []
    for k in np.flatnonzero(bad_c):
        g = gaps[k]
        x0, y0, x1, y1 = (shapely.bounds(g) if not shapely.is_empty(g) else
                          (*run_lo[k], *run_hi[k]))
        out.append(Violation(rule.id, rule.kind, rule.layers, rule.limit,
                             round(float(got[k]) * dbu, 9), None,
                             tuple(round(float(c) * dbu, 9) for c in (x0, y0, x1, y1))))
    return out


def check_convex_corner_radius(rule: Rule, layers: LayerSet) -> list[Violation]:
    """Convex corners rounded with min(rule.limit, half the local width) at least.

    Args:
        rule: the rule: one layer, limit the radius in um.
        layers: the run's merged layers.
    """
    return _check(rule, layers, convex=True)


def check_concave_corner_radius(rule: Rule, layers: LayerSet) -> list[Violation]:
    """Concave corners rounded with min(rule.limit, half the local gap) at least.

    Args:
        rule: the rule: one layer, limit the radius in um.
        layers: the run's merged layers.
    """
    return _check(rule, layers, convex=False)
