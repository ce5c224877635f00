"""Differential tests: wlpmask's edge-pair checks against klayout.db on random layouts.

klayout.db is the reference DRC (dev dependency). Both sides get the same integer polygons;
KLayout gets them merged (merged semantics). Random layouts of rectangles, octagons, L-shapes
and 45-degree strips, overlapping and touching.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from wlpmask.drc import enclosing_pairs, merge_layer, separation_pairs, space_pairs, width_pairs
from wlpmask.drc.edges import segment_distance

db = pytest.importorskip("klayout.db", reason="klayout (dev extra) is the reference DRC")

CHECKS = ("width", "space", "separation", "enclosing")


def _region(polys):
    r = db.Region()
    for p in polys:
        r.insert(db.Polygon([db.Point(int(x), int(y)) for x, y in p]))
    return r.merged()


def _klayout(check, a, b, d, metric="euclidian"):
    ra = _region(a)
    m = {"euclidian": db.Region.Euclidian, "projection": db.Region.Projection,
         "square": db.Region.Square}[metric]
    if check == "width":
        ep = ra.width_check(d, False, m)
    elif check == "space":
        ep = ra.space_check(d, False, m)
    elif check == "separation":
        ep = ra.separation_check(_region(b), d, False, m)
    else:
        ep = ra.enclosing_check(_region(b), d, False, m)
    return [((e.first.p1.x, e.first.p1.y, e.first.p2.x, e.first.p2.y),
             (e.second.p1.x, e.second.p1.y, e.second.p2.x, e.second.p2.y)) for e in ep.each()]


def _ours(check, a, b, d, metric="euclidian"):
    fn = {"width": lambda: width_pairs(a, d, metric=metric),
          "space": lambda: space_pairs(a, d, metric=metric),
          "separation": lambda: separation_pairs(a, b, d, metric=metric),
          "enclosing": lambda: enclosing_pairs(a, b, d, metric=metric)}[check]
    ep = fn()
    return [(tuple(int(v) for v in ep.first[k]), tuple(int(v) for v in ep.second[k]))
            for k in range(len(ep))]


def _normal(check, pairs):
    if check in ("width", "space"):  # symmetric: the order of the two edges is free
        pairs = [tuple(sorted(p)) for p in pairs]
    return sorted(pairs)


def _free_shapes(rng, n, size=100):
    polys = []
    for _ in range(n):
        t = rng.integers(0, 4)
        x, y = rng.integers(0, size, 2)
        w, h = rng.integers(2, 30, 2)
        if t == 0:
            polys.append([[x, y], [x, y + h], [x + w, y + h], [x + w, y]])
        elif t == 1:
            c = min(w, h) // 3
            polys.append([[x + c, y], [x, y + c], [x, y + h - c], [x + c, y + h],
                          [x + w - c, y + h], [x + w, y + h - c], [x + w, y + c], [x + w - c, y]])
        elif t == 2:
            a, b = max(1, w // 2), max(1, h // 2)
            polys.append([[x, y], [x, y + h], [x + a, y + h], [x + a, y + b], [x + w, y + b],
                          [x + w, y]])
        else:
            length, s = rng.integers(5, 40), rng.integers(1, 6)
            polys.append([[x, y], [x + length, y + length], [x + length + s, y + length],
                          [x + s, y]])
    return [np.array(p, dtype=np.int64) for p in polys]


def _grid_shapes(rng, n, scale):
    """Shapes on a coarse grid: many abutting, kissing and T-touching configurations."""
    polys = []
    for _ in range(n):
        t = rng.integers(0, 3)
        x, y = rng.integers(0, 8, 2) * scale
        w, h = rng.integers(1, 4, 2) * scale
        if t == 0:
            polys.append([[x, y], [x, y + h], [x + w, y + h], [x + w, y]])
        elif t == 1:
            polys.append([[x, y], [x + w, y + w], [x + w + scale, y + w], [x + scale, y]])
        else:
            c = scale // 2
            polys.append([[x + c, y], [x, y + c], [x, y + h - c], [x + c, y + h],
                          [x + w - c, y + h], [x + w, y + h - c], [x + w, y + c], [x + w - c, y]])
    return [np.array(p, dtype=np.int64) for p in polys]


def _flagged(pairs, layers):
    """Merged shape (layer slot, index) -> smallest distance of the edge pairs touching it."""
    out: dict[tuple[int, int], float] = {}
    bounds = [shapely.boundary(la.geoms) for la in layers]
    for f, s in pairs:
        dist = float(segment_distance(np.array([f]), np.array([s]))[0])
        for slot, e in enumerate((f, s)):
            mid = shapely.points([(e[0] + e[2]) / 2, (e[1] + e[3]) / 2])
            i = int(np.argmin(shapely.distance(bounds[slot], mid)))
            key = (slot if layers[0] is not layers[1] else 0, i)
            out[key] = min(out.get(key, np.inf), dist)
    return out


@pytest.mark.parametrize("seed", range(3))
def test_edge_pairs_equal_klayout_on_free_shapes(seed):
    """Exact agreement: the same edge pairs (hence counts) as KLayout."""
    rng = np.random.default_rng(seed)
    for _ in range(50):
        a = _free_shapes(rng, rng.integers(1, 8))
        b = _free_shapes(rng, rng.integers(1, 8))
        d = int(rng.integers(1, 15))
        for check in CHECKS:
            ref = _normal(check, _klayout(check, a, b, d))
            got = _normal(check, _ours(check, a, b, d))
            assert got == ref, (check, d, [p.tolist() for p in a], [p.tolist() for p in b])


@pytest.mark.parametrize("seed", range(2))
def test_flagged_shapes_equal_klayout_on_touching_grids(seed):
    """Dense abutting/kissing/T-touching shapes: same flagged shapes, same smallest distance.

    Known gap: where a shape's corner touches another shape's edge, the reference sometimes
    checks the touched edge whole and sometimes split at the touch point; a few percent of
    these adversarial layouts then differ in edge pairs, very rarely in flagged shapes.
    """
    rng = np.random.default_rng(100 + seed)
    exact = total = 0
    mismatched = []
    for _ in range(40):
        scale = int(rng.choice([4, 10, 1000]))
        a = _grid_shapes(rng, rng.integers(2, 14), scale)
        b = _grid_shapes(rng, rng.integers(1, 8), scale)
        d = int(rng.integers(1, 3 * scale))
        la, lb = merge_layer(a), merge_layer(b)
        for check in CHECKS:
            ref = _klayout(check, a, b, d)
            got = _ours(check, a, b, d)
            total += 1
            exact += _normal(check, ref) == _normal(check, got)
            layers = (la, la) if check in ("width", "space") else (la, lb)
            fr, fg = _flagged(ref, layers), _flagged(got, layers)
            if set(fg) != set(fr) or any(abs(fg[k] - v) > 1.0 for k, v in fr.items()):
                mismatched.append((check, d, [p.tolist() for p in a], [p.tolist() for p in b]))
    assert len(mismatched) <= 0.02 * total, mismatched
    assert exact >= 0.85 * total


def _raw_region(polys, merged_semantics):
    r = db.Region()
    for p in polys:
        r.insert(db.Polygon([db.Point(int(x), int(y)) for x, y in p]))
    r.merged_semantics = merged_semantics
    return r


@pytest.mark.parametrize(("semantics", "merged_semantics"), [("local", True), ("none", False)])
def test_space_on_unmerged_layers_equals_klayout(semantics, merged_semantics):
    """space_pairs on unmerged input: a raw layer ("local") and merged semantics off ("none")."""
    rng = np.random.default_rng(7)
    for k in range(40):
        a = _free_shapes(rng, rng.integers(1, 8)) if k % 2 else _grid_shapes(rng, 8, 10)
        d = int(rng.integers(1, 15))
        ep = _raw_region(a, merged_semantics).space_check(d)
        ref = [((e.first.p1.x, e.first.p1.y, e.first.p2.x, e.first.p2.y),
                (e.second.p1.x, e.second.p1.y, e.second.p2.x, e.second.p2.y)) for e in ep.each()]
        got = space_pairs(a, d, semantics=semantics)
        got = [(tuple(int(v) for v in got.first[i]), tuple(int(v) for v in got.second[i]))
               for i in range(len(got))]
        assert _normal("space", got) == _normal("space", ref), (d, [p.tolist() for p in a])


def test_unknown_semantics_is_refused():
    with pytest.raises(ValueError, match="semantics"):
        space_pairs([np.array([[0, 0], [0, 1], [1, 1]])], 1, semantics="flat")


@pytest.mark.parametrize("metric", ["projection", "square"])
def test_other_metrics_equal_klayout(metric):
    """The projection and square metrics (a rule parameter) give KLayout's edge pairs too."""
    rng = np.random.default_rng(11)
    for _ in range(30):
        a = _free_shapes(rng, rng.integers(1, 8))
        b = _free_shapes(rng, rng.integers(1, 8))
        d = int(rng.integers(1, 15))
        for check in CHECKS:
            ref = _normal(check, _klayout(check, a, b, d, metric))
            got = _normal(check, _ours(check, a, b, d, metric))
            assert got == ref, (check, d, [p.tolist() for p in a], [p.tolist() for p in b])
