"""Pad-to-bump assignment: exact minimum cost, crossing-free, power-net pairing."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from shapely.geometry import LineString, Point, box

from wlpmask.routing import Terminal, pair_pads_with_bumps
from wlpmask.routing.assign import assign_free_bumps, linear_assignment


@pytest.mark.parametrize("seed", range(6))
def test_linear_assignment_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 6)), int(rng.integers(5, 8))
    cost = rng.integers(0, 20, size=(n, m)).astype(float)
    col = linear_assignment(cost)
    assert len(set(col.tolist())) == n
    best = min(sum(cost[i, c] for i, c in enumerate(p))
               for p in itertools.permutations(range(m), n))
    assert sum(cost[i, c] for i, c in enumerate(col)) == pytest.approx(best)


def test_linear_assignment_rejects_more_rows_than_columns() -> None:
    with pytest.raises(ValueError):
        linear_assignment(np.zeros((3, 2)))


def _pad(name: str, x: float, y: float, net: str) -> Terminal:
    return Terminal(name, "pad", box(x - 5, y - 5, x + 5, y + 5), net)


def _bump(name: str, x: float, y: float, net: str | None = None) -> Terminal:
    return Terminal(name, "bump", Point(x, y).buffer(10, quad_segs=2), net)


@pytest.mark.parametrize("seed", range(5))
def test_assignment_is_crossing_free(seed: int) -> None:
    rng = np.random.default_rng(seed)
    pads = [_pad(f"p{k}", *rng.uniform(0, 1000, 2), f"n{k}") for k in range(12)]
    bumps = [_bump(f"b{k}", *rng.uniform(0, 1000, 2)) for k in range(15)]
    terms, pairs, unassigned = assign_free_bumps(pads + bumps)
    assert not unassigned and len(pairs) == 12 and len(set(pairs.values())) == 12
    by = {t.name: t for t in terms}
    segs = [LineString([by[p].shape.centroid, by[b].shape.centroid]) for p, b in pairs.items()]
    for a, b in itertools.combinations(segs, 2):
        assert not a.crosses(b)
    for p, b in pairs.items():
        assert by[b].net == by[p].net


def test_pads_of_a_net_with_a_bump_keep_it() -> None:
    terms = [_pad("p", 0, 0, "a"), _bump("b", 100, 0, "a"), _bump("free", 10, 0)]
    out, pairs, unassigned = assign_free_bumps(terms)
    assert pairs == {} and not unassigned
    assert {t.name: t.net for t in out} == {"p": "a", "b": "a", "free": None}


def test_pair_pads_with_bumps_splits_power_nets() -> None:
    terms = [_pad("v1", 0, 0, "VDD"), _pad("v2", 500, 0, "VDD"), _pad("s", 250, 0, "sig"),
             _bump("a", 20, 200, "VDD"), _bump("b", 480, 200, "VDD"), _bump("c", 250, 200, "sig")]
    out = {t.name: t.net for t in pair_pads_with_bumps(terms)}
    assert out["v1"] == out["a"] == "VDD/v1"
    assert out["v2"] == out["b"] == "VDD/v2"
    assert out["s"] == out["c"] == "sig"
