"""The DRC engine's parts: touch points against the reference, box pairs, shape classes,
the array input (PolygonSet), the array-backed results and large coordinates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wlpmask.drc import (
    DrcResult,
    PolygonSet,
    Violation,
    ViolationBlock,
    Violations,
    enclosing_pairs,
    merge_layer,
    run_drc,
    separation_pairs,
    space_pairs,
    width_pairs,
)
from wlpmask.drc.boxes import box_pairs, classes_of, unique_rows
from wlpmask.drc.result import in_order
from wlpmask.io.kdb import to_region
from wlpmask.tech import load_technology


def _poly(*pts):
    return np.array(pts, dtype=np.int64)


def _region(polys):
    return to_region(polys).merged()


def _pairs(ep):
    return sorted(((e.first.x1, e.first.y1, e.first.x2, e.first.y2),
                   (e.second.x1, e.second.y1, e.second.x2, e.second.y2)) for e in ep.each())


def _ours(ep, symmetric):
    out = [(tuple(int(v) for v in ep.first[k]), tuple(int(v) for v in ep.second[k]))
           for k in range(len(ep))]
    return sorted(tuple(sorted(p)) for p in out) if symmetric else sorted(out)


OCTAGON = _poly((500, 0), (0, 500), (0, 2500), (500, 3000), (2500, 3000), (3000, 2500),
                (3000, 500), (2500, 0))
SLANT = _poly((3000, 1000), (6000, 4000), (7000, 4000), (4000, 1000))

# (description, check, layer a, layer b, distance)
TOUCH_CASES = [
    ("corners kiss on one line: the walk goes straight on, the edge stays whole", "width",
     [_poly((0, 4000), (0, 5000), (2000, 5000), (2000, 4000)),
      _poly((2000, 4000), (3000, 5000), (4000, 5000), (3000, 4000))], [], 391),
    ("a corner on another shape's edge: the walk turns, the edge splits", "space",
     [OCTAGON, SLANT], [], 823),
    ("the same T-touch with a far neighbour box: still split for a lone polygon", "space",
     [OCTAGON, SLANT, _poly((9000, 9000), (9000, 9100), (9100, 9100), (9100, 9000))], [], 823),
    ("a box inside the T-shape's box: the first layer is checked on maximal edges",
     "separation", [OCTAGON, SLANT, _poly((6500, 200), (6500, 600), (6900, 600), (6900, 200))],
     [_poly((3000, 0), (3000, 3000), (4000, 3000), (4000, 0))], 823),
    ("the same without the box: polygon edges", "separation", [OCTAGON, SLANT],
     [_poly((3000, 0), (3000, 3000), (4000, 3000), (4000, 0))], 823),
    ("a hole that touches the hull twice stays a hole of its own", "enclosing",
     [_poly((50, 30), (50, 40), (80, 40), (80, 30)), _poly((40, 10), (40, 40), (60, 40), (60, 10)),
      _poly((60, 10), (80, 30), (90, 30), (70, 10))],
     [_poly((35, 10), (30, 15), (30, 25), (35, 30), (45, 30), (50, 25), (50, 15), (45, 10))], 17),
    ("two holes: the smaller one's edges come first in the reference", "space",
     [_poly((25, 33), (25, 56), (29, 56), (29, 33)), _poly((50, 49), (50, 56), (69, 56), (69, 49)),
      _poly((21, 55), (21, 80), (35, 80), (35, 67), (50, 67), (50, 55)),
      _poly((29, 38), (29, 44), (44, 44), (44, 38)), _poly((46, 31), (71, 56), (76, 56), (51, 31)),
      _poly((45, 37), (44, 38), (44, 39), (45, 40), (55, 40), (56, 39), (56, 38), (55, 37)),
      _poly((35, 44), (33, 46), (33, 51), (35, 53), (39, 53), (41, 51), (41, 46), (39, 44)),
      _poly((16, 50), (16, 71), (25, 71), (25, 60), (35, 60), (35, 50))], [], 18),
]


@pytest.mark.parametrize(("what", "check", "a", "b", "d"), TOUCH_CASES,
                         ids=[c[0][:40] for c in TOUCH_CASES])
def test_touch_points_give_the_reference_edge_pairs(what, check, a, b, d):
    ra = _region(a)
    if check == "width":
        ref, got = ra.width_check(d), width_pairs(a, d)
    elif check == "space":
        ref, got = ra.space_check(d), space_pairs(a, d)
    elif check == "separation":
        ref, got = ra.separation_check(_region(b), d), separation_pairs(a, b, d)
    else:
        ref, got = ra.enclosing_check(_region(b), d), enclosing_pairs(a, b, d)
    symmetric = check in ("width", "space")
    ref = sorted(tuple(sorted(p)) for p in _pairs(ref)) if symmetric else _pairs(ref)
    assert _ours(got, symmetric) == ref


def test_merged_polygon_follows_the_reference_walk():
    # corner to corner on one line: the bottom edge runs through the touch point unbroken
    lay = merge_layer(TOUCH_CASES[0][2])
    edges = {tuple(e) for e in lay.edges.tolist()}
    assert (3000, 4000, 0, 4000) in edges
    assert lay.count == 1
    # a corner on an edge: that edge is split there
    lay = merge_layer([OCTAGON, SLANT])
    edges = {tuple(e) for e in lay.edges.tolist()}
    assert {(3000, 2500, 3000, 1000), (3000, 1000, 3000, 500)} <= edges


def _brute_pairs(a, b, d, same):
    out = []
    for i in range(len(a)):
        for j in range(len(b)):
            if same and j <= i:
                continue
            if (a[i, 0] < b[j, 2] + d and b[j, 0] < a[i, 2] + d
                    and a[i, 1] < b[j, 3] + d and b[j, 1] < a[i, 3] + d):
                out.append((i, j))
    return out


def test_box_pairs_equal_a_brute_force_search():
    rng = np.random.default_rng(0)
    for _ in range(60):
        def boxes(k):
            x, y = rng.integers(-50, 100, k), rng.integers(-50, 100, k)
            # mostly small boxes, now and then one much larger than the grid cell
            w = np.where(rng.random(k) < 0.1, rng.integers(50, 200, k), rng.integers(0, 20, k))
            h = rng.integers(0, 20, k)
            return np.column_stack([x, y, x + w, y + h])
        a = boxes(int(rng.integers(1, 40)))
        same = bool(rng.integers(0, 2))
        b = a if same else boxes(int(rng.integers(1, 40)))
        d = int(rng.integers(1, 25))
        i, j = box_pairs(a, b, d, same=same)
        assert list(zip(i.tolist(), j.tolist())) == _brute_pairs(a, b, d, same)


def test_row_classes_number_equal_rows_alike_by_first_occurrence():
    rng = np.random.default_rng(1)
    rows = rng.integers(0, 4, (500, 3))
    first, inv = unique_rows(rows)
    assert np.array_equal(rows[first[inv]], rows)
    assert list(first) == sorted(first)  # ids follow the first occurrence
    inv2 = classes_of(lambda sel: rows[sel], len(rows), chunk=64)
    assert np.array_equal(inv2, inv)


def test_polygon_set_is_a_sequence_and_an_input():
    polys = [np.array([[0.0, 0.0], [0.0, 8.0], [100.0, 8.0], [100.0, 0.0]]),
             np.array([[0.0, 20.0], [0.0, 40.0], [100.0, 40.0], [100.0, 20.0]])]
    ps = PolygonSet.from_polygons(polys)
    assert len(ps) == 2 and np.array_equal(ps[1], polys[1]) and np.array_equal(ps[-1], polys[1])
    assert [p.tolist() for p in ps] == [p.tolist() for p in polys]
    with pytest.raises(IndexError):
        ps[2]
    with pytest.raises(ValueError, match="offsets"):
        PolygonSet(np.zeros((4, 2)), [0, 5])
    tech = load_technology(Path(__file__).resolve().parents[2] / "pdk" / "wlcsp_generic.toml")
    assert run_drc({"RDL": ps}, tech).violations == run_drc({"RDL": polys}, tech).violations


def _block(n):
    rng = np.random.default_rng(n)
    f = np.round(rng.random((n, 4)), 3)
    s = np.round(rng.random((n, 4)), 3)
    box = np.column_stack([np.minimum(f[:, 0], s[:, 0]), np.minimum(f[:, 1], s[:, 1]),
                           np.maximum(f[:, 2], s[:, 2]), np.maximum(f[:, 3], s[:, 3])])
    return ViolationBlock.sorted("R.W", "width", ("R",), 1.0, np.round(rng.random(n), 3), f, s,
                                 box)


def test_violation_blocks_read_like_records():
    block = _block(50)
    recs = block.records()
    assert recs == sorted(recs, key=lambda v: v.sort_key())
    marker = Violation("R.W", "width", ("R",), 1.0, 0.5, None, (0.4, 0.4, 0.6, 0.6))
    seq = in_order(block, [marker])
    assert len(seq) == 51
    assert list(seq) == sorted([*recs, marker], key=lambda v: v.sort_key())
    res = DrcResult(violations=seq, rules_run=["R.W", "R.S"])
    assert res.summary() == {"R.W": 51, "R.S": 0}
    assert res.worst("R.W") == min([*recs, marker], key=lambda v: (v.measured_um, v.sort_key()))
    doc = res.to_json(layout="x", cell="TOP", technology="t")
    plain = DrcResult(violations=list(seq), rules_run=["R.W", "R.S"])
    assert doc == plain.to_json(layout="x", cell="TOP", technology="t")
    assert res == plain and not res.clean
    assert isinstance(res.violations, Violations) and res.violations[0] == list(seq)[0]


def test_large_coordinates_give_the_same_result_shifted():
    # near the end of the int32 range the edges are kept as int64: results shift exactly
    u = np.array([[0, 0], [0, 50], [20, 50], [20, 20], [25, 20], [25, 50], [45, 50], [45, 0]])
    shift = np.array([1 << 30, -(1 << 30)])
    near = space_pairs([u, u + [60, 0]], 30)
    far = space_pairs([u + shift, u + [60, 0] + shift], 30)
    assert len(near) == len(far) > 0
    assert np.array_equal(near.first + np.tile(shift, 2), far.first)
    assert np.array_equal(near.distance, far.distance)
    assert merge_layer([u + shift]).edges.dtype == np.int64
    assert merge_layer([u]).edges.dtype == np.int32


def test_reports_list_at_most_a_bound_per_rule_and_count_all():
    """A million violations (a broken die on a wafer) are counted, not all listed."""
    from wlpmask.drc.result import DrcResult, ViolationBlock, Violations

    n = 25
    block = ViolationBlock.sorted("A.S", "space", ("A",), 2.0, np.full(n, 1.0),
                                  np.zeros((n, 4)), np.ones((n, 4)),
                                  np.arange(4 * n, dtype=float).reshape(n, 4))
    found = Violations()
    found.extend(block)
    res = DrcResult(violations=found, rules_run=["A.S", "B.W"])
    js = res.to_json(layout="x.gds", cell="TOP", technology="t", max_per_rule=10)
    assert js["summary"] == {"A.S": 25, "B.W": 0}
    assert len(js["violations"]) == 10 and js["reported"] == {"A.S": 10, "B.W": 0}
    assert js["violations"] == res.to_json(layout="x.gds", cell="TOP", technology="t",
                                           max_per_rule=None)["violations"][:10]
    assert "reported" not in res.to_json(layout="x.gds", cell="TOP", technology="t")


# outlines that touch or cross themselves, as GDS files carry them (all in dbu)
SELF_CASES = [
    ("a keyhole: the cut runs in and out along one line",
     [(0, 0), (0, 100), (100, 100), (100, 0), (60, 0), (60, 40), (40, 40), (40, 60), (60, 60),
      (60, 40), (60, 0)]),
    ("an inner loop wound the same way as its outline", [(0, 0), (0, 10), (10, 10), (10, 0),
                                                         (6, 0), (6, 4), (4, 4), (4, 6), (6, 6),
                                                         (6, 0)]),
    ("a ring wound twice", [(0, 0), (10, 0), (10, 10), (0, 10), (0, 1), (9, 1), (9, 9), (1, 9),
                            (1, 1), (0, 1)]),
    ("a flap folded back over the outline", [(0, 0), (0, 10), (10, 10), (10, 0), (5, 0), (5, 5),
                                             (15, 5), (15, 2), (5, 2), (5, 0)]),
    ("a bow tie", [(0, 0), (10, 10), (10, 0), (0, 10)]),
    ("a loop back across itself", [(0, 0), (0, 10), (10, 10), (10, -5), (5, -5), (5, 5), (2, 5),
                                   (2, 2), (20, 2), (20, 0)]),
]


def _merged_xor_klayout(polys) -> float:
    ours = merge_layer([_poly(*p) for p in polys]).geoms
    return (to_region(list(ours)) ^ _region([_poly(*p) for p in polys])).area()


@pytest.mark.parametrize(("what", "ring"), SELF_CASES, ids=[c[0][:30] for c in SELF_CASES])
def test_self_touching_outlines_fill_as_the_reference(what, ring):
    # alone, and overlapping a box (so it goes through the union of a group)
    assert _merged_xor_klayout([ring]) == 0
    assert _merged_xor_klayout([ring, [(-3, -3), (-3, 3), (3, 3), (3, -3)]]) == 0


def test_random_self_crossing_outlines_fill_as_the_reference():
    rng = np.random.default_rng(3)
    done = 0
    while done < 150:
        pts = rng.integers(0, 400, (int(rng.integers(4, 10)), 2))
        if rng.random() < 0.4:
            pts = pts // 100 * 100  # touching and collinear vertices
        ring = [tuple(map(int, p)) for p in pts]
        ref = _region([_poly(*ring)])
        if ref.is_empty():
            continue
        done += 1
        # crossings off the grid are rounded by both merges; their areas may differ by
        # the rounding along each crossing edge, never by a lobe
        assert _merged_xor_klayout([ring]) <= 2 * len(ring) ** 2 * 400, ring
