"""The independent exposure check: each column traced from its mould opening in the written GDS
through the resist, by Snell's law worked out here (not with the generator's helpers), lands
on its contact area inside the enclosure rule, for several tilts, media, thicknesses, gaps and
lean directions, and for the radial lean on both sides of the neutral point."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from tests.families.contacts.helpers import pins, product, region, technology

TECH = technology()

CASES = {
    "air 45 deg tilt, fixed 30 deg": dict(
        exposure={"medium": "air", "tilt_deg": 45.0}, lean={"policy": "fixed",
                                                              "azimuth_deg": 30.0}),
    "water 30 deg tilt, thin resist, 20 um gap, fixed 200 deg": dict(
        exposure={"medium": "water", "tilt_deg": 30.0, "resist_thickness_um": 60.0,
                  "gap_um": 20.0}, lean={"policy": "fixed", "azimuth_deg": 200.0}),
    "glycerol 45 deg in the resist, radial outward, 8 sectors": dict(
        exposure={"medium": "glycerol", "angle_in_resist_deg": 45.0},
        lean={"policy": "radial", "free_end": "outward", "sectors": 8}),
    "air 20 deg, thick resist, 10 um gap, radial inward, 16 sectors, off-centre": dict(
        exposure={"medium": "air", "tilt_deg": 20.0, "resist_thickness_um": 150.0,
                  "gap_um": 10.0}, lean={"policy": "radial", "free_end": "inward",
                                         "sectors": 16},
        substrate={"neutral_point_um": [1600.0, 2100.0]}),
    "water 40 deg in the resist, radial outward, 6 sectors from 15 deg": dict(
        exposure={"medium": "water", "angle_in_resist_deg": 40.0},
        lean={"policy": "radial", "free_end": "outward", "sectors": 6, "azimuth_deg": 15.0}),
}


def contacts_of(doc: dict) -> list[tuple[float, float, float, float]]:
    """The array's contact areas (centre x, y, w, h), from the design as written."""
    a, die = doc["array"], doc["die"]
    x0 = die["width_um"] / 2 - (a["columns"] - 1) * a["pitch_um"] / 2
    y0 = die["height_um"] / 2 - (a["rows"] - 1) * a["pitch_um"] / 2
    return [(x0 + j * a["pitch_um"], y0 + i * a["pitch_um"], a["w_um"], a["h_um"])
            for i in range(a["rows"]) for j in range(a["columns"])]


def expected_free_end(doc: dict, x: float, y: float) -> float:
    """Where a free end leans (deg): fixed, or radial snapped to the exposure sectors."""
    lean = doc["lean"]
    start = lean.get("azimuth_deg", 0.0)
    if lean["policy"] == "fixed":
        return start
    nx, ny = doc.get("substrate", {}).get("neutral_point_um", [doc["die"]["width_um"] / 2,
                                                               doc["die"]["height_um"] / 2])
    phi = math.degrees(math.atan2(y - ny, x - nx))
    if lean["free_end"] == "inward":
        phi += 180.0
    step = 360.0 / lean["sectors"]
    # a direction half-way between two sectors takes the counter-clockwise one
    return start + math.floor(((phi - start) % 360.0) / step + 0.5) % lean["sectors"] * step


def column_offset(exposure: dict) -> float:
    """Snell: n_m sin(a_m) = n_r sin(a_r); foot = opening + (t tan a_r + g tan a_m) along
    the beam."""
    n_r = TECH["stack"]["MOULD"]["refractive_index"]
    n_m = TECH["process"][f"medium_{exposure['medium']}_index"]
    t = exposure.get("resist_thickness_um", TECH["stack"]["MOULD"]["thickness_um"])
    g = exposure.get("gap_um", TECH["process"]["exposure_gap_um"])
    if "tilt_deg" in exposure:
        a_m = math.radians(exposure["tilt_deg"])
        a_r = math.asin(n_m * math.sin(a_m) / n_r)
    else:
        a_r = math.radians(exposure["angle_in_resist_deg"])
        a_m = math.asin(n_r * math.sin(a_r) / n_m)
    return t * math.tan(a_r) + g * math.tan(a_m)


def mould_openings(gds) -> list[shapely.Polygon]:
    lay = TECH["layers"]["MOULD"]["gds"]
    return [shapely.Polygon([(p.x / 1000, p.y / 1000) for p in poly.each_point_hull()])
            for poly in region(gds, tuple(lay)).each()]


@pytest.mark.parametrize("case", list(CASES))
def test_every_column_lands_on_its_contact(tmp_path, case):
    doc = pins(**CASES[case])
    _, _, checks, m, gds = product(tmp_path, doc)
    assert all(c.passed for c in checks.values())
    openings = mould_openings(gds)
    contacts = contacts_of(doc)
    assert len(openings) == len(contacts)
    rule = TECH["rules"]["CONTACT.EN.FOOT"]["min_um"]
    d = column_offset(doc["exposure"])
    tree = shapely.STRtree(openings)
    used = set()
    nx, ny = doc.get("substrate", {}).get("neutral_point_um", [2000.0, 2000.0])
    sides = set()
    for x, y, w, h in contacts:
        free = math.radians(expected_free_end(doc, x, y))
        beam = (-math.cos(free), -math.sin(free))
        # the opening of this contact's column lies against the beam from the contact
        k = int(tree.query_nearest(shapely.Point(x - d * beam[0], y - d * beam[1]))[0])
        assert k not in used
        used.add(k)
        foot = shapely.affinity.translate(openings[k], d * beam[0], d * beam[1])
        inside = shapely.box(x - w / 2 + rule, y - h / 2 + rule, x + w / 2 - rule,
                             y + h / 2 - rule)
        # the traced foot lies on the contact area, inside the enclosure rule (1 nm of grid)
        assert foot.buffer(-0.002).within(inside), (case, x, y)
        if doc["lean"]["policy"] == "radial":
            top = openings[k].centroid
            r_top, r_foot = math.hypot(top.x - nx, top.y - ny), math.hypot(x - nx, y - ny)
            outward = doc["lean"]["free_end"] == "outward"
            assert (r_top > r_foot) == outward, (case, x, y)
            sides.add((np.sign(x - nx), np.sign(y - ny)))
    if doc["lean"]["policy"] == "radial":  # contacts on every side of the neutral point
        assert {(-1, -1), (1, 1), (-1, 1), (1, -1)} <= sides
    assert m["exposure"]["offset_um"] == pytest.approx(d, abs=1e-3)
