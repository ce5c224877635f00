"""Process checks on assembled layouts: each one passes at its limit and fails just beyond."""

from __future__ import annotations

import pytest

from tests.designs import PDK, assemble, base_design, load
from wlpmask.checks import as_violations
from wlpmask.families.wlcsp.checks import run_process_checks
from wlpmask.io.gds import flatten_layers


def checks_of(tmp_path, doc):
    d = load(tmp_path, doc)
    shapes = flatten_layers(assemble(d), d.tech)
    return {c.id: c for c in run_process_checks(shapes, part=d.part, tech=d.tech)}, d


def tech_copy(tmp_path, old: str, new: str) -> str:
    text = PDK.read_text()
    assert old in text
    (tmp_path / "t.toml").write_text(text.replace(old, new))
    return "t.toml"


def test_all_pass_on_the_base_design(tmp_path):
    doc = base_design()
    doc["stencil"] = {"enabled": True, "thickness_um": 50.0}
    got, _ = checks_of(tmp_path, doc)
    assert list(got) == ["PROC.PI2_PI1_THICKNESS", "PROC.FILL_PARTICLE", "PROC.FILL_DEPTH",
                         "PROC.STENCIL_AREA_RATIO", "PROC.STENCIL_ASPECT_RATIO",
                         "PROC.BALL_ON_OPENING", "PROC.BUMP_KEEPOUT"]
    assert all(c.passed for c in got.values()), [c for c in got.values() if not c.passed]
    assert got["PROC.PI2_PI1_THICKNESS"].measured == 5.0  # 25 / 5 um from the stack
    assert got["PROC.FILL_PARTICLE"].measured == pytest.approx(170 / 20)
    assert got["PROC.STENCIL_AREA_RATIO"].measured == pytest.approx(170 / 200)
    assert got["PROC.BALL_ON_OPENING"].measured == pytest.approx((250 - 170) / 2, abs=0.003)
    assert got["PROC.BUMP_KEEPOUT"].measured == pytest.approx(500 - 50)


def test_stencil_checks_only_with_a_stencil(tmp_path):
    got, _ = checks_of(tmp_path, base_design())
    assert "PROC.STENCIL_AREA_RATIO" not in got


def test_thickness_ratio_from_the_stack(tmp_path):
    doc = base_design()
    doc["design"]["technology"] = tech_copy(
        tmp_path, "[stack.PI2]\nthickness_um = 25.0", "[stack.PI2]\nthickness_um = 19.9")
    got, _ = checks_of(tmp_path, doc)
    c = got["PROC.PI2_PI1_THICKNESS"]
    assert not c.passed and c.measured == pytest.approx(3.98) and c.required == 4.0
    assert c.locations == ()  # a property of the stack, not of a place


def test_fill_depth_limit(tmp_path):
    doc = base_design()
    doc["design"]["technology"] = tech_copy(
        tmp_path, "[stack.PI2]\nthickness_um = 25.0", "[stack.PI2]\nthickness_um = 86.0")
    got, _ = checks_of(tmp_path, doc)
    assert not got["PROC.FILL_DEPTH"].passed  # 86 / 170 > 0.5
    assert len(got["PROC.FILL_DEPTH"].locations) == 9
    assert got["PROC.PI2_PI1_THICKNESS"].passed


@pytest.mark.parametrize("particle, ok", [(34.0, True), (34.1, False)])
def test_five_particle_rule_at_the_limit(tmp_path, particle, ok):
    doc = base_design()
    doc["fill"]["largest_particle_um"] = particle
    got, _ = checks_of(tmp_path, doc)
    c = got["PROC.FILL_PARTICLE"]
    assert c.passed is ok and len(c.locations) == (0 if ok else 9)


@pytest.mark.parametrize("t, area_ok, aspect_ok", [
    (64.39, True, True),     # 170 / (4 t) = 0.66
    (64.5, False, True),
    (113.4, False, False),   # 170 / t < 1.5
])
def test_stencil_limits(tmp_path, t, area_ok, aspect_ok):
    doc = base_design()
    doc["stencil"] = {"enabled": True, "thickness_um": t}
    got, _ = checks_of(tmp_path, doc)
    assert got["PROC.STENCIL_AREA_RATIO"].passed is area_ok
    assert got["PROC.STENCIL_ASPECT_RATIO"].passed is aspect_ok


@pytest.mark.parametrize("ball, ok", [(190.0, True), (189.9, False)])
def test_ball_sits_on_the_opening(tmp_path, ball, ok):
    doc = base_design()
    doc["ball"] = {"diameter_um": ball}
    got, _ = checks_of(tmp_path, doc)
    assert got["PROC.BALL_ON_OPENING"].passed is ok


def test_bump_keepout_from_the_technology_minimum(tmp_path):
    doc = base_design()
    doc["die"]["keepout_um"] = 0.0
    doc["bumps"] = {"map": [{"name": "E", "x_um": 200.0, "y_um": 1000.0},
                            {"name": "M", "x_um": 1000.0, "y_um": 1000.0}]}
    got, d = checks_of(tmp_path, doc)
    c = got["PROC.BUMP_KEEPOUT"]
    # seal ring inner edge at 50 um; the technology asks 155 um to the bump centre
    assert not c.passed and c.measured == pytest.approx(150.0) and c.required == 155.0
    assert c.source == "process.bump_center_to_seal_min_um"
    assert len(c.locations) == 1 and c.locations[0][0] < 200 < c.locations[0][2]
    v = as_violations(list(got.values()), die_box=(0, 0, 2000, 2000))
    assert [x.rule for x in v] == ["PROC.BUMP_KEEPOUT"]
    assert v[0].kind == "process" and v[0].required_um == 155.0 and v[0].edge_pair is None


def test_stack_check_violation_marks_the_die(tmp_path):
    doc = base_design()
    doc["design"]["technology"] = tech_copy(
        tmp_path, "[stack.PI2]\nthickness_um = 25.0", "[stack.PI2]\nthickness_um = 10.0")
    got, _ = checks_of(tmp_path, doc)
    v = as_violations(list(got.values()), die_box=(0, 0, 2000, 2000))
    assert [(x.rule, x.bbox) for x in v] == [("PROC.PI2_PI1_THICKNESS", (0, 0, 2000, 2000))]
