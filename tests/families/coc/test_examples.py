"""The chip-on-chip examples: clean in wlpmask and in klayout.db, the manifest contract, the
etch plates (the bottom one mirrored, the top one wider by the technology's difference) and the
lead table."""

from __future__ import annotations

import csv
import io
import json

import klayout.db as kdb
import pytest

from tests.designs import ROOT, write_design
from tests.families.coc.designs import assert_plates_cover, two_chip
from tests.test_build import klayout_counts
from wlpmask.build import build

EXAMPLES = sorted(p for p in (ROOT / "layouts").glob("*.toml")
                  if 'family = "coc"' in p.read_text(encoding="utf-8"))
# the examples whose plates are a strip's (the site stepped between side rails)
STRIPS = {p.stem for p in EXAMPLES if "[frame.strip]" in p.read_text(encoding="utf-8")}
ROLES = {"BUMP1", "BUMP2", "BUMPC", "CHIP", "HEATSINK", "LEAD", "LAND", "PORE", "FRAME",
         "PACKAGE"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return {f.stem: build(f, tmp_path_factory.mktemp(f.stem)) for f in EXAMPLES}


def _layout(path) -> kdb.Layout:
    ly = kdb.Layout()
    ly.read(str(path))
    return ly


def _region(ly: kdb.Layout, gds) -> kdb.Region:
    """A layer of the layout's top cell, flattened (the layout must outlive the region)."""
    return kdb.Region(ly.top_cell().begin_shapes_rec(ly.layer(*gds)))


def test_the_examples_are_there():
    assert {f.stem for f in EXAMPLES} == {"coc_2chip", "coc_3chip", "coc_micro"}


@pytest.mark.parametrize("name", [f.stem for f in EXAMPLES])
def test_example_is_clean_in_wlpmask_and_in_klayout(built, name):
    r = built[name]
    assert r.ok and r.drc_violations == 0 and r.skipped_rules == {}
    assert all(c.passed for c in r.checks) and len(r.checks) == 14 + 2 * (name in STRIPS)
    tech = r.design.tech
    counts = klayout_counts(r.out_dir / f"{name}.gds", tech)
    assert {k: v for k, v in counts.items() if v} == {} and len(counts) == len(tech.rules)


@pytest.mark.parametrize("name", [f.stem for f in EXAMPLES])
def test_manifest_contract(built, name):
    m = built[name].manifest
    assert m["family"] == "coc" and m["top_cell"] == name and "ASSEMBLY" in m["cells"]
    assert ROLES <= set(m["roles"])
    assert all(set(v) == {"layer", "gds"} for v in m["roles"].values())
    chips = m["chips"]
    assert chips[0]["name"] == "chip1" and chips[0]["placement"]["mirror_x"] is True
    for c in chips:
        assert set(c) == {"name", "cell", "size_um", "thickness_um", "placement", "bumps"}
        assert set(c["placement"]) == {"origin_um", "rotation_deg", "mirror_x"}
        assert all(set(b) == {"name", "net", "kind", "x_um", "y_um"} for b in c["bumps"])
        w, h = c["size_um"]
        assert all(0 < b["x_um"] < w and 0 < b["y_um"] < h for b in c["bumps"])
    kinds = [b["kind"] for b in chips[0]["bumps"]]
    assert kinds.count("second") == len(m["leads"]) == m["frame"]["leads"]
    assert kinds.count("first") == sum(len(c["bumps"]) for c in chips[1:])
    assert all({"name", "chip", "voltage_v"} <= set(h) for h in m["heat_sinks"])
    assert all({"name", "net"} <= set(ld) for ld in m["leads"])
    s = m["solders"]
    assert set(s) == {"first", "second", "superheat_k", "margin_k"}
    assert set(s["first"]) == set(s["second"]) == {"name", "solidus_c", "liquidus_c"}
    assert set(m["z_stack"]) == {"first_bump_um", "chip_um", "adhesive_um", "second_bump_um",
                                 "recess_um", "mismatch_um"}
    assert all({"name", "net", "pores", "capacitance_nf", "target_nf",
                "density_nf_per_mm2"} <= set(c) for c in m["capacitors"])
    assert sorted(m["layouts"]) == [f"{name}.plate_bottom.gds", f"{name}.plate_top.gds"] + (
        [f"{name}.strip.gds"] if name in STRIPS else [])
    assert (m["strip"] is not None) == (name in STRIPS)
    assert m["handoff"] == [f"{name}.leads.csv"]


def test_two_chip_capacitor_sized_by_hand(built):
    """CAP_A: 10 nF of 1.5 um pores 60 um deep in 15 nm of eps_r 7 (1.175584 pF each, worked
    in tests/physics/test_pores.py): 10,000 / 1.175584 = 8506.4 -> 8,507 pores, 10.0007 nF over
    400 x 150 um (0.06 mm2): 166.68 nF/mm2."""
    caps = {c["name"]: c for c in built["coc_2chip"].manifest["capacitors"]}
    a = caps["CAP_A"]
    assert a["pores"] == 8507 and a["target_nf"] == 10.0
    assert a["pore_pf"] == pytest.approx(1.175584, abs=1e-6)
    assert a["capacitance_nf"] == pytest.approx(10.0007, abs=1e-4)
    assert a["density_nf_per_mm2"] == pytest.approx(166.68, abs=0.01)
    assert a["net"] == ["VDD", "VSS"]
    r = built["coc_2chip"]
    assert r.manifest["polygons"]["PORE"] == 8507 + caps["CAP_B"]["pores"]


def test_three_chip_heat_sinks_at_two_voltages(built):
    m = built["coc_3chip"].manifest
    assert {(h["name"], h["chip"], h["voltage_v"]) for h in m["heat_sinks"]} == {
        ("HS2", "chip2", 0.0), ("HS3", "chip3", 3.3)}
    assert [z["chip"] for z in m["z_stacks"]] == ["chip2", "chip3"]


def test_micro_bumps_at_40_um(built):
    m = built["coc_micro"].manifest
    xs = sorted({b["x_um"] for b in m["chips"][1]["bumps"]})
    assert len(m["chips"][1]["bumps"]) == 2304
    assert {round(b - a, 6) for a, b in zip(xs, xs[1:])} == {40.0}
    assert m["chips"][0]["placement"]["rotation_deg"] == 180   # flipped about y


def test_an_example_has_a_strip():
    assert STRIPS == {"coc_2chip"}


@pytest.mark.parametrize("name", sorted(STRIPS))
def test_strip_plates(built, name):
    """A strip's plates against the strip's metal, read back from the written files."""
    r = built[name]
    tech, out, m = r.design.tech, r.out_dir, built[name].manifest
    strip = _layout(out / m["strip"]["file"])
    metal = _region(strip, tech.layers["FRAME"].gds).merged()
    assert metal.count() == 1
    top_ly = _layout(out / f"{name}.plate_top.gds")
    (arr,) = list(top_ly.top_cell().each_inst())
    assert (arr.na, arr.nb) == (m["strip"]["columns"], m["strip"]["rows"]) or \
        (arr.nb, arr.na) == (m["strip"]["columns"], m["strip"]["rows"])
    bottom_ly = _layout(out / f"{name}.plate_bottom.gds")
    assert_plates_cover(metal, _region(top_ly, tech.layers["PLATE_TOP"].gds).merged(),
                        _region(bottom_ly, tech.layers["PLATE_BOT"].gds).merged(),
                        width_dbu=round(m["strip"]["size_um"][0] / strip.dbu),
                        grow_dbu=round(tech.process["plate_width_difference_um"] / 2 /
                                       strip.dbu))


# one site's plates against the site's frame (a strip's: test_strip_plates)
@pytest.mark.parametrize("name", [f.stem for f in EXAMPLES if f.stem not in STRIPS])
def test_plates(built, name):
    r = built[name]
    tech, out = r.design.tech, r.out_dir
    main, plate_top = _layout(out / f"{name}.gds"), _layout(out / f"{name}.plate_top.gds")
    frame, half_top, half_bot = (_region(main, tech.layers[n].gds)
                                 for n in ("FRAME", "HALF_TOP", "HALF_BOT"))
    assert not frame.is_empty() and not half_top.is_empty() and not half_bot.is_empty()
    # the top plate: the metal not half-etched from the top, every edge 10 um further out
    top = _region(plate_top, tech.layers["PLATE_TOP"].gds)
    keep = frame - half_top
    grow = round(tech.process["plate_width_difference_um"] / 2 / main.dbu)
    assert grow == 10000 and not top.is_empty() and (keep - top).is_empty()
    # (1 dbu: the grown 45-degree corners are snapped to the grid)
    assert top.enclosing_check(keep, grow - 1).count() == 0
    assert top.enclosing_check(keep, grow + 1).count() > 0
    # mitred growth (KLayout's size mode 3) by 10 um, to the grid
    assert (top - keep.sized(grow + 1, 3)).is_empty()
    assert (keep.sized(grow - 1, 3) - top).is_empty()
    # the bottom plate: the metal not half-etched from below, mirrored x -> site width - x
    ly = _layout(out / f"{name}.plate_bottom.gds")
    insts = list(ly.top_cell().each_inst())
    width = round(r.design.part.design.frame.width_um / ly.dbu)
    assert len(insts) == 1 and insts[0].trans == kdb.Trans(kdb.Trans.M90, width, 0)
    bottom = _region(ly, tech.layers["PLATE_BOT"].gds)
    mirrored = (frame - half_bot).transformed(kdb.Trans(kdb.Trans.M90, width, 0))
    # equal up to slivers under a grid unit wide: where the rounded corners' arcs are cut into
    # hole-free GDS polygons, the cut points round to the grid on each layer on its own
    assert not bottom.is_empty() and (bottom ^ mirrored).sized(-1).is_empty()
    if name == "coc_3chip":   # an asymmetric frame: the mirror image differs
        assert not (bottom ^ (frame - half_bot)).is_empty()
    assert r.manifest["etch_plates"][1]["mirrored"] is True


@pytest.mark.parametrize("name", [f.stem for f in EXAMPLES])
def test_lead_table(built, name):
    r = built[name]
    rows = list(csv.DictReader(io.StringIO((r.out_dir / f"{name}.leads.csv").read_text())))
    assert [(row["lead"], row["net"], row["chip1_bump"]) for row in rows] == [
        (ld["name"][1:], ld["net"], ld["bump"]) for ld in r.manifest["leads"]]
    nets = {b["name"]: b["net"] for b in r.manifest["chips"][0]["bumps"]}
    assert all(nets[row["chip1_bump"]] == row["net"] for row in rows)


def test_reproducible(tmp_path):
    path = write_design(tmp_path, two_chip())
    a, b = build(path, tmp_path / "a"), build(path, tmp_path / "b")
    for f in ("t.gds", "t.plate_top.gds", "t.plate_bottom.gds", "t.leads.csv"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    assert a.manifest["outputs"] == b.manifest["outputs"]


@pytest.mark.parametrize("name", [f.stem for f in EXAMPLES])
def test_the_wafer_steps_chip_1_with_its_masks(built, name):
    """Chip 1 is stepped (its own wafer): plates PORE, BUMP1, BUMP2; the rules that tie its
    bumps to the lead frame do not apply there and are skipped, and the wafer is clean."""
    r = built[name]
    deck = json.loads((r.out_dir / "masks.json").read_text())
    assert [m["role"] for m in deck["masks"]] == ["PORE", "BUMP1", "BUMP2"]
    m = json.loads((r.out_dir / "manifest.json").read_text())
    assert m["wafer"]["step_um"] == [r.design.part.design.chip1.width_um,
                                     r.design.part.design.chip1.height_um]
    skipped = m["wafer_drc"]["rules_skipped"]
    assert "LAND.EN.BUMP2" in skipped and "not on this wafer" in skipped["LAND.EN.BUMP2"]
    assert m["wafer_drc"]["violations"] == 0
    ly = _layout(r.out_dir / f"{name}.wafer.gds")
    names = {c.name for c in ly.each_cell()}
    assert f"{name}_chip1" in names or any(n.endswith("_chip1") for n in names)
    assert not any("plate" in n.lower() for n in names)  # the frame is not on the wafer


@pytest.mark.parametrize("name", [f.stem for f in EXAMPLES])
def test_report_links_the_plates_and_the_strip(built, name):
    r = built[name]
    text = (r.out_dir / "report.html").read_text(encoding="utf-8")
    for f in r.manifest["layouts"]:
        assert f'href="{f}"' in text and (r.out_dir / f).is_file(), f
    if name in STRIPS:
        assert f'src="{name}.strip.png"' in text
