"""One check function per rule kind: (rule, layers) -> violations.

Each function reads the merged layers it needs from a LayerSet (merged once per run, in
database units) and reports Violation records in micrometres.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import shapely

from ..tech import Rule
from .boxes import box_pairs, unique_rows
from .checks import enclosing_layers, separation_layers, space_layer, width_layer
from .merge import MergedLayer, empty_layer, flatten, merge_flat
from .pairs import EdgePairs
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
            raw = self._shapes.get(name)
            self._merged[name] = merge_flat(*flatten(raw, self.dbu)) if raw is not None and \
                len(raw) else empty_layer()
        return self._merged[name]

    def dist(self, value_um: float) -> int:
        """A rule distance in database units."""
        return int(round(value_um / self.dbu))


def _um(v: float, dbu: float) -> float:
    return round(float(v) * dbu, 9)


def _pair_violations(rule: Rule, ep: EdgePairs, dbu: float) -> list[Violation]:
    if len(ep) == 0:
        return []
    f = np.round(ep.first * dbu, 9)
    s = np.round(ep.second * dbu, 9)
    xs = np.concatenate([f[:, 0::2], s[:, 0::2]], axis=1)
    ys = np.concatenate([f[:, 1::2], s[:, 1::2]], axis=1)
    box = np.column_stack([xs.min(axis=1), ys.min(axis=1), xs.max(axis=1), ys.max(axis=1)])
    dist = np.round(ep.distance * dbu, 9)
    kind, layers, limit = rule.kind, rule.layers, rule.limit
    return [Violation(rule.id, kind, layers, limit, m, (tuple(a), tuple(b)), tuple(bb))
            for m, a, b, bb in zip(dist.tolist(), f.tolist(), s.tolist(), box.tolist())]


def _marker(rule: Rule, geom, measured_um: float, dbu: float) -> Violation:
    x0, y0, x1, y1 = shapely.bounds(geom)
    return Violation(rule.id, rule.kind, rule.layers, rule.limit, round(measured_um, 9), None,
                     (_um(x0, dbu), _um(y0, dbu), _um(x1, dbu), _um(y1, dbu)))


def metric_of(rule: Rule) -> str:
    """The rule's distance metric (parameter `metric`; euclidian when not given)."""
    m = str(rule.params.get("metric", "euclidian"))
    return "euclidian" if m == "euclidean" else m


def check_width(rule: Rule, layers: LayerSet) -> list[Violation]:
    """Width inside each merged shape of one layer below rule.limit."""
    ep = width_layer(layers.merged(rule.layers[0]), layers.dist(rule.limit), metric_of(rule))
    return _pair_violations(rule, ep, layers.dbu)


def check_space(rule: Rule, layers: LayerSet) -> list[Violation]:
    """Space between shapes of one layer (notches included) below rule.limit."""
    ep = space_layer(layers.merged(rule.layers[0]), layers.dist(rule.limit), metric_of(rule))
    return _pair_violations(rule, ep, layers.dbu)


def check_separation(rule: Rule, layers: LayerSet) -> list[Violation]:
    """Space between shapes of two different layers below rule.limit."""
    a, b = rule.layers
    ep = separation_layers(layers.merged(a), layers.merged(b), layers.dist(rule.limit),
                           metric_of(rule))
    return _pair_violations(rule, ep, layers.dbu)


def _outside_parts(inner: MergedLayer, outer: MergedLayer, shrink: int):
    """Inner shapes not inside outer (shrunk by `shrink` dbu), as (index, part, near outers).

    Shapes equal up to a translation that sit at the same offset in the same outer shape are
    tested once.
    """
    n = inner.count
    if n == 0:
        return []
    ci, cj = box_pairs(inner.bbox, outer.bbox, 1)
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
        og = outer.geoms_of(kj[first])
        if shrink > 0:
            og = shapely.buffer(og, -float(shrink), quad_segs=16)
        cov = shapely.covered_by(inner.geoms_of(ki[first]), og)
        covered[ki[cov[inv]]] = True
    result = []
    for i in np.flatnonzero(~covered):
        hits = cj[ci == i]
        g = inner.geoms_of([i])[0]
        og = outer.geoms_of(hits)
        if shrink > 0 and len(og):
            og = shapely.buffer(og, -float(shrink), quad_segs=16)
        part = shapely.difference(g, shapely.union_all(og)) if len(og) else g
        if shapely.is_empty(part) or shapely.area(part) <= 0:
            continue
        if len(hits) == 0 and outer.count:
            # far from every outer shape: measure against the few nearest ones
            b = inner.bbox[i]
            gap = np.maximum.reduce([outer.bbox[:, 0] - b[2], b[0] - outer.bbox[:, 2],
                                     outer.bbox[:, 1] - b[3], b[1] - outer.bbox[:, 3],
                                     np.zeros(outer.count, np.int64)])
            og = outer.geoms_of(np.argsort(gap, kind="stable")[:8])
            if shrink > 0:
                og = shapely.buffer(og, -float(shrink), quad_segs=16)
        result.append((int(i), part, og))
    return result


def _reach_outside(part, near_outer: np.ndarray) -> float:
    """How far (dbu) the vertices of `part` lie outside the given outer shapes.

    With no outer shape at all: the size of the part (its bounding box diagonal).
    """
    pts = shapely.points(shapely.get_coordinates(part))
    union = shapely.union_all(near_outer) if len(near_outer) else None
    if union is None or shapely.is_empty(union):
        x0, y0, x1, y1 = shapely.bounds(part)
        return float(np.hypot(x1 - x0, y1 - y0))
    return float(np.max(shapely.distance(pts, union)))


def check_enclosure(rule: Rule, layers: LayerSet) -> list[Violation]:
    """Outer encloses inner by at least rule.limit; inner shapes outside outer are markers."""
    outer, inner = layers.merged(rule.layers[0]), layers.merged(rule.layers[1])
    ep = enclosing_layers(outer, inner, layers.dist(rule.limit), metric_of(rule))
    out = _pair_violations(rule, ep, layers.dbu)
    for _, part, near in _outside_parts(inner, outer, 0):
        out.append(_marker(rule, part, -_reach_outside(part, near) * layers.dbu, layers.dbu))
    return out


def check_min_area(rule: Rule, layers: LayerSet) -> list[Violation]:
    """Merged shapes of one layer with an area below rule.limit (um2)."""
    lay = layers.merged(rule.layers[0])
    if lay.count == 0:
        return []
    area = lay.areas() * layers.dbu * layers.dbu
    bad = np.flatnonzero(area < rule.limit)
    return [_marker(rule, g, float(area[i]), layers.dbu)
            for i, g in zip(bad, lay.geoms_of(bad))]


def check_inside(rule: Rule, layers: LayerSet) -> list[Violation]:
    """Inner shapes must lie inside outer shrunk by rule.limit; the part outside is a marker.

    measured_um: the limit minus how far the marker's vertices reach beyond the shrunk outer
    shapes (negative when the shape leaves the outer shapes altogether).
    """
    outer, inner = layers.merged(rule.layers[0]), layers.merged(rule.layers[1])
    d = layers.dist(rule.limit)
    out = []
    for _, part, near in _outside_parts(inner, outer, d):
        measured = (d - _reach_outside(part, near)) * layers.dbu
        out.append(_marker(rule, part, measured, layers.dbu))
    return out


# Rule kinds that measure edge-pair distances and take a `metric` parameter.
METRIC_KINDS = ("width", "space", "separation", "enclosure")

KIND_CHECKS: Mapping[str, Callable[[Rule, LayerSet], list[Violation]]] = {
    "width": check_width,
    "space": check_space,
    "separation": check_separation,
    "enclosure": check_enclosure,
    "min_area": check_min_area,
    "inside": check_inside,
}
