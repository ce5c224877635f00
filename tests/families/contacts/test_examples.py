"""The four contacts examples in layouts/: clean in wlpmask and in klayout.db, the manifest
contract, the contact map, the sheet's ends matching the contact areas, the two plates, and a
contact worked by hand."""

from __future__ import annotations

import csv
import io
import json
import math

import klayout.db as kdb
import pytest

from tests.designs import ROOT
from tests.families.contacts.helpers import region
from tests.test_build import klayout_counts
from wlpmask.build import build

NAMES = ("contacts_pins_air", "contacts_pins_glycerol", "contacts_springs_row", "contacts_sheet")
RECORD_KEYS = {"name", "x_um", "y_um", "w_um", "h_um", "element", "azimuth_deg",
               "angle_in_resist_deg", "offset_um", "opening_x_um", "opening_y_um", "dnp_um",
               "length_um", "length_required_um"}
EXPOSURE_KEYS = {"medium", "n_medium", "n_resist", "resist_thickness_um", "gap_um", "tilt_deg",
                 "max_angle_in_resist_deg", "policy", "lean"}
THERMAL_KEYS = {"cte_substrate_ppm_per_k", "cte_carrier_ppm_per_k", "delta_t_k", "bulge_um",
                "gap_um", "margin"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return {n: build(ROOT / "layouts" / f"{n}.toml", tmp_path_factory.mktemp(n)) for n in NAMES}


def manifest(r) -> dict:
    return json.loads((r.out_dir / "manifest.json").read_text())


@pytest.mark.parametrize("name", NAMES)
def test_example_is_clean_in_wlpmask_and_klayout(built, name):
    r = built[name]
    assert r.ok and r.drc_violations == 0
    assert [c.id for c in r.checks if not c.passed] == []
    tech = r.design.tech
    counts = klayout_counts(r.out_dir / f"{name}.gds", tech, skip=r.skipped_rules)
    assert {k: v for k, v in counts.items() if v} == {}
    assert len(counts) == len(tech.rules) - len(r.skipped_rules) > 5


@pytest.mark.parametrize("name", NAMES)
def test_manifest_contract(built, name):
    r = built[name]
    m = manifest(r)
    assert m["family"] == "contacts"
    assert THERMAL_KEYS <= set(m["thermal"])
    assert len(m["neutral_point_um"]) == 2
    assert len(m["contacts"]) == len(r.design.part.pads)
    assert all(RECORD_KEYS <= set(c) for c in m["contacts"])
    for c in m["contacts"]:
        assert c["length_um"] >= c["length_required_um"]
    roles = m["roles"]
    assert "CONTACT" in roles and all(set(v) == {"layer", "gds"} for v in roles.values())
    for s in m["masks"]:
        assert {"step", "role", "layer", "gds", "tone", "purpose"} <= set(s)
        assert s["role"] in roles
    handoff = f"{name}.contacts.csv"
    assert m["handoff"] == [handoff]
    rows = list(csv.DictReader(io.StringIO((r.out_dir / handoff).read_text())))
    assert [row["name"] for row in rows] == [c["name"] for c in m["contacts"]]
    assert list(rows[0]) == ["name", "x_um", "y_um", "element", "azimuth_deg",
                             "angle_in_resist_deg", "opening_x_um", "opening_y_um"]


@pytest.mark.parametrize("name", ["contacts_pins_air", "contacts_pins_glycerol"])
def test_pin_builds(built, name):
    m = manifest(built[name])
    assert {"CONTACT", "MOULD"} <= set(m["roles"])
    e = m["exposure"]
    assert EXPOSURE_KEYS <= set(e) and e["policy"] == "radial" and e["lean"] == "outward"
    # SU-8 is negative: the mould openings are opaque dots on the plate
    assert [s["tone"] for s in m["masks"] if s["role"] == "MOULD"] == ["dark"]
    assert e["max_angle_in_resist_deg"] > [c["angle_in_resist_deg"] for c in m["contacts"]][0]
    cells = [c for c in m["cells"] if c.startswith("pin_")]
    assert len(cells) == 8  # one pin cell per exposure sector, placed by reference


def test_glycerol_leans_beyond_air(built):
    air, gly = (manifest(built[n])["exposure"] for n in ("contacts_pins_air",
                                                          "contacts_pins_glycerol"))
    assert gly["angle_in_resist_deg"] == 45.0 > air["max_angle_in_resist_deg"]
    assert gly["max_angle_in_resist_deg"] > 45.0 and gly["offset_um"] == pytest.approx(100.0)


def test_spring_build(built):
    m = manifest(built["contacts_springs_row"])
    assert {"CONTACT", "SPRING"} <= set(m["roles"]) and "MOULD" not in m["roles"]
    s = m["springs"]
    assert s["rise_angle_deg"] < 90.0
    assert s["lift_um"] >= m["thermal"]["margin"] * m["thermal"]["gap_um"]
    # every spring points along an axis towards the die centre (free end inward)
    for c in m["contacts"]:
        dx, dy = 2500.0 - c["x_um"], 2500.0 - c["y_um"]
        a = math.radians(c["azimuth_deg"])
        assert math.cos(a) * dx + math.sin(a) * dy > 0 and c["azimuth_deg"] % 90 == 0


def test_sheet_ends_match_the_contact_areas(built):
    r = built["contacts_sheet"]
    tech = r.design.tech
    gds = r.out_dir / "contacts_sheet.gds"
    ends = region(gds, tech.layers["SHEET_END"].gds)
    contacts = region(gds, tech.layers["CONTACT"].gds)
    assert ends.count() == contacts.count() == 400
    assert (ends ^ contacts).is_empty()
    assert {"CONTACT", "SHEET_END"} <= set(manifest(r)["roles"])


def test_sheet_plates(built):
    r = built["contacts_sheet"]
    tech, m = r.design.tech, manifest(r)
    plates = m["sheet"]["plates"]
    top_f, bottom_f = r.out_dir / plates["top"]["file"], r.out_dir / plates["bottom"]["file"]
    assert sorted(m["layouts"]) == sorted([plates["top"]["file"], plates["bottom"]["file"]])
    slot, half = tech.layers["SHEET_SLOT"].gds, tech.layers["SHEET_HALF"].gds
    design_slots = region(r.out_dir / "contacts_sheet.gds", slot)
    # the top plate: slots and notches as drawn; the bottom: slots only, mirrored x -> 2xc - x
    assert (region(top_f, slot) ^ design_slots).is_empty()
    assert region(top_f, half).count() == 400
    assert region(bottom_f, half).is_empty()
    xc = plates["bottom"]["mirror_axis_x_um"]
    mirrored = design_slots.transformed(kdb.Trans(kdb.Trans.M90, kdb.Vector(round(2e3 * xc), 0)))
    assert plates["bottom"]["mirrored"] and not plates["top"]["mirrored"]
    assert (region(bottom_f, slot) ^ mirrored).is_empty()
    assert not (region(bottom_f, slot) ^ design_slots).is_empty()  # it is mirrored


def test_a_contact_worked_by_hand(built):
    """C00_00 of contacts_pins_air, by hand (the numbers below are the hand calculation).

    Contact area at (250, 250), 120 x 120 um; neutral point (5000, 5000).
    Radial outward: the free end leans to atan2(-4750, -4750) = 225 deg (a sector of 45 deg
    exposures: 225 is one); the beam runs the other way, 45 deg.
    Air, 45 deg stage tilt, SU-8 n = 1.634: sin(theta_r) = 0.70711 / 1.634 = 0.43275,
    theta_r = 25.642 deg. Offset = 100 um x tan(25.642 deg) = 100 x 0.48002 = 48.002 um.
    Opening = contact - 48.002 x (cos 45, sin 45) = 250 - 33.943 = 216.057 um in x and y.
    Length = 100 / cos(25.642 deg) = 100 / 0.90152 = 110.924 um.
    DNP = 4750 x sqrt(2) = 6717.514 um; shear = 6717.514 x (17.0 - 2.6) e-6 x 165 = 15.961 um;
    required = 1.05 x max(20, 50, 15.961) = 52.5 um.
    """
    c = next(c for c in manifest(built["contacts_pins_air"])["contacts"] if c["name"] == "C00_00")
    assert (c["x_um"], c["y_um"], c["element"]) == (250.0, 250.0, "pin")
    assert c["azimuth_deg"] == 45.0 and c["free_end_azimuth_deg"] == 225.0
    assert c["angle_in_resist_deg"] == pytest.approx(25.642, abs=1e-3)
    assert c["offset_um"] == pytest.approx(48.002, abs=1e-3)
    assert (c["opening_x_um"], c["opening_y_um"]) == pytest.approx((216.057, 216.057), abs=1e-3)
    assert c["length_um"] == pytest.approx(110.924, abs=1e-3)
    assert c["dnp_um"] == pytest.approx(6717.514, abs=1e-3)
    assert c["length_required_um"] == pytest.approx(52.5)


def test_build_is_reproducible(built, tmp_path):
    a = built["contacts_springs_row"]
    b = build(ROOT / "layouts" / "contacts_springs_row.toml", tmp_path / "b")
    rel = [p.relative_to(a.out_dir) for p in a.files]
    assert rel == [p.relative_to(b.out_dir) for p in b.files]
    assert any(r.parts[0] == "masks" for r in rel)  # the plates are compared too
    for r in rel:
        assert (a.out_dir / r).read_bytes() == (b.out_dir / r).read_bytes(), r


@pytest.mark.parametrize("name", NAMES)
def test_every_example_has_its_mask_set(built, name):
    """Grown elements are stepped as the die with the flow's masks; a sheet is etched from a
    foil (its two plates are layouts), so its wafer is the substrate with the contact areas."""
    r = built[name]
    roles = [m["role"] for m in json.loads((r.out_dir / "masks.json").read_text())["masks"]]
    if name == "contacts_sheet":
        assert roles == ["CONTACT"]
        assert (r.out_dir / f"{name}.plate_top.gds").is_file()
    else:
        assert roles == [m["role"] for m in manifest(r)["masks"]] and roles[0] == "CONTACT"
        assert ("SPRING" if "springs" in name else "MOULD") in roles
    assert manifest(r)["wafer_drc"]["violations"] == 0
    for f in ("masks.maly", "report.html", f"{name}.wafermap.xml", f"{name}.contacts.csv"):
        assert (r.out_dir / f).is_file()
