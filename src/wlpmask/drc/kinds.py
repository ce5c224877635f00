"""One check function per rule kind: (rule, layers) -> violations.

Each function reads the merged layers it needs from a LayerSet (merged once per run, in
database units) and returns its violations in micrometres, sorted: edge pairs as one array
block (ViolationBlock), polygon markers as Violation records.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import shapely

from ..tech import Rule
from .boxes import box_pairs, unique_rows
from .checks import enclosing_layers, separation_layers, space_layer, width_layer
from .corners import check_concave_corner_radius, check_convex_corner_radius
from .merge import MergedLayer, empty_layer, merge_polygons
from .pairs import EdgePairs
from .radius import check_inner_radius, check_outer_radius
from .result import Violation, ViolationBlock, Violations, in_order


class LayerSet:
    """Raw shapes per layer name, merged on first use.

    Args:
        shapes: per layer name, raw polygons in um.
        dbu_um: the database unit (the technology grid).
    """

    def __init__(self, shapes: Mapping[str, Sequence[np.ndarray]], dbu_um: float):
        self._shapes = shapes
        self.dbu = float(dbu_um)
        self._merged: dict[str, MergedLayer] = {}

    def merged(self, name: str) -> MergedLayer:
        """The merged shapes of a layer (merged on the first call; empty if none drawn).

        Args:
            name: the layer name.
        """
        if name not in self._merged:
            raw = self._shapes.get(name)
            self._merged[name] = merge_polygons(raw, self.dbu) if raw is not None and \
                len(raw) else empty_layer()
        return self._merged[name]

    def dist(self, value_um: float) -> int:
        """A rule distance in database units (rounded to the nearest unit).

        Args:
            value_um: the distance in um.
        """
        return int(round(value_um / self.dbu))


def _um(v: float, dbu: float) -> float:
    return round(float(v) * dbu, 9)


def _pair_violations(rule: Rule, ep: EdgePairs, dbu: float) -> ViolationBlock:
    f = np.round(ep.first * dbu, 9)
    s = np.round(ep.second * dbu, 9)
    xs = np.concatenate([f[:, 0::2], s[:, 0::2]], axis=1)
    ys = np.concatenate([f[:, 1::2], s[:, 1::2]], axis=1)
    box = np.column_stack([xs.min(axis=1), ys.min(axis=1), xs.max(axis=1), ys.max(axis=1)]) \
        if len(f) else np.zeros((0, 4))
    dist = np.round(ep.distance * dbu, 9)
    return ViolationBlock.sorted(rule.id, rule.kind, rule.layers, rule.limit, dist, f, s, box)


def _sorted(records: list[Violation]) -> Violations:
    return Violations(sorted(records, key=lambda v: v.sort_key()))


def _marker(rule: Rule, geom, measured_um: float, dbu: float) -> Violation:
    x0, y0, x1, y1 = shapely.bounds(geom)
    return Violation(rule.id, rule.kind, rule.layers, rule.limit, round(float(measured_um), 9),
                     None,
                     (_um(x0, dbu), _um(y0, dbu), _um(x1, dbu), _um(y1, dbu)))


def metric_of(rule: Rule) -> str:
    """The rule's distance metric (parameter `metric`; euclidian when not given).

    Args:
        rule: the technology rule; "euclidean" is read as the reference's "euclidian".
    """
    m = str(rule.params.get("metric", "euclidian"))
    return "euclidian" if m == "euclidean" else m


def check_width(rule: Rule, layers: LayerSet) -> Violations:
    """Width inside each merged shape of one layer below rule.limit (um).

    Args:
        rule: the width rule (one layer).
        layers: the run's merged layers.
    """
    ep = width_layer(layers.merged(rule.layers[0]), layers.dist(rule.limit), metric_of(rule))
    return Violations(_pair_violations(rule, ep, layers.dbu))


def check_space(rule: Rule, layers: LayerSet) -> Violations:
    """Space between shapes of one layer (notches included) below rule.limit (um).

    Args:
        rule: the space rule (one layer).
        layers: the run's merged layers.
    """
    ep = space_layer(layers.merged(rule.layers[0]), layers.dist(rule.limit), metric_of(rule))
    return Violations(_pair_violations(rule, ep, layers.dbu))


def check_separation(rule: Rule, layers: LayerSet) -> Violations:
    """Space between shapes of two different layers below rule.limit (um).

    Args:
        rule: the separation rule (two layers).
        layers: the run's merged layers.
    """
    a, b = rule.layers
    ep = separation_layers(layers.merged(a), layers.merged(b), layers.dist(rule.limit),
                           metric_of(rule))
    return Violations(_pair_violations(rule, ep, layers.dbu))


def _outside_parts(inner: MergedLayer, outer: MergedLayer, shrink: int):
    """Inner shapes not inside outer (shrunk by `shrink` dbu): [(index, part outside)].

    Shapes equal up to a translation that sit at the same offset in the same outer shape are
    tested once.
    """
    n = inner.count
    if n == 0:
        return []
    ci, cj = inner.near(outer, 1)
    # an outer shape can only cover an inner one whose box it contains
    cont = ((outer.bbox[cj, 0] + shrink <= inner.bbox[ci, 0])
            & (outer.bbox[cj, 1] + shrink <= inner.bbox[ci, 1])
            & (outer.bbox[cj, 2] - shrink >= inner.bbox[ci, 2])
            & (outer.bbox[cj, 3] - shrink >= inner.bbox[ci, 3]))
    ki, kj = ci[cont], cj[cont]
    covered = np.zeros(n, dtype=bool)
    if len(ki):
        first, inv = unique_rows(np.column_stack([inner.key[ki], outer.key[kj],
                                                  outer.ref[kj] - inner.ref[ki]]))
        og = _shrunk(outer.geoms_of(kj[first]), shrink)
        cov = shapely.covered_by(inner.geoms_of(ki[first]), og)
        covered[ki[cov[inv]]] = True
    result = []
    for i in np.flatnonzero(~covered):
        g = inner.geoms_of([i])[0]
        og = _shrunk(outer.geoms_of(cj[ci == i]), shrink)
        part = shapely.difference(g, shapely.union_all(og)) if len(og) else g
        if not shapely.is_empty(part) and shapely.area(part) > 0:
            result.append((int(i), part))
    return result


def _shrunk(geoms: np.ndarray, shrink: int) -> np.ndarray:
    if shrink <= 0 or len(geoms) == 0:
        return geoms
    return shapely.buffer(geoms, -float(shrink), quad_segs=16)


def _reaches(parts: list, outer: MergedLayer, shrink: int) -> np.ndarray:
    """Per part, the largest distance (dbu) of its vertices from the nearest outer shape.

    The outer shapes are shrunk by `shrink`; where no (shrunk) outer shape is left: the
    part's box diagonal.
    """
    out = np.zeros(len(parts))
    if not parts:
        return out
    pts = [shapely.points(shapely.get_coordinates(p)) for p in parts]
    if outer.count == 0:
        for k, p in enumerate(parts):
            x0, y0, x1, y1 = shapely.bounds(p)
            out[k] = float(np.hypot(x1 - x0, y1 - y0))
        return out
    boxes = np.array([shapely.bounds(p) for p in parts])
    boxes = np.column_stack([np.floor(boxes[:, :2]), np.ceil(boxes[:, 2:])]).astype(np.int64)
    # a first estimate against the outer shape whose box is nearest...
    tree = shapely.STRtree(shapely.box(*outer.bbox.T.astype(np.float64)))
    first = tree.query_nearest(shapely.box(*boxes.T.astype(np.float64)), all_matches=False)[1]
    reach = np.array([_reach(pt, _shrunk(outer.geoms_of([j]), shrink))
                      for pt, j in zip(pts, first)])
    # ...then every outer shape whose box comes closer than that could be nearer still
    finite = np.isfinite(reach)
    limit = int(np.ceil(reach[finite].max())) + 1 if finite.any() else None
    if limit is None:
        ci = cj = np.zeros(0, np.int64)
        limit = 0
    else:
        ci, cj = box_pairs(boxes, outer.bbox, limit)
    start = np.searchsorted(ci, np.arange(len(parts) + 1))
    for k in range(len(parts)):
        cand = cj[start[k]:start[k + 1]]
        b = boxes[k]
        gap = np.maximum.reduce([outer.bbox[cand, 0] - b[2], b[0] - outer.bbox[cand, 2],
                                 outer.bbox[cand, 1] - b[3], b[1] - outer.bbox[cand, 3],
                                 np.zeros(len(cand), np.int64)])
        cand = cand[gap < reach[k]] if np.isfinite(reach[k]) else cand
        if len(cand):
            reach[k] = min(reach[k], _reach(pts[k], _shrunk(outer.geoms_of(cand), shrink)))
        if not np.isfinite(reach[k]):
            # every outer shape vanishes when shrunk: the part lies outside all of them
            x0, y0, x1, y1 = shapely.bounds(parts[k])
            reach[k] = float(np.hypot(x1 - x0, y1 - y0))
    return reach


def _reach(points: np.ndarray, outer_geoms: np.ndarray) -> float:
    """Largest distance of the points from the union of the geometries (inf if empty)."""
    union = shapely.union_all(outer_geoms) if len(outer_geoms) else None
    if union is None or shapely.is_empty(union):
        return np.inf
    return float(np.max(shapely.distance(points, union)))


def check_enclosure(rule: Rule, layers: LayerSet) -> Violations:
    """Outer encloses inner by at least rule.limit; inner shapes outside outer are markers.

    A marker is the part of an inner shape outside every outer shape; its measured_um is
    minus the largest distance of a vertex of that part from the nearest outer shape (how
    far the inner shape sticks out: an enclosure below zero), or minus the diagonal of the
    part's box when the layer has no outer shape at all.

    Args:
        rule: the enclosure rule (layers: outer, inner; limit in um).
        layers: the run's merged layers.
    """
    outer, inner = layers.merged(rule.layers[0]), layers.merged(rule.layers[1])
    ep = enclosing_layers(outer, inner, layers.dist(rule.limit), metric_of(rule))
    block = _pair_violations(rule, ep, layers.dbu)
    parts = [part for _, part in _outside_parts(inner, outer, 0)]
    reach = _reaches(parts, outer, 0)
    markers = [_marker(rule, part, -r * layers.dbu, layers.dbu) for part, r in zip(parts, reach)]
    return in_order(block, markers)


def check_min_area(rule: Rule, layers: LayerSet) -> Violations:
    """Merged shapes of one layer with an area below rule.limit (um2).

    A marker is the shape; its measured_um is its area in um2 (holes subtracted).

    Args:
        rule: the min_area rule (one layer; limit in um2).
        layers: the run's merged layers.
    """
    lay = layers.merged(rule.layers[0])
    if lay.count == 0:
        return Violations()
    area = lay.areas() * layers.dbu * layers.dbu
    bad = np.flatnonzero(area < rule.limit)
    return _sorted([_marker(rule, g, float(area[i]), layers.dbu)
                    for i, g in zip(bad, lay.geoms_of(bad))])


def check_inside(rule: Rule, layers: LayerSet) -> Violations:
    """Inner shapes must lie inside outer shrunk by rule.limit; the part outside is a marker.

    measured_um: the margin the worst vertex of the marker keeps from the outer boundary:
    rule.limit minus the largest distance of a vertex of the part from the shrunk outer
    shapes (below rule.limit; negative where the shape leaves the outer shapes altogether;
    rule.limit minus the part's box diagonal when no shrunk outer shape is left).

    Args:
        rule: the inside rule (layers: outer, inner; limit the margin in um).
        layers: the run's merged layers.
    """
    outer, inner = layers.merged(rule.layers[0]), layers.merged(rule.layers[1])
    d = layers.dist(rule.limit)
    parts = [part for _, part in _outside_parts(inner, outer, d)]
    reach = _reaches(parts, outer, d)
    return _sorted([_marker(rule, part, (d - r) * layers.dbu, layers.dbu)
                    for part, r in zip(parts, reach)])


# Rule kinds that measure edge-pair distances and take a `metric` parameter.
METRIC_KINDS = ("width", "space", "separation", "enclosure")

# Each check returns its violations (a Violations sequence, sorted; a plain list of Violation
# records is accepted from an added kind and sorted by run_drc).
KIND_CHECKS: Mapping[str, Callable[[Rule, LayerSet], Sequence[Violation]]] = {
    "width": check_width,
    "space": check_space,
    "separation": check_separation,
    "enclosure": check_enclosure,
    "min_area": check_min_area,
    "inside": check_inside,
    "outer_radius": check_outer_radius,
    "convex_corner_radius": check_convex_corner_radius,
    "concave_corner_radius": check_concave_corner_radius,
    "inner_radius": check_inner_radius,
}
