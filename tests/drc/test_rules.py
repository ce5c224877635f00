"""Rule coverage: every rule of every shipped technology passes just above and fails just below
its limit (two grid units either side), with geometry built here per rule kind."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from wlpmask.drc import KIND_CHECKS, run_drc
from wlpmask.tech import RULE_KINDS, Rule, Technology, load_technology

PDK = Path(__file__).resolve().parents[2] / "pdk"
TECHS = sorted(PDK.glob("*.toml"))


def _rect(x0: int, y0: int, x1: int, y1: int, g: float) -> np.ndarray:
    """A rectangle given in grid units, returned in um."""
    return np.array([[x0, y0], [x0, y1], [x1, y1], [x1, y0]], dtype=np.float64) * g


def _units(tech: Technology, value_um: float) -> int:
    return int(round(value_um / tech.grid_um))


def _width(rule: Rule, tech: Technology, delta: int):
    g = tech.grid_um
    w = _units(tech, rule.limit) + delta
    length = 3 * max(w, 10)
    return {rule.layers[0]: [_rect(0, 0, w, length, g)]}


def _space(rule: Rule, tech: Technology, delta: int):
    g = tech.grid_um
    s = _units(tech, rule.limit) + delta
    w = 2 * max(s, 10)
    return {rule.layers[0]: [_rect(0, 0, w, 3 * w, g), _rect(w + s, 0, 2 * w + s, 3 * w, g)]}


def _separation(rule: Rule, tech: Technology, delta: int):
    g = tech.grid_um
    s = _units(tech, rule.limit) + delta
    w = 2 * max(s, 10)
    a, b = rule.layers
    return {a: [_rect(0, 0, w, 3 * w, g)], b: [_rect(w + s, 0, 2 * w + s, 3 * w, g)]}


def _enclosure(rule: Rule, tech: Technology, delta: int):
    g = tech.grid_um
    m = _units(tech, rule.limit) + delta  # margin of outer around inner on every side
    w = 2 * max(abs(m), 10)
    outer, inner = rule.layers
    return {outer: [_rect(0, 0, w + 2 * m, w + 2 * m, g)], inner: [_rect(m, m, m + w, m + w, g)]}


def _min_area(rule: Rule, tech: Technology, delta: int):
    g = tech.grid_um
    side = math.sqrt(rule.limit) / g
    s = math.ceil(side) if delta > 0 else math.floor(side)
    if delta < 0 and (s * g) ** 2 >= rule.limit:
        s -= 1
    s += delta // 2  # one more grid unit away from the limit
    return {rule.layers[0]: [_rect(0, 0, s, s, g)]}


def _inside(rule: Rule, tech: Technology, delta: int):
    g = tech.grid_um
    m = _units(tech, rule.limit) + delta
    w = 2 * max(abs(m), 10)
    outer, inner = rule.layers
    return {outer: [_rect(0, 0, w + 2 * m, w + 2 * m, g)], inner: [_rect(m, m, m + w, m + w, g)]}


def _corner_radius(rule: Rule, tech: Technology, delta: int):
    """A shape whose corners of the rule's kind have a radius 3 % above (delta > 0) or below
    the limit: closer than that is the tolerance of the radius kinds (drc/radius.py)."""
    import shapely

    from wlpmask import geometry as geo

    r = rule.limit * (1.03 if delta > 0 else 0.97)
    side = 6 * rule.limit
    if rule.kind in ("outer_radius", "convex_corner_radius"):  # a square, corners rounded
        pts = geo.rounded_rect(width_um=side, height_um=side, radius_um=r,
                               grid_um=tech.grid_um, segments_per_corner=16)
    else:  # an L whose concave corner is filleted (closing by a disc of r)
        ell = shapely.Polygon([(0, 0), (2 * side, 0), (2 * side, side), (side, side),
                               (side, 2 * side), (0, 2 * side)])
        filleted = ell.buffer(r, quad_segs=16, join_style="mitre").buffer(
            -r, quad_segs=16, join_style="round")
        pts = geo.snap(np.array(filleted.exterior.coords[:-1]), tech.grid_um)
    return {rule.layers[0]: [pts]}


CASES = {
    "width": _width,
    "space": _space,
    "separation": _separation,
    "enclosure": _enclosure,
    "min_area": _min_area,
    "inside": _inside,
    "outer_radius": _corner_radius,
    "inner_radius": _corner_radius,
    "convex_corner_radius": _corner_radius,
    "concave_corner_radius": _corner_radius,
}


def test_every_rule_kind_has_a_check_and_a_case_generator():
    assert set(RULE_KINDS) == set(KIND_CHECKS)
    assert set(RULE_KINDS) == set(CASES)


RULES = [(t, rid) for t in TECHS for rid in load_technology(t).rules]


def test_technologies_found():
    assert TECHS and RULES


@pytest.mark.parametrize(("tech_path", "rule_id"), RULES,
                         ids=[f"{t.stem}:{r}" for t, r in RULES])
def test_rule_pass_and_fail_either_side_of_limit(tech_path, rule_id):
    tech = load_technology(tech_path)
    rule = tech.rules[rule_id]
    assert rule.kind in CASES, f"no case generator for rule kind {rule.kind!r}"
    make = CASES[rule.kind]
    passing = run_drc(make(rule, tech, +2), tech, rules=[rule_id])
    assert passing.clean, passing.violations
    assert passing.summary() == {rule_id: 0}
    failing = run_drc(make(rule, tech, -2), tech, rules=[rule_id])
    assert failing.summary()[rule_id] >= 1
    worst = failing.worst(rule_id)
    assert worst.rule == rule_id and worst.kind == rule.kind
    assert worst.layers == rule.layers and worst.required_um == rule.limit
    assert worst.measured_um < rule.limit
