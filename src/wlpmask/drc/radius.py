"""Corner-radius rule kinds: the convex (outer) and concave (inner) corners of a merged layer.

Morphological semantics (README, "Design-rule check"): `outer_radius` R holds where a disc of
radius R inside the layer reaches every point of it (the layer equals its opening by the
disc); `inner_radius` R holds where a disc of R outside the layer reaches every point outside
(the layer equals its closing). A part narrower than 2R therefore fails `outer_radius` (no disc
of R fits in it), and a gap narrower than 2R fails `inner_radius`.

A violation is a connected part of the difference (layer minus opening, closing minus layer)
thicker than the tolerance: a part that a disc of radius TOL_RATIO x R + TOL_DBU no longer
fits in is ignored (polygon arcs and the disc's polygon differ by less). Its measured value is
the largest radius r <= R (to R / 2**BISECT_STEPS) whose disc does reach it: the radius of a
rounded corner, about 0 at a sharp corner, half the width of a narrow part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import shapely

from ..tech import Rule
from .boxes import box_pairs
from .result import Violation

if TYPE_CHECKING:  # pragma: no cover
    from .kinds import LayerSet

__all__ = ["BISECT_STEPS", "QUAD_SEGS", "TOL_DBU", "TOL_RATIO", "check_inner_radius",
           "closing", "opening",
           "check_outer_radius", "tolerance_dbu"]

# Segments per quarter circle of the disc: a chord falls 0.12 % of R short of the arc.
QUAD_SEGS = 16
# What the difference may be thick (as the radius of the largest disc in it) and still pass.
TOL_RATIO = 0.005
TOL_DBU = 2.0
BISECT_STEPS = 10


def tolerance_dbu(r_dbu: float) -> float:
    """The thickness a difference part may have and pass, for a disc of radius r (dbu).

    Args:
        r_dbu: the disc radius in database units.
    """
    return TOL_RATIO * r_dbu + TOL_DBU


def opening(geoms: np.ndarray, r: np.ndarray | float) -> np.ndarray:
    """What discs of radius r inside each geometry cover (erosion, then dilation).

    Args:
        geoms: shapely geometries (database units).
        r: the disc radius, one or one per geometry (database units).
    """
    return shapely.buffer(shapely.buffer(geoms, -r, quad_segs=QUAD_SEGS), r, quad_segs=QUAD_SEGS)


def closing(geoms: np.ndarray, r: np.ndarray | float) -> np.ndarray:
    """Each geometry with what no disc of radius r outside it reaches filled in.

    Args:
        geoms: shapely geometries (database units).
        r: the disc radius, one or one per geometry (database units).
    """
    return shapely.buffer(shapely.buffer(geoms, r, quad_segs=QUAD_SEGS), -r, quad_segs=QUAD_SEGS)


def _thick(parts: np.ndarray, r: np.ndarray | float) -> np.ndarray:
    """Whether each part is thicker than the tolerance of a disc of radius r."""
    return ~shapely.is_empty(shapely.buffer(parts, -tolerance_dbu(r), quad_segs=4))


def _unreached(geoms: np.ndarray, r: np.ndarray | float, inner: bool) -> np.ndarray:
    """Per geometry, what a disc of radius r does not reach (inside, or outside for inner)."""
    if inner:
        return shapely.difference(closing(geoms, r), geoms)
    return shapely.difference(geoms, opening(geoms, r))


def _clusters(layer, r: int) -> list[np.ndarray]:
    """Polygons whose closing is taken together: those closer than 2r.

    A disc of r does not pass between them. A disc inside one polygon never reaches
    another, so the opening is taken per polygon.
    """
    n = layer.count
    i, j = box_pairs(layer.bbox, layer.bbox, 2 * r + 1, same=True)
    parent = np.arange(n)

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in zip(i.tolist(), j.tolist()):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([root(a) for a in range(n)], dtype=np.int64)
    order = np.argsort(roots, kind="stable")
    cuts = np.flatnonzero(np.diff(roots[order])) + 1
    return np.split(order, cuts)


def _measure(local: np.ndarray, pieces: np.ndarray, limit: float, inner: bool) -> np.ndarray:
    """The largest radius (dbu) whose disc reaches each piece, by bisection below the limit."""
    lo = np.zeros(len(pieces))
    hi = np.full(len(pieces), float(limit))
    for _ in range(BISECT_STEPS):
        mid = (lo + hi) / 2
        rest = shapely.intersection(pieces, _unreached(local, mid, inner))
        bad = _thick(rest, mid)
        hi = np.where(bad, mid, hi)
        lo = np.where(bad, lo, mid)
    return lo


def _translates(layer, groups: list[np.ndarray]) -> tuple[list[int], np.ndarray]:
    """Groups equal up to a translation are checked once.

    Returns, per group, the index of the group checked for it, and the shift (dbu) from that
    one to it.
    """
    first: dict[tuple, int] = {}
    bases = []
    rep = []
    for gi, g in enumerate(groups):
        base = int(g[np.lexsort((layer.ref[g, 1], layer.ref[g, 0], layer.key[g]))[0]])
        rel = layer.ref[g] - layer.ref[base]
        sig = tuple(sorted(zip(layer.key[g].tolist(), rel[:, 0].tolist(), rel[:, 1].tolist())))
        bases.append(base)
        rep.append(first.setdefault(sig, gi))
    bases_a = np.array(bases, dtype=np.int64)
    return rep, layer.ref[bases_a] - layer.ref[bases_a[rep]]


def _check(rule: Rule, layers: LayerSet, inner: bool) -> list[Violation]:
    layer = layers.merged(rule.layers[0])
    r = layers.dist(rule.limit)
    if layer.count == 0 or r <= 0:
        return []
    geoms = layer.geoms
    groups = _clusters(layer, r) if inner else [np.array([i]) for i in range(layer.count)]
    rep, shift = _translates(layer, groups)
    todo = sorted(set(rep))
    units = np.empty(len(todo), dtype=object)
    units[:] = [geoms[groups[k][0]] if len(groups[k]) == 1 else
                shapely.union_all(geoms[groups[k]]) for k in todo]
    pieces, owner = shapely.get_parts(_unreached(units, float(r), inner), return_index=True)
    keep = _thick(pieces, float(r)) if len(pieces) else np.zeros(0, bool)
    pieces, owner = pieces[keep], owner[keep]
    if not len(pieces):
        return []
    # each piece is measured on its own neighbourhood: what lies within 3r decides a disc of r
    boxes = shapely.box(*(shapely.bounds(pieces) + np.array([-3, -3, 3, 3]) * r).T)
    local = shapely.intersection(units[owner], boxes)
    measured = np.round(_measure(local, pieces, float(r), inner))
    bounds = shapely.bounds(pieces)
    slot = {k: i for i, k in enumerate(todo)}
    dbu = layers.dbu
    out = []
    for gi in range(len(groups)):
        mine = np.flatnonzero(owner == slot[rep[gi]])
        dx, dy = shift[gi]
        for k in mine:
            x0, y0, x1, y1 = bounds[k] + (dx, dy, dx, dy)
            out.append(Violation(rule.id, rule.kind, rule.layers, rule.limit,
                                 round(float(measured[k]) * dbu, 9), None,
                                 tuple(round(float(v) * dbu, 9) for v in (x0, y0, x1, y1))))
    return out


def check_outer_radius(rule: Rule, layers: LayerSet) -> list[Violation]:
    """Convex corners rounded with at least rule.limit (um).

    What no disc of that radius inside the layer reaches is a marker; its measured value is
    the largest radius (um) whose disc reaches it.

    Args:
        rule: the rule: one layer, limit the radius in um.
        layers: the run's merged layers.
    """
    return _check(rule, layers, inner=False)


def check_inner_radius(rule: Rule, layers: LayerSet) -> list[Violation]:
    """Concave corners rounded with at least rule.limit (um).

    What no disc of that radius outside the layer reaches is a marker; its measured value is
    the largest radius (um) whose disc reaches it.

    Args:
        rule: the rule: one layer, limit the radius in um.
        layers: the run's merged layers.
    """
    return _check(rule, layers, inner=True)
