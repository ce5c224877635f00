"""Edge cases of the DRC engine: empty and degenerate input, holes, notches, kissing corners,
repeated shapes, the result records and their JSON form."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest

from wlpmask.drc import (
    DrcResult,
    Violation,
    enclosing_pairs,
    run_drc,
    separation_pairs,
    space_pairs,
    width_pairs,
)
from wlpmask.errors import WlpmaskError
from wlpmask.tech import load_technology

PDK = Path(__file__).resolve().parents[2] / "pdk"


@pytest.fixture(scope="module")
def tech():
    return load_technology(PDK / "wlcsp_generic.toml")


def rect(x0, y0, x1, y1):
    return np.array([[x0, y0], [x0, y1], [x1, y1], [x1, y0]], dtype=np.float64)


def irect(x0, y0, x1, y1):
    return np.array([[x0, y0], [x0, y1], [x1, y1], [x1, y0]], dtype=np.int64)


def test_empty_input_is_clean_with_every_rule_in_the_summary(tech):
    res = run_drc({}, tech)
    assert res.clean
    assert res.rules_run == list(tech.rules)
    assert res.summary() == {r: 0 for r in tech.rules}
    assert res.worst("RDL.W") is None


def test_unknown_rule_names_the_rule_and_lists_the_valid_ones(tech):
    with pytest.raises(WlpmaskError) as exc:
        run_drc({}, tech, rules=["RDL.W", "NOPE.X"])
    msg = str(exc.value)
    assert "NOPE.X" in msg and "RDL.W" in msg and "PI1.S" in msg


def test_unknown_layer_is_refused(tech):
    with pytest.raises(WlpmaskError, match="METAL9"):
        run_drc({"METAL9": [rect(0, 0, 1, 1)]}, tech)


def test_selected_rules_run_in_technology_order(tech):
    res = run_drc({}, tech, rules=["RDL.S", "PI1.W"])
    assert res.rules_run == ["PI1.W", "RDL.S"]


def test_degenerate_polygons_are_dropped(tech):
    shapes = {"RDL": [
        np.array([[0.0, 0.0], [5.0, 5.0]]),  # two points
        np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]]),  # collinear: zero area
        np.array([[3.0, 3.0], [3.0, 3.0], [3.0, 3.0], [3.0, 3.0]]),  # one point repeated
        np.zeros((0, 2)),
    ]}
    assert run_drc(shapes, tech, rules=["RDL.W", "RDL.S"]).clean


def test_repeated_points_and_open_rings_are_accepted(tech):
    # closing point repeated, a vertex doubled: still one 8 um wide line (RDL.W is 10)
    p = np.array([[0, 0], [0, 100], [0, 100], [8, 100], [8, 0], [0, 0]], dtype=np.float64)
    res = run_drc({"RDL": [p]}, tech, rules=["RDL.W"])
    assert res.summary() == {"RDL.W": 1}
    assert res.violations[0].measured_um == pytest.approx(8.0)


def test_hole_smaller_than_space_gives_two_pairs():
    # a 100 x 100 frame of 40-wide bars around a 20 x 20 hole; space 25: the two pairs of
    # opposite hole edges (adjacent hole edges meet at 90 degrees and are not checked)
    bars = [irect(0, 0, 100, 40), irect(0, 60, 100, 100), irect(0, 40, 40, 60),
            irect(60, 40, 100, 60)]
    ep = space_pairs(bars, 25)
    assert len(ep) == 2
    assert np.allclose(ep.distance, 20.0)
    assert len(width_pairs(bars, 25)) == 0


def test_notch_is_a_space_violation():
    # U shape: slot 5 wide, 30 deep; the slot walls face each other
    u = np.array([[0, 0], [0, 50], [20, 50], [20, 20], [25, 20], [25, 50], [45, 50], [45, 0]])
    ep = space_pairs([u], 10)
    assert len(ep) == 1
    assert ep.distance[0] == pytest.approx(5.0)
    assert len(width_pairs([u], 10)) == 0


def test_kissing_corners_are_zero_distance_violations():
    a, b = irect(0, 0, 10, 10), irect(10, 10, 20, 20)
    ep = space_pairs([a, b], 5)
    assert len(ep) == 2
    assert np.all(ep.distance == 0.0)
    # on two layers, a kissing corner is a separation violation too
    assert len(separation_pairs([a], [b], 5)) >= 1


def test_overlapping_shapes_are_merged_before_checking():
    # two 6-wide bars overlapping by half: one 9-wide shape, no width violation below 9
    ep = width_pairs([irect(0, 0, 6, 100), irect(3, 0, 9, 100)], 8)
    assert len(ep) == 0
    assert len(width_pairs([irect(0, 0, 6, 100), irect(3, 0, 9, 100)], 10)) == 1


def test_convex_corners_pass_acute_corners_fail():
    # an octagon's 135-degree corners are not width violations; a 45-degree spike is
    c = 30
    octagon = np.array([[c, 0], [0, c], [0, 100 - c], [c, 100], [100 - c, 100], [100, 100 - c],
                        [100, c], [100 - c, 0]])
    assert len(width_pairs([octagon], 20)) == 0
    spike = np.array([[0, 0], [100, 100], [100, 0]])
    assert len(width_pairs([spike], 20)) >= 1


def test_enclosure_reports_inner_shapes_sticking_out(tech):
    shapes = {"PAD": [rect(0, 0, 100, 100)],
              "PI1": [rect(10, 10, 60, 60),      # enclosed by 10 >= 7.5: fine
                      rect(90, 40, 120, 80),     # sticks out
                      rect(300, 300, 350, 350)]}  # outside every pad
    res = run_drc(shapes, tech, rules=["PAD.EN.PI1"])
    markers = [v for v in res.violations if v.edge_pair is None]
    pairs = [v for v in res.violations if v.edge_pair is not None]
    assert len(markers) == 2
    assert {m.bbox for m in markers} == {(100.0, 40.0, 120.0, 80.0), (300.0, 300.0, 350.0, 350.0)}
    assert all(m.measured_um < 0 for m in markers)
    # the crossing edges meet the pad edge at 90 degrees and the inner edge left inside is
    # 10 from it: no edge pair, only the marker
    assert not pairs
    assert len(enclosing_pairs([irect(0, 0, 100, 100)], [irect(10, 10, 60, 60)], 10)) == 0
    assert len(enclosing_pairs([irect(0, 0, 100, 100)], [irect(10, 10, 60, 60)], 11)) == 2


def test_marker_values_say_how_far_a_shape_lies_outside(tech, tmp_path):
    # enclosure: minus the largest distance of a vertex outside from the nearest outer shape
    shapes = {"PAD": [rect(0, 0, 100, 100), rect(500, 0, 600, 100)],
              "PI1": [rect(10, 40, 120, 60),      # sticks out of the first pad by 20
                      rect(300, 40, 320, 60),     # between the pads: x = 300 is 200 from both
                      rect(580, 40, 610, 60)]}    # 10 beyond the second pad
    res = run_drc(shapes, tech, rules=["PAD.EN.PI1"])
    got = sorted((v.bbox[0], v.measured_um) for v in res.violations if v.edge_pair is None)
    assert got == [(100.0, pytest.approx(-20.0)), (300.0, pytest.approx(-200.0)),
                   (600.0, pytest.approx(-10.0))]
    # no outer shape at all: minus the diagonal of the part's box
    lonely = run_drc({"PI1": [rect(0, 0, 30, 40)]}, tech, rules=["PAD.EN.PI1"])
    assert [v.measured_um for v in lonely.violations] == [pytest.approx(-50.0)]
    # inside: the margin the worst vertex keeps from the outer boundary (negative outside)
    toml = tmp_path / "t.toml"
    toml.write_text('[technology]\nname = "t"\ngrid_um = 0.001\n'
                    '[layers.A]\ngds = [1, 0]\n[layers.B]\ngds = [2, 0]\n'
                    '[rules."B.IN"]\nkind = "inside"\nouter = "A"\ninner = "B"\nmin_um = 5.0\n')
    t = load_technology(toml)
    res = run_drc({"A": [rect(0, 0, 100, 100)],
                   "B": [rect(-4, 20, 50, 30), rect(20, 98, 40, 99), rect(60, 60, 70, 70)]}, t)
    got = sorted((v.bbox[1], v.measured_um) for v in res.violations)
    assert got == [(20.0, pytest.approx(-4.0)), (98.0, pytest.approx(1.0))]


def test_inside_and_min_area_are_polygon_markers(tech):
    shapes = {"DIE": [rect(0, 0, 1000, 1000)],
              "RDL": [rect(10, 10, 100, 30), rect(990, 500, 1020, 520)],
              "PI1": [rect(0, 0, 20, 20)]}
    res = run_drc(shapes, tech, rules=["RDL.IN", "PI1.A"])
    assert res.summary() == {"PI1.A": 1, "RDL.IN": 1}
    (inside,) = [v for v in res.violations if v.rule == "RDL.IN"]
    assert inside.edge_pair is None and inside.bbox == (1000.0, 500.0, 1020.0, 520.0)
    (area,) = [v for v in res.violations if v.rule == "PI1.A"]
    assert area.measured_um == pytest.approx(400.0) and area.edge_pair is None


def test_repeated_shapes_report_every_copy_at_its_place():
    # identical U shapes (one notch each) on a pitch, and one mirrored copy
    u = np.array([[0, 0], [0, 50], [20, 50], [20, 20], [25, 20], [25, 50], [45, 50], [45, 0]])
    polys = [u + np.array([200 * k, 0]) for k in range(5)] + [u * np.array([-1, 1]) - [500, 0]]
    ep = space_pairs(polys, 10)
    assert len(ep) == 6
    xs = sorted(int(min(ep.first[k, 0], ep.second[k, 0])) for k in range(len(ep)))
    assert xs == [-525, 20, 220, 420, 620, 820]


def test_repeated_pairs_report_every_copy():
    # pads with openings at the same offset, one opening shifted towards the pad edge
    pads = [irect(400 * k, 0, 400 * k + 200, 200) for k in range(4)]
    holes = [irect(400 * k + 50, 50, 400 * k + 150, 150) for k in range(4)]
    holes[2] = holes[2] + np.array([45, 0])  # 5 from the pad's right edge
    ep = enclosing_pairs(pads, holes, 20)
    assert len(ep) == 1
    assert ep.distance[0] == pytest.approx(5.0)
    # at 60 every side of every opening fails (50) except the shifted one's left side (95)
    assert len(enclosing_pairs(pads, holes, 60)) == 4 * 4 - 1


def test_results_are_deterministic_and_independent_of_input_order(tech):
    polys = [rect(25 * k, 0, 25 * k + 9, 50) for k in range(6)] + [rect(0, 80, 200, 95)]
    a = run_drc({"RDL": polys}, tech)
    shuffled = polys[:]
    random.Random(1).shuffle(shuffled)
    b = run_drc({"RDL": shuffled}, tech)
    assert a.violations == b.violations
    assert a.summary()["RDL.W"] == 6


def test_violation_record_and_json_format(tech):
    res = run_drc({"RDL": [rect(0, 0, 8, 100)], "PI1": [rect(0, 0, 20, 20)]}, tech,
                  rules=["RDL.W", "PI1.A"])
    assert isinstance(res, DrcResult)
    v = res.worst("RDL.W")
    assert isinstance(v, Violation)
    assert v.edge_pair is not None and v.bbox == (0.0, 0.0, 8.0, 100.0)
    doc = res.to_json(layout="x.gds", cell="TOP", technology="wlcsp_generic")
    assert list(doc) == ["tool", "version", "layout", "cell", "technology", "summary",
                         "violations"]
    assert doc["tool"] == "wlpmask" and doc["summary"] == {"PI1.A": 1, "RDL.W": 1}
    for entry in doc["violations"]:
        assert list(entry) == ["rule", "kind", "layers", "required_um", "measured_um",
                               "edge_pair", "bbox"]
        assert entry["edge_pair"] is None or (len(entry["edge_pair"]) == 2
                                              and all(len(e) == 4 for e in entry["edge_pair"]))
        assert len(entry["bbox"]) == 4
    area = [e for e in doc["violations"] if e["rule"] == "PI1.A"][0]
    assert area["edge_pair"] is None and area["layers"] == ["PI1"]


def test_inside_with_a_margin(tmp_path):
    toml = tmp_path / "t.toml"
    toml.write_text('[technology]\nname = "t"\ngrid_um = 0.001\n'
                    '[layers.A]\ngds = [1, 0]\n[layers.B]\ngds = [2, 0]\n'
                    '[rules."B.IN"]\nkind = "inside"\nouter = "A"\ninner = "B"\nmin_um = 5.0\n')
    tech = load_technology(toml)
    outer = rect(0, 0, 100, 100)
    ok = run_drc({"A": [outer], "B": [rect(6, 6, 50, 50)]}, tech)
    assert ok.clean
    bad = run_drc({"A": [outer], "B": [rect(3, 20, 50, 50)]}, tech)
    (v,) = bad.violations
    assert v.edge_pair is None
    assert v.bbox[0] == pytest.approx(3.0) and v.bbox[2] == pytest.approx(5.0, abs=0.01)
    assert v.measured_um == pytest.approx(3.0, abs=0.01)


def _tech_with(tmp_path, rule_lines: str):
    toml = tmp_path / "t.toml"
    toml.write_text('[technology]\nname = "t"\ngrid_um = 0.001\n'
                    '[layers.A]\ngds = [1, 0]\n' + rule_lines)
    return load_technology(toml)


def test_metric_parameter_is_honoured_or_refused(tmp_path):
    c = round(5 * np.tan(np.pi / 8), 3)
    octagon = np.array([[-c, -5], [-5, -c], [-5, c], [-c, 5], [c, 5], [5, c], [5, -c], [c, -5]])
    # a regular octagon 10 across its flats: a euclidian width check also measures from a
    # corner to the next-but-one edge (7.65) and flags it; the projection metric does not
    euclid = _tech_with(tmp_path, '[rules."A.W"]\nkind = "width"\nlayer = "A"\nmin_um = 9.5\n')
    assert not run_drc({"A": [octagon]}, euclid).clean
    proj = _tech_with(tmp_path, '[rules."A.W"]\nkind = "width"\nlayer = "A"\nmin_um = 9.5\n'
                                'metric = "projection"\n')
    assert run_drc({"A": [octagon]}, proj).clean
    # a technology file cannot say this (load refuses it); a rule built in code is refused too
    rule = replace(proj.rules["A.W"], params=MappingProxyType({"metric": "manhattan"}))
    bad = replace(proj, rules=MappingProxyType({"A.W": rule}))
    with pytest.raises(WlpmaskError, match="manhattan"):
        run_drc({"A": [octagon]}, bad)
