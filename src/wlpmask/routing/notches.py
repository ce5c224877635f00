"""Same-net notch filling: a slot in one net's metal narrower than the space rule is filled.

A router's wire that turns beside its own pad, or a teardrop that ends at a bend, can leave a
pocket between two edges of the same net that are closer than the space rule. The space check
flags it (it measures the two sides of a notch like two shapes), and a mask shop would fill it:
a slot narrower than the space cannot be etched cleanly anyway. This step does what the shop
does, with the DRC's own measure: it runs the space check on each net's metal alone, fills the
quadrilateral between the two edge parts of every pair it reports, and repeats until the net
has no such pair; a hole smaller than a disc of the space's diameter is filled whole. The
fill never comes closer than the space to another net (a part that would is left out, and the
DRC that follows reports what remains), so the step cannot turn a notch into a short.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import shapely

from ..drc import space_pairs
from ..geometry import grow, hole_free_rings, polygon_parts, snap_geometry

__all__ = ["MAX_ROUNDS", "fill_notch", "fill_notches", "notch_pairs"]

# Filling one notch can leave a narrower one beside it; where a pocket opens into a same-net
# slot just wider than the space (a wire beside its own pad) each round fills one more step
# of the slot, so the bound is generous. Only the nets still changing are checked again.
MAX_ROUNDS = 40


def _quad(a: np.ndarray, b: np.ndarray, grid_um: float) -> shapely.Polygon | None:
    """The quadrilateral between two edge parts (dbu) in um; None where they are collinear."""
    pts = np.array([a[:2], a[2:], b[:2], b[2:]], dtype=float) * grid_um
    quad = shapely.MultiPoint(pts).convex_hull
    return quad if quad.geom_type == "Polygon" else None


def _quads(ep, grid_um: float) -> list[shapely.Polygon]:
    return [q for a, b in zip(ep.first, ep.second) if (q := _quad(a, b, grid_um)) is not None]


def _int_rings(body: shapely.Geometry, grid_um: float) -> list[np.ndarray]:
    return [np.round(np.asarray(r) / grid_um).astype(np.int64) for r in hole_free_rings(body)]


def notch_pairs(body: shapely.Geometry, *, space_um: float,
                grid_um: float) -> list[shapely.Polygon]:
    """The space violations of one net's metal alone, as quadrilaterals (um).

    Each quadrilateral lies between the two edge parts of a violation.

    Args:
        body: the net's metal, um.
        space_um: the space rule, um.
        grid_um: the database unit of the check (the manufacturing grid).
    """
    rings = _int_rings(body, grid_um)
    if not rings:
        return []
    return _quads(space_pairs(rings, int(round(space_um / grid_um))), grid_um)


def _notch_pairs_by_body(bodies: Sequence[shapely.Geometry], *, space_um: float,
                         grid_um: float) -> dict[int, list[shapely.Polygon]]:
    """notch_pairs of many bodies with one space check: body index -> quadrilaterals.

    Only the pairs whose two edges lie on the same body (pairs between bodies are the DRC's
    to report).
    """
    rings = [r for b in bodies for r in _int_rings(b, grid_um)]
    if not rings:
        return {}
    ep = space_pairs(rings, int(round(space_um / grid_um)))
    if not len(ep):
        return {}
    tree = shapely.STRtree(list(bodies))

    def owner(edges: np.ndarray) -> np.ndarray:
        mid = shapely.points((edges[:, :2] + edges[:, 2:]) * (grid_um / 2))
        src, hit = tree.query(mid, predicate="dwithin", distance=2 * grid_um)
        out = np.full(len(edges), len(bodies))
        np.minimum.at(out, src, hit)  # the lowest body index wins where several are near
        return out

    a, b = owner(ep.first), owner(ep.second)
    out: dict[int, list[shapely.Polygon]] = {}
    for i in np.flatnonzero((a == b) & (a < len(bodies))).tolist():
        quad = _quad(ep.first[i], ep.second[i], grid_um)
        if quad is not None:
            out.setdefault(int(a[i]), []).append(quad)
    return out


def _without_small_holes(geom: shapely.Geometry, space_um: float) -> shapely.Geometry:
    """The geometry with every hole of less area than a disc of the space's diameter filled.

    Such a hole is narrower than the space somewhere (a nm-sized one is left where fills
    meet), so it is a notch whatever its shape.
    """
    limit = np.pi * space_um * space_um / 4
    parts = []
    for p in polygon_parts(geom):
        keep = [h for h in p.interiors if shapely.Polygon(h).area >= limit]
        parts.append(shapely.Polygon(p.exterior, keep) if len(keep) < len(p.interiors) else p)
    return shapely.union_all(parts) if len(parts) != 1 else parts[0]


def _fill_once(body: shapely.Geometry, added: shapely.Geometry, *, space_um: float,
               grid_um: float, keep_clear: Sequence[shapely.Geometry]) -> shapely.Geometry | None:
    """The body with `added` (less what comes within the space of keep_clear), snapped.

    None when that adds nothing.
    """
    margin = space_um + 2 * grid_um  # snapping moves a vertex by up to half a grid step
    added = added.difference(body)
    near = [g for g in keep_clear if g.distance(added) < margin]
    if near:
        added = added.difference(grow(shapely.union_all(near), margin))
    if added.area <= grid_um * grid_um:
        return None
    return _without_small_holes(snap_geometry(shapely.union_all([body, added]), grid_um),
                                space_um)


def fill_notch(body: shapely.Geometry, *, space_um: float, grid_um: float,
               keep_clear: Sequence[shapely.Geometry] = ()) -> shapely.Geometry:
    """One net's metal with every notch narrower than the space filled.

    Args:
        body: the net's metal (wires, teardrops and its terminals), um.
        space_um: the space rule; edges of the net closer than it are joined.
        grid_um: the manufacturing grid; the result is snapped to it.
        keep_clear: other nets' metal; no added metal comes within space_um of it.

    Returns:
        The body with its narrow notches filled (it covers `body`, up to the rounding of new
        vertices onto the grid).
    """
    return fill_notches(net_metal={"": [body]}, net_terminals={}, space_um=space_um,
                        grid_um=grid_um, others=keep_clear)[0]


def fill_notches(*, net_metal: Mapping[str, Sequence[Any]], net_terminals: Mapping[str, Any],
                 space_um: float, grid_um: float,
                 others: Sequence[shapely.Geometry] = ()) -> list[shapely.Geometry]:
    """Every net's metal (with its terminals) with its narrow same-net notches filled.

    Each round runs one space check over the nets still to do and fills what it finds; a net
    is done when its check is clean (or after MAX_ROUNDS).

    Args:
        net_metal: net -> its wire and teardrop geometry (shapely or (N, 2) arrays), um.
        net_terminals: net -> union of its terminal shapes, um.
        space_um: the space rule.
        grid_um: the manufacturing grid.
        others: metal of no routed net (free capture pads, obstacles) to keep clear of.

    Returns:
        One geometry per net (wires, teardrops, fills and its terminals), sorted by net.
    """
    bodies = []
    for net in sorted(net_metal):
        term = net_terminals.get(net)
        parts = [shapely.Polygon(g) if isinstance(g, np.ndarray) else g for g in net_metal[net]]
        body = shapely.union_all([*parts, *([term] if term is not None else [])])
        # Shapes of one net whose outlines nearly coincide (two snapped teardrop flanks, a
        # flank along a pad edge) can leave a crack a few nm wide in their union: a closing
        # by one grid step with mitred corners seals it and leaves every corner in place.
        body = body.buffer(grid_um, join_style="mitre").buffer(-grid_um, join_style="mitre")
        bodies.append(_without_small_holes(snap_geometry(body, grid_um), space_um))
    items = [*bodies, *others]
    tree = shapely.STRtree(items)
    todo = list(range(len(bodies)))
    for _ in range(MAX_ROUNDS):
        found = _notch_pairs_by_body([bodies[i] for i in todo], space_um=space_um,
                                     grid_um=grid_um)
        changed = []
        for k, quads in sorted(found.items()):
            i = todo[k]
            idx = tree.query(items[i], predicate="dwithin", distance=2 * space_um)
            near = [items[j] for j in sorted(idx.tolist()) if j != i]
            filled = _fill_once(bodies[i], shapely.union_all(quads), space_um=space_um,
                                grid_um=grid_um, keep_clear=near)
            if filled is not None:
                bodies[i] = filled
                changed.append(i)
        if not changed:
            break
        todo = changed
    return bodies
