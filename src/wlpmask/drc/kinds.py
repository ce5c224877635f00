"""One check function per rule kind: (rule, layers) -> violations.

Each function reads the merged layers it needs from a LayerSet (merged once per run, in
database units) and reports Violation records in micrometres.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import shapely

from ..tech import Rule
from .merge import MergedLayer, empty_layer, merge_layer, to_dbu
from .pairs import EdgePairs, enclosing_layers, separation_layers, space_layer, width_layer
from .result import Violation


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
        if name not in self._merged:
            raw = self._shapes.get(name) or []
            self._merged[name] = merge_layer(to_dbu(raw, self.dbu)) if len(raw) else empty_layer()
        return self._merged[name]

    def dist(self, value_um: float) -> int:
        """A rule distance in database units."""
        return int(round(value_um / self.dbu))


def _um(v: float, dbu: float) -> float:
    return round(float(v) * dbu, 9)


def _pair_violations(rule: Rule, ep: EdgePairs, dbu: float) -> list[Violation]:
    out = []
    for k in range(len(ep)):
        f = tuple(_um(v, dbu) for v in ep.first[k])
        s = tuple(_um(v, dbu) for v in ep.second[k])
        xs = (f[0], f[2], s[0], s[2])
        ys = (f[1], f[3], s[1], s[3])
        out.append(Violation(rule.id, rule.kind, rule.layers, rule.limit,
                             _um(ep.distance[k], dbu), (f, s),
                             (min(xs), min(ys), max(xs), max(ys))))
    return out


def _marker(rule: Rule, geom, measured_um: float, dbu: float) -> Violation:
    x0, y0, x1, y1 = shapely.bounds(geom)
    return Violation(rule.id, rule.kind, rule.layers, rule.limit, round(measured_um, 9), None,
                     (_um(x0, dbu), _um(y0, dbu), _um(x1, dbu), _um(y1, dbu)))


def check_width(rule: Rule, layers: LayerSet) -> list[Violation]:
    """Width inside each merged shape of one layer below rule.limit."""
    ep = width_layer(layers.merged(rule.layers[0]), layers.dist(rule.limit))
    return _pair_violations(rule, ep, layers.dbu)


def check_space(rule: Rule, layers: LayerSet) -> list[Violation]:
    """Space between shapes of one layer (notches included) below rule.limit."""
    ep = space_layer(layers.merged(rule.layers[0]), layers.dist(rule.limit))
    return _pair_violations(rule, ep, layers.dbu)


def check_separation(rule: Rule, layers: LayerSet) -> list[Violation]:
    """Space between shapes of two different layers below rule.limit."""
    a, b = rule.layers
    ep = separation_layers(layers.merged(a), layers.merged(b), layers.dist(rule.limit))
    return _pair_violations(rule, ep, layers.dbu)


def _outside_parts(inner: MergedLayer, outer: MergedLayer, shrink: int):
    """For each inner shape not inside outer (shrunk by `shrink`): (index, part outside)."""
    n = inner.count
    if n == 0:
        return []
    if outer.count == 0:
        return [(i, inner.geoms[i]) for i in range(n)]
    out_geoms = outer.geoms
    if shrink > 0:
        out_geoms = shapely.buffer(out_geoms, -float(shrink), quad_segs=16)
    tree = shapely.STRtree(out_geoms)
    qi, qj = tree.query(inner.geoms, predicate="intersects")
    covered = np.zeros(n, dtype=bool)
    if len(qi):
        cov = shapely.covered_by(inner.geoms[qi], out_geoms[qj])
        covered[qi[cov]] = True
    result = []
    for i in np.flatnonzero(~covered):
        hits = qj[qi == i]
        g = inner.geoms[i]
        part = shapely.difference(g, shapely.union_all(out_geoms[hits])) if len(hits) else g
        if not shapely.is_empty(part) and shapely.area(part) > 0:
            result.append((int(i), part))
    return result


def _reach_outside(part, outer: MergedLayer) -> float:
    """How far (dbu) the vertices of `part` lie outside outer's shapes (0 if touching)."""
    pts = shapely.points(shapely.get_coordinates(part))
    if outer.count == 0:
        return float("inf")
    union = shapely.union_all(outer.geoms)
    return float(np.max(shapely.distance(pts, union)))


def check_enclosure(rule: Rule, layers: LayerSet) -> list[Violation]:
    """Outer encloses inner by at least rule.limit; inner shapes outside outer are markers."""
    outer, inner = layers.merged(rule.layers[0]), layers.merged(rule.layers[1])
    ep = enclosing_layers(outer, inner, layers.dist(rule.limit))
    out = _pair_violations(rule, ep, layers.dbu)
    for _, part in _outside_parts(inner, outer, 0):
        out.append(_marker(rule, part, -_reach_outside(part, outer) * layers.dbu, layers.dbu))
    return out


def check_min_area(rule: Rule, layers: LayerSet) -> list[Violation]:
    """Merged shapes of one layer with an area below rule.limit (um2)."""
    lay = layers.merged(rule.layers[0])
    if lay.count == 0:
        return []
    area = shapely.area(lay.geoms) * layers.dbu * layers.dbu
    return [_marker(rule, lay.geoms[i], float(area[i]), layers.dbu)
            for i in np.flatnonzero(area < rule.limit)]


def check_inside(rule: Rule, layers: LayerSet) -> list[Violation]:
    """Inner shapes must lie inside outer shrunk by rule.limit; the part outside is a marker."""
    outer, inner = layers.merged(rule.layers[0]), layers.merged(rule.layers[1])
    d = layers.dist(rule.limit)
    out = []
    for _, part in _outside_parts(inner, outer, d):
        # measured: margin of the offending part to the outer boundary (negative outside)
        measured = d - _reach_outside(part, _shrunk(outer, d)) if d > 0 else \
            -_reach_outside(part, outer)
        out.append(_marker(rule, part, measured * layers.dbu, layers.dbu))
    return out


def _shrunk(layer: MergedLayer, d: int) -> MergedLayer:
    g = shapely.buffer(layer.geoms, -float(d), quad_segs=16)
    return MergedLayer(layer.edges, layer.offsets, layer.bbox, g, layer.key, layer.ref)


KIND_CHECKS: Mapping[str, Callable[[Rule, LayerSet], list[Violation]]] = {
    "width": check_width,
    "space": check_space,
    "separation": check_separation,
    "enclosure": check_enclosure,
    "min_area": check_min_area,
    "inside": check_inside,
}
