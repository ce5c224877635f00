"""Every process check of the chip-on-chip package fails on a design made to break it."""

from __future__ import annotations

import copy

import pytest

from tests.families.coc.designs import checks_of, generated, tech_copy, three_chip, two_chip
from wlpmask.drc import run_drc
from wlpmask.families.coc import placement, plan
from wlpmask.families.coc.checks import run_checks
from wlpmask.io.gds import flatten_layers

ALL = ["PROC.MIRROR_XOR", "PROC.MIRROR_NETS", "PROC.CHIP_SIZE", "PROC.CHIP_CLEARANCE",
       "PROC.CHIP_ON_HEAT_SINK", "PROC.SECOND_ON_LAND", "PROC.HEAT_SINK_ISOLATION",
       "PROC.LEAD_ISOLATION", "PROC.PHOTO_ETCH_WEB", "PROC.PHOTO_ETCH_SLOT",
       "PROC.SOLDER_ORDER", "PROC.Z_STACK", "PROC.RECESS_DEPTH", "PROC.PLATE_REGISTRATION"]


def failed(got: dict) -> set[str]:
    return {k for k, c in got.items() if not c.passed}


@pytest.mark.parametrize("make", [two_chip, three_chip])
def test_base_designs_pass_every_check_and_the_drc(tmp_path, make):
    design, fam, product, shapes = generated(tmp_path, make())
    got = {c.id: c for c in fam.checks(design.part, product, shapes, design.tech)}
    assert list(got) == ALL
    assert failed(got) == set()
    assert run_drc(shapes, design.tech).violations == []


def test_heat_sinks_moved_together(tmp_path):
    doc = three_chip()
    doc["upper"]["chip3"]["place_um"] = [4200.0, 3000.0]   # heat sinks overlap by 300 um
    got = checks_of(tmp_path, doc)
    c = got["PROC.HEAT_SINK_ISOLATION"]
    assert not c.passed and c.measured == 1.0 and "HS2 and HS3 (0 V and 3.3 V)" in c.detail
    assert failed(got) == {"PROC.HEAT_SINK_ISOLATION"}


def test_heat_sinks_too_close_is_a_drc_violation(tmp_path):
    doc = three_chip()
    doc["upper"]["chip3"]["place_um"] = [4700.0, 3000.0]   # 200 um apart, rule 250
    design, fam, product, shapes = generated(tmp_path, doc)
    got = {c.id: c for c in fam.checks(design.part, product, shapes, design.tech)}
    assert failed(got) == set()          # still apart: isolated, but too close
    assert {v.rule for v in run_drc(shapes, design.tech).violations} == {"HS.S"}


def test_a_tie_bar_joining_two_heat_sinks(tmp_path):
    doc = three_chip()
    doc["heat_sinks"]["HS3"]["ties"] = ["top", "bottom", "HS2"]
    got = checks_of(tmp_path, doc)
    assert failed(got) == {"PROC.HEAT_SINK_ISOLATION"}
    # the same tie is allowed between heat sinks at one voltage
    doc["heat_sinks"]["HS3"]["voltage_v"] = 0.0
    assert failed(checks_of(tmp_path, doc)) == set()


def test_a_heat_sink_reaching_the_leads(tmp_path):
    doc = two_chip()
    doc["heat_sinks"]["HS1"]["margin_um"] = 1200.0   # sink edge 2200 um out, lands from 2125
    got = checks_of(tmp_path, doc)
    c = got["PROC.LEAD_ISOLATION"]
    assert not c.passed and "heat sink and lead" in c.detail
    # one piece: 16 heat-sink-to-lead pairs and 108 lead pairs of different nets (120 pairs
    # less the 6 among the four VDD leads and the 6 among the four VSS leads)
    assert c.measured == 124.0
    assert "PROC.HEAT_SINK_ISOLATION" not in failed(got)


def test_solder_order_swapped(tmp_path):
    doc = two_chip()
    doc["design"]["technology"] = tech_copy(
        tmp_path, ('material = "Au80Sn20"\nheight_before_collapse_um = 90.0\n'
                   'diameter_um = 120.0\npitch_min_um = 250.0\nedge_min_um = 125.0\n'
                   'solidus_c = 280.0\nliquidus_c = 280.0',
                   'material = "SAC305"\nheight_before_collapse_um = 90.0\n'
                   'diameter_um = 120.0\npitch_min_um = 250.0\nedge_min_um = 125.0\n'
                   'solidus_c = 217.0\nliquidus_c = 220.0'),
        ('material = "SAC305"\nheight_before_collapse_um = 140.0\ndiameter_um = 150.0\n'
         'solidus_c = 217.0\nliquidus_c = 220.0',
         'material = "Au80Sn20"\nheight_before_collapse_um = 140.0\ndiameter_um = 150.0\n'
         'solidus_c = 280.0\nliquidus_c = 280.0'))
    got = checks_of(tmp_path, doc)
    c = got["PROC.SOLDER_ORDER"]
    # Au80Sn20 second: 280 + 30 = 310 C against SAC305's solidus 217 C
    assert not c.passed and c.measured == pytest.approx(-93.0)
    assert failed(got) == {"PROC.SOLDER_ORDER"}


@pytest.mark.parametrize("margin, ok", [(20.0, True), (19.9, False)])
def test_solder_margin_at_its_limit(tmp_path, margin, ok):
    doc = two_chip()
    doc["design"]["technology"] = tech_copy(tmp_path, ("solidus_c = 280.0\nliquidus_c = 280.0\n"
                                                       'description = "classic',
                                                       f"solidus_c = {250.0 + margin}\n"
                                                       "liquidus_c = 280.0\n"
                                                       'description = "classic'))
    assert checks_of(tmp_path, doc)["PROC.SOLDER_ORDER"].passed is ok


def test_chip_2_larger_than_chip_1(tmp_path):
    doc = two_chip()
    doc["upper"]["chip2"].update(width_um=5200.0, height_um=2000.0)
    c = checks_of(tmp_path, doc)["PROC.CHIP_SIZE"]
    assert not c.passed and c.measured == pytest.approx(-100.0)


def test_chip_2_too_close_to_the_second_bumps(tmp_path):
    doc = two_chip()
    doc["upper"]["chip2"].update(width_um=4200.0, height_um=4200.0)
    got = checks_of(tmp_path, doc)
    c = got["PROC.CHIP_CLEARANCE"]
    # chip edge 400 um from chip 1's, second bumps 250 um: 150 - 75 um bump radius
    assert not c.passed and c.measured == pytest.approx(75.0)
    assert "PROC.CHIP_SIZE" not in failed(got)


@pytest.mark.parametrize("margin, ok", [(150.0, True), (149.0, False)])
def test_chip_on_its_heat_sink_with_the_adhesive_margin(tmp_path, margin, ok):
    doc = two_chip()
    doc["heat_sinks"]["HS1"]["margin_um"] = margin
    c = checks_of(tmp_path, doc)["PROC.CHIP_ON_HEAT_SINK"]
    assert c.passed is ok and c.measured == pytest.approx(margin)


def test_mismatched_stack_names_the_recess_that_fixes_it(tmp_path):
    doc = two_chip()
    doc["upper"]["chip2"]["thickness_um"] = 130.0
    got = checks_of(tmp_path, doc)
    c = got["PROC.Z_STACK"]
    assert not c.passed and c.measured == pytest.approx(30.0)
    assert "a recess of 105 um balances it, which fits" in c.detail
    doc["upper"]["chip2"]["thickness_um"] = 150.0
    c = checks_of(tmp_path, doc)["PROC.Z_STACK"]
    assert "a recess of 125 um balances it, which does not fit" in c.detail
    assert failed(got) == {"PROC.Z_STACK"}


def test_recess_deeper_than_a_half_etch(tmp_path):
    doc = two_chip()
    doc["upper"]["chip2"]["thickness_um"] = 145.0          # balanced at a 115 um recess
    doc["heat_sinks"]["HS1"]["recess_um"] = 115.0
    got = checks_of(tmp_path, doc)
    assert failed(got) == {"PROC.RECESS_DEPTH"}
    assert got["PROC.RECESS_DEPTH"].measured == pytest.approx(115.0 / 150.0)


def test_plates_that_do_not_cover_their_misregistration(tmp_path):
    doc = two_chip()
    doc["design"]["technology"] = tech_copy(
        tmp_path, ("plate_misregistration_um = 8.0", "plate_misregistration_um = 10.5"))
    got = checks_of(tmp_path, doc)
    assert failed(got) == {"PROC.PLATE_REGISTRATION"}


def test_photo_etch_web_and_slot(tmp_path):
    doc = two_chip()
    doc["frame"]["lead_width_um"] = 110.0                 # web 110 < 0.8 x 150
    got = checks_of(tmp_path, doc)
    assert not got["PROC.PHOTO_ETCH_WEB"].passed
    assert got["PROC.PHOTO_ETCH_WEB"].measured == pytest.approx(110.0)
    doc["frame"]["lead_width_um"] = 340.0                 # slot 160 < 1.1 x 150
    got = checks_of(tmp_path, doc)
    assert not got["PROC.PHOTO_ETCH_SLOT"].passed
    assert got["PROC.PHOTO_ETCH_SLOT"].measured == pytest.approx(160.0)


def _unmirrored(real):
    """fields() as a map copied face up instead of mirrored: the classic mistake."""
    def wrong(part, p1, uppers):
        out = []
        for f in real(part, p1, uppers):
            chip = next(c for c in part.uppers if c.name == f.chip)
            xy = f.on_chip1.xy - chip.place_um
            out.append(placement.Field(f.chip, f.columns, f.rows, f.on_chip1,
                                       placement.BumpSet(f.on_upper.names, f.on_upper.nets, xy)))
        return out
    return wrong


def test_a_bump_map_mirrored_the_wrong_way(tmp_path, monkeypatch):
    doc = two_chip()
    doc["upper"]["chip2"]["place_um"] = [1400.0, 1500.0]   # off-centre: a copy misses
    monkeypatch.setattr(plan, "fields", _unmirrored(placement.fields))
    got = checks_of(tmp_path, doc)
    assert failed(got) == {"PROC.MIRROR_XOR", "PROC.MIRROR_NETS"}
    assert got["PROC.MIRROR_XOR"].measured > 0


def test_a_symmetric_field_copied_face_up_still_fails_on_its_nets(tmp_path, monkeypatch):
    doc = two_chip()                                      # centred: the shapes coincide
    doc["netlist"]["first"]["chip2"] = {"prefix": "N", "count": 36}
    monkeypatch.setattr(plan, "fields", _unmirrored(placement.fields))
    got = checks_of(tmp_path, doc)
    assert got["PROC.MIRROR_XOR"].passed
    assert not got["PROC.MIRROR_NETS"].passed


def test_second_bump_on_the_land_of_another_net(tmp_path):
    design, fam, product, shapes = generated(tmp_path, two_chip())
    frame = next(c for c in product.top.dependencies(True) if c.name.endswith("_frame"))
    labels = {lab.text: lab for lab in frame.labels}
    # swap the texts of leads 1 (VDD) and 2 (S1): each bump now sits on the other's land
    labels["L1"].text, labels["L2"].text = "L2", "L1"
    got = {c.id: c for c in run_checks(design.part, product.top, shapes, design.tech)}
    c = got["PROC.SECOND_ON_LAND"]
    assert not c.passed and c.measured is None and len(c.locations) == 2


def test_second_bump_off_its_land(tmp_path):
    design, fam, product, shapes = generated(tmp_path, two_chip())
    shapes = copy.deepcopy(shapes)
    lands = shapes[design.tech.layers["LAND"].name]
    lands[0] = lands[0] + (40.0, 0.0)                      # one land 40 um aside
    c = {c.id: c for c in run_checks(design.part, product.top, shapes, design.tech)}[
        "PROC.SECOND_ON_LAND"]
    assert not c.passed and c.measured == pytest.approx(10.0) and len(c.locations) == 1


def test_checks_read_the_layout_not_the_plan(tmp_path):
    """Moving chip 2's reference in the drawn assembly breaks the mirror checks."""
    design, fam, product, shapes = generated(tmp_path, two_chip())
    asm = next(c for c in product.top.dependencies(True) if c.name == "ASSEMBLY")
    ref = next(r for r in asm.references if r.cell.name == "t_chip2")
    ref.origin = (ref.origin[0] + 1.0, ref.origin[1])
    shapes = flatten_layers(product.top, design.tech, dbu_um=design.tech.grid_um)
    got = {c.id: c for c in run_checks(design.part, product.top, shapes, design.tech)}
    assert not got["PROC.MIRROR_XOR"].passed and not got["PROC.MIRROR_NETS"].passed
