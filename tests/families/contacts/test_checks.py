"""Each process check of the contacts family fails on a design made to break it (exit 1, the
failing contacts named), and passes on its unbroken twin."""

from __future__ import annotations

import json
import math

import pytest

from tests.families.contacts.helpers import build_cli, pins, product, sheet, springs, tech_variant


def checks(out, name="t") -> dict:
    """The process checks of a build's report, by id."""
    report = json.loads((out / f"{name}.drc.json").read_text())
    return {c["id"]: c for c in report["process_checks"]}


def drawn(tmp_path, doc, name="d.toml") -> dict:
    """The process checks of a design drawn in the library (no build outputs), by id."""
    return product(tmp_path, doc, name)[2]


def test_pins_too_short_name_the_least_resist_thickness(tmp_path):
    ok, out_ok = build_cli(tmp_path, pins(), "ok.toml")
    assert ok.exit_code == 0, ok.output
    assert checks(out_ok, "t")["PROC.ELEMENT_LENGTH"]["passed"]
    # 40 um of resist at 25.64 deg: 40 / cos = 44.4 um < 1.05 x 50 um gap = 52.5 um
    doc = pins(exposure={"medium": "air", "tilt_deg": 45.0, "resist_thickness_um": 40.0})
    res, out = build_cli(tmp_path, doc, "bad.toml")
    assert res.exit_code == 1 and "PROC.ELEMENT_LENGTH" in res.output
    c = checks(out)["PROC.ELEMENT_LENGTH"]
    assert not c["passed"] and c["measured"] == pytest.approx(40 / math.cos(math.radians(25.6419)),
                                                             abs=1e-3)
    assert c["required"] == pytest.approx(52.5) and len(c["locations"]) == 36
    # the least thickness that passes: 52.5 x cos(25.64 deg) = 47.33 um
    assert "C0_0" in c["detail"] and "47.3 um" in c["detail"]


def test_thermal_shear_decides_far_from_the_neutral_point(tmp_path):
    # a carrier of 300 ppm/K: at the corner (DNP 1767.8 um) the shear is 1767.8 x 297.4e-6 x
    # 165 = 86.75 um > the 50 um gap, so 1.05 x 86.75 = 91.09 um is needed; 80 um of resist
    # gives 80 / cos(25.64 deg) = 88.74 um. Next to the neutral point (DNP 353.6 um, 17.35 um
    # of shear) 52.5 um is enough.
    tech = tech_variant(tmp_path, ('material = "FR-4"\ncte_ppm_per_k = 17.0',
                                   'material = "FR-4"\ncte_ppm_per_k = 300.0'))
    doc = pins(exposure={"medium": "air", "tilt_deg": 45.0, "resist_thickness_um": 80.0})
    doc["design"]["technology"] = str(tech)
    c = drawn(tmp_path, doc)["PROC.ELEMENT_LENGTH"]
    assert not c.passed
    failing = set(c.locations)
    assert (690.0, 690.0, 810.0, 810.0) in failing              # the corner contact C0_0
    assert (1690.0, 1690.0, 1810.0, 1810.0) not in failing      # next to the neutral point
    assert c.required == pytest.approx(1.05 * 1767.767 * 297.4e-6 * 165, abs=1e-2)
    # the least thickness that passes: 91.09 x cos(25.64 deg) = 82.12 um
    assert "82.1 um" in c.detail


def test_columns_that_cross_in_the_resist(tmp_path):
    # inward lean near the neutral point: 300 um of resist at 45 deg moves each top 300 um
    # towards the centre, so the columns of a 3 x 3 array at 250 um meet inside the resist
    arr = {"rows": 3, "columns": 3, "pitch_um": 250.0, "w_um": 120.0, "h_um": 120.0}
    lean = {"policy": "radial", "free_end": "inward", "sectors": 8}
    assert drawn(tmp_path, pins(array=arr, lean=lean), "ok.toml")["PROC.COLUMN_SPACE"].passed
    doc = pins(array=arr, lean=lean, exposure={"medium": "glycerol", "angle_in_resist_deg": 45.0,
                                               "resist_thickness_um": 300.0})
    c = drawn(tmp_path, doc, "bad.toml")["PROC.COLUMN_SPACE"]
    assert not c.passed and c.measured < 0 and "C0_0" in c.detail


def test_spring_rise_and_lift(tmp_path):
    ok = drawn(tmp_path, springs(), "ok.toml")
    assert ok["PROC.SPRING_RISE"].passed and ok["PROC.SPRING_LIFT"].passed
    # R = 300 GPa x 1 um / (0.7 x 2000 MPa) = 214.3 um; 400 um curl 107 deg: beyond 90
    c = drawn(tmp_path, springs(spring={"free_length_um": 400.0}), "long.toml")
    assert not c["PROC.SPRING_RISE"].passed
    assert c["PROC.SPRING_RISE"].measured == pytest.approx(math.degrees(400 / 214.2857),
                                                           abs=1e-3)
    # 40 um lifts the tip 214.3 (1 - cos 0.1867) = 3.72 um < 52.5, and is shorter than the
    # length rule's 52.5 um
    c = drawn(tmp_path, springs(spring={"free_length_um": 40.0}), "short.toml")
    assert not c["PROC.SPRING_LIFT"].passed
    assert c["PROC.SPRING_LIFT"].measured == pytest.approx(
        214.2857 * (1 - math.cos(40 / 214.2857)), abs=1e-3)
    assert c["PROC.SPRING_RISE"].passed and not c["PROC.ELEMENT_LENGTH"].passed


def test_sheet_springs_too_short(tmp_path):
    assert drawn(tmp_path, sheet(), "ok.toml")["PROC.ELEMENT_LENGTH"].passed
    c = drawn(tmp_path, sheet(sheet={"spring_length_um": 30.0}), "bad.toml")
    assert not c["PROC.ELEMENT_LENGTH"].passed
    assert "least length that passes: 52.5 um" in c["PROC.ELEMENT_LENGTH"].detail
