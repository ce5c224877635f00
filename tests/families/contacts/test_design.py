"""Bad contacts designs and technologies: exit 2 with one line naming the file and key (or the
contact), and nothing written; the substrate and resist variants that are not errors."""

from __future__ import annotations

import json

import pytest

from tests.families.contacts.helpers import (
    build_cli,
    pins,
    product,
    region,
    sheet,
    springs,
    tech_variant,
)

CASES = {
    "pin too large for its contact": (
        pins(contacts={"element": "pin", "pin_diameter_um": 61.0}),
        "contact 'C0_0' (120 x 120 um) is too small for a 61 um pin: the pin diameter is at "
        "most 0.5 x the shortest side (60 um)"),
    "lean beyond the medium's maximum": (
        pins(exposure={"medium": "air", "angle_in_resist_deg": 45.0}),
        "exposure.angle_in_resist_deg: 45 deg is beyond the maximum 37.73 deg in the resist "
        "from air (asin(1 / 1.634)); media that reach it: glycerol (64.1 deg), water (55.1 "
        "deg)"),
    "tilt and lean both given": (
        pins(exposure={"medium": "air", "tilt_deg": 30.0, "angle_in_resist_deg": 20.0}),
        "exposure: give either tilt_deg"),
    "unknown medium": (
        pins(exposure={"medium": "oil", "tilt_deg": 30.0}),
        "exposure.medium: expected one of air, glycerol, water, got 'oil'"),
    "array and pads": (
        pins(pads={"source": "inline", "pads": [{"name": "P", "x_um": 500.0, "y_um": 500.0,
                                                 "w_um": 100.0, "h_um": 100.0}]}),
        "array: give the contact areas as either [array] or [pads]"),
    "an element for a contact that is not there": (
        pins(contacts={"element": "pin", "elements": {"X9": "leaf_spring"}}),
        'contacts.elements."X9": no contact area of that name'),
    "springs off the axes": (
        springs(lean={"policy": "fixed", "azimuth_deg": 30.0}),
        "lean.azimuth_deg: leaf springs and sheet springs run along an axis"),
    "neutral point off the substrate": (
        pins(substrate={"neutral_point_um": [5000.0, 100.0]}),
        "substrate.neutral_point_um: (5000, 100) lies off the substrate"),
    "round wafer given as a rectangle": (
        pins(substrate={"kind": "wafer"}, die={"width_um": 4000.0, "height_um": 3000.0}),
        "substrate.kind: a wafer is round"),
    "contact beyond the wafer's edge": (
        pins(substrate={"kind": "wafer"}, array={"rows": 8, "columns": 8, "pitch_um": 500.0,
                                                 "w_um": 120.0, "h_um": 120.0}),
        "contact 'C0_0' reaches 2559.73 um from the wafer centre, beyond the edge exclusion "
        "(1930 um)"),
    "contacts too narrow for sheet springs": (
        sheet(array={"rows": 2, "columns": 2, "pitch_um": 500.0, "w_um": 100.0,
                     "h_um": 120.0}),
        "contact 'C0_0' (100 x 120 um) is too narrow for a sheet spring"),
}


def _run(tmp_path, doc):
    res, out = build_cli(tmp_path, doc)
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert not out.exists()  # nothing written on bad input
    return lines[0]


@pytest.mark.parametrize("case", list(CASES))
def test_bad_design_exit_2_one_line(tmp_path, case):
    doc, text = CASES[case]
    line = _run(tmp_path, doc)
    assert text in line and "d.toml" in line


@pytest.mark.parametrize(("kind", "edits", "text"), [
    ("sheet", [("[stack.SHEET]\nthickness_um = 50.0", "[stack.SHEET]\nthickness_um = 120.0")],
     "stack.SHEET.thickness_um: a spring sheet of 120 um is outside the photo-etch range "
     "30-100 um"),
    ("pins", [("[layers.MOULD]\ngds = [20, 0]\npurpose = \"mask\"\ntone = \"dark\"",
               "[layers.MOULD]\ngds = [20, 0]\npurpose = \"mask\"\ntone = \"clear\"")],
     "layers.MOULD.tone: layer 'MOULD' is tone 'clear', but a negative resist needs 'dark'"),
    ("springs", [("[stack.SPRING]\nthickness_um = 1.0", "[stack.FILM]\nthickness_um = 1.0"),
                 ('min_um = { times = 1.0, thickness = "SPRING" }', "min_um = 1.0")],
     "stack.SPRING: leaf springs need the spring film"),
    ("pins", [("polarity = \"negative\"", "polarity = \"neutral\"")],
     "stack.MOULD.polarity: expected one of negative, positive, got 'neutral'"),
])
def test_bad_technology_exit_2_one_line(tmp_path, kind, edits, text):
    doc = {"sheet": sheet, "springs": springs, "pins": pins}[kind]()
    doc["design"]["technology"] = str(tech_variant(tmp_path, *edits))
    line = _run(tmp_path, doc)
    assert text in line and "tech.toml" in line


def test_positive_resist_needs_clear_openings(tmp_path):
    tech = tech_variant(tmp_path, ("polarity = \"negative\"", "polarity = \"positive\""),
                        ("tone = \"dark\"", "tone = \"clear\""))
    doc = pins()
    doc["design"]["technology"] = str(tech)
    res, out = build_cli(tmp_path, doc)
    assert res.exit_code == 0, res.output
    masks = json.loads((out / "manifest.json").read_text())["masks"]
    assert [m["tone"] for m in masks if m["role"] == "MOULD"] == ["clear"]


def test_a_wafer_is_drawn_round(tmp_path):
    design, prod, checks, m, gds = product(tmp_path, pins(substrate={"kind": "wafer"}))
    assert m["substrate"]["kind"] == "wafer" and all(c.passed for c in checks.values())
    outline = list(region(gds, design.tech.layers["DIE"].gds).each())
    assert len(outline) == 1 and outline[0].num_points() == 360
    assert region(gds, design.tech.layers["SEAL"].gds).is_empty()
