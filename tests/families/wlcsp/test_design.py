"""WLCSP design-file loading: resolution of bump arrays, pad sources, one error per bad input."""

from __future__ import annotations

import copy
import math

import pytest

from tests.designs import PDK, base_design, error, load, load_path, pad, where
from wlpmask import geometry as geo
from wlpmask.errors import WlpmaskError
from wlpmask.families.wlcsp.bumps import row_name
from wlpmask.io.pads import demo_chip
from wlpmask.tech import load_technology

# ------------------------------------------------------------------------------- resolution

def test_auto_array_names_and_positions(tmp_path):
    d = load(tmp_path, base_design())
    b = d.bumps
    # 2000 um die, 30 + 20 + 255 um per side: 1390 um for the centres -> 3 x 3 at 500 um
    assert (b.rows, b.columns) == (3, 3)
    names = [s.name for s in b.sites]
    assert names == ["A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "C3"]
    xy = {s.name: (s.x_um, s.y_um) for s in b.sites}
    assert xy["A1"] == (500.0, 1500.0)  # row A at the top, column 1 at the left
    assert xy["C3"] == (1500.0, 500.0)
    assert d.assignment_mode == "auto"
    assert d.tech_path == str(PDK)
    assert set(d.inputs) == {str(tmp_path / "d.toml"), str(PDK)}


def test_dimensions_follow_the_rules(tmp_path):
    d = load(tmp_path, base_design())
    tech = load_technology(PDK)
    slack = geo.ROUND_SLACK_GRIDS * tech.grid_um
    dims = d.bumps.dims
    assert dims.opening_um == tech.rules["PI2.W"].limit
    assert dims.capture_um == pytest.approx(
        dims.opening_um + 2 * (tech.rules["RDL.EN.PI2"].limit + slack))
    assert dims.ubm_um is None and dims.stencil_um is None
    assert dims.ball_um == tech.stack["BALL"].thickness_um  # default from the stack
    assert d.rdl.width_um == tech.rules["RDL.W"].limit
    assert d.rdl.space_um == tech.rules["RDL.S"].limit


def test_ubm_and_stencil_dimensions(tmp_path):
    doc = base_design()
    doc["ubm"] = {"enabled": True}
    doc["stencil"] = {"enabled": True, "thickness_um": 40.0}
    doc["bumps"]["opening_um"] = 190.0
    d = load(tmp_path, doc)
    tech = load_technology(PDK)
    slack = geo.ROUND_SLACK_GRIDS * tech.grid_um
    dims = d.bumps.dims
    assert dims.ubm_um == pytest.approx(max(
        tech.rules["UBM.W"].limit, 190.0 + 2 * (tech.rules["UBM.EN.PI2"].limit + slack)))
    assert dims.stencil_um == 190.0
    assert d.stencil.thickness_um == 40.0


def test_stagger_depopulate_nets(tmp_path):
    doc = base_design()
    doc["bumps"].update({"stagger": True, "depopulate": ["B2"], "nets": {"A1": "VDD"}})
    d = load(tmp_path, doc)
    xy = {s.name: (s.x_um, s.y_um) for s in d.bumps.sites}
    # staggered rows need half a pitch more: 3 columns span 2 x 500 + 250 <= 1390 um
    assert d.bumps.columns == 3 and "B2" not in xy and len(xy) == 8
    assert xy["A1"][0] == 1000.0 - 625.0
    assert xy["B1"][0] - xy["A1"][0] == pytest.approx(250.0)
    assert {s.name: s.net for s in d.bumps.sites}["A1"] == "VDD"
    assert d.bumps.depopulated == ("B2",)


def test_explicit_bump_map(tmp_path):
    doc = base_design()
    doc["bumps"] = {"map": [{"name": "X", "x_um": 600.0, "y_um": 600.0, "net": "P1"},
                            {"name": "Y", "x_um": 1400.0, "y_um": 1400.0}]}
    d = load(tmp_path, doc)
    assert [(s.name, s.net) for s in d.bumps.sites] == [("X", "P1"), ("Y", None)]
    assert d.bumps.pitch_um is None


def test_given_assignment_sets_bump_nets(tmp_path):
    doc = base_design()
    doc["assignment"] = {"mode": "given", "table": {"P1": "C2", "P2": "B3"}}
    d = load(tmp_path, doc)
    nets = {s.name: s.net for s in d.bumps.sites}
    assert nets["C2"] == "P1" and nets["B3"] == "P2" and nets["A1"] is None
    assert dict(d.assignment) == {"P1": "C2", "P2": "B3"}


def test_paste_type_from_technology(tmp_path):
    doc = base_design()
    doc["fill"] = {"material": "solder_paste", "paste_type": 5}
    d = load(tmp_path, doc)
    tech = load_technology(PDK)
    assert d.fill.largest_particle_um == tech.process["paste_type5_largest_particle_um"]
    assert d.fill.paste_type == 5


def test_row_names():
    assert [row_name(i) for i in (0, 7, 8, 19, 20, 21)] == ["A", "H", "J", "Y", "AA", "AB"]


def test_csv_pads_with_header_and_comments(tmp_path):
    (tmp_path / "p.csv").write_text(
        "# pads\nname,x_um,y_um,w_um,h_um,net\nP1,1000,110,60,60,VDD\n\nP2,1890,1000,60,60\n")
    doc = base_design()
    doc["pads"] = {"source": "csv", "path": "p.csv"}
    d = load(tmp_path, doc)
    assert [(p.name, p.net, p.net_name) for p in d.pads] == [("P1", "VDD", "VDD"),
                                                             ("P2", None, "P2")]
    assert str(tmp_path / "p.csv") in d.inputs


def _chip_doc(**pads_extra) -> dict:
    doc = base_design()
    doc["die"] = {"width_um": 3000.0, "height_um": 3000.0, "dicing_lane_um": 60.0,
                  "seal_ring_um": 20.0, "keepout_um": 155.0}
    doc["bumps"] = {"pitch_um": 400.0}
    doc["pads"] = {"source": "gds", "path": "chip.gds", "cell": "CHIP", "layer": "PAD",
                   "label_layer": [76, 5], **pads_extra}
    return doc


GEN = {"pads_per_side": 5, "pad_um": 70.0, "pitch_um": 300.0, "edge_um": 110.0,
       "metal_layer": [72, 20]}


def test_gds_pads_generated_and_from_file_agree(tmp_path):
    gen_doc = _chip_doc(generate=dict(GEN))
    d1 = load(tmp_path, gen_doc)
    assert set(d1.generated) == {"chip.gds"}
    assert len(d1.pads) == 20
    assert {p.name for p in d1.pads} == {f"IO{k:03d}" for k in range(20)}
    assert all(p.net == p.name and p.w_um == p.h_um == 70.0 for p in d1.pads)
    first = min(d1.pads, key=lambda p: p.name)
    assert (first.x_um, first.y_um) == (900.0, 110.0)  # 1500 - 2 x 300, edge 110
    # the same chip as a file on disk gives the same pads (rotated references flattened)
    (tmp_path / "chip.gds").write_bytes(d1.generated["chip.gds"])
    d2 = load(tmp_path, _chip_doc())
    assert d2.pads == d1.pads and not d2.generated
    assert str(tmp_path / "chip.gds") in d2.inputs


def test_gds_pads_without_labels_are_numbered_around_the_die(tmp_path):
    lib = demo_chip(cell="CHIP", width_um=3000, height_um=3000, pads_per_side=2, pad_um=70,
                    pitch_um=600, edge_um=110, layer=(76, 20), label_layer=(63, 0))
    lib.write_gds(str(tmp_path / "chip.gds"))
    d = load(tmp_path, _chip_doc(label_layer=[1, 1]))
    names = sorted(p.name for p in d.pads)
    assert names == [f"PAD{k:03d}" for k in range(8)]
    first = {p.name: p for p in d.pads}["PAD000"]
    assert first.x_um == 110.0  # the left side comes first


def test_gds_pads_with_offset_and_layer_pair(tmp_path):
    lib = demo_chip(cell="CHIP", width_um=2800, height_um=2800, pads_per_side=2, pad_um=70,
                    pitch_um=600, edge_um=110, layer=(9, 0))
    lib.write_gds(str(tmp_path / "chip.gds"))
    d = load(tmp_path, _chip_doc(layer=[9, 0], label_layer=[9, 0], offset_um=[100.0, 100.0]))
    assert min(p.x_um for p in d.pads) == 210.0


LEF = """VERSION 5.8 ;
UNITS
  DATABASE MICRONS 1000 ;
END UNITS
MACRO IOPAD
  CLASS PAD ;
  ORIGIN 0 0 ;
  SIZE 80 BY 100 ;
  PIN PAD
    DIRECTION INOUT ;
    USE SIGNAL ;
    PORT
      LAYER metal10 ;
        RECT 5 10 75 80 ;
    END
  END PAD
END IOPAD
END LIBRARY
"""

DEF = """VERSION 5.8 ;
DESIGN chip ;
UNITS DISTANCE MICRONS 1000 ;
DIEAREA ( 100000 100000 ) ( 2100000 2100000 ) ;
COMPONENTS 2 ;
  - u_a IOPAD + FIXED ( 900000 160000 ) N ;
  - u_b IOPAD + FIXED ( 1300000 1940000 ) S ;
END COMPONENTS
NETS 2 ;
  - sig_a ( u_a PAD ) ;
  - sig_b ( u_b PAD ) ;
END NETS
END DESIGN
"""


def test_def_lef_pads(tmp_path):
    (tmp_path / "pads.lef").write_text(LEF)
    (tmp_path / "chip.def").write_text(DEF)
    doc = base_design()
    doc["pads"] = {"source": "def", "path": "chip.def", "lef": ["pads.lef"], "layer": "metal10"}
    d = load(tmp_path, doc)
    got = {(p.name, p.net, p.x_um, p.y_um, p.w_um, p.h_um) for p in d.pads}
    # u_a: pin rect 5..75 x 10..80 at (900, 160), DIEAREA corner (100, 100) -> die frame
    # u_b: orientation S turns the 80 x 100 macro by 180 degrees in place
    assert got == {("u_a", "sig_a", 840.0, 105.0, 70.0, 70.0),
                   ("u_b", "sig_b", 1240.0, 1895.0, 70.0, 70.0)}
    assert str(tmp_path / "pads.lef") in d.inputs


# ---------------------------------------------------------------------------------- errors

def test_malformed_toml(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("[design\nname = 1\n")
    with pytest.raises(WlpmaskError) as ei:
        load_path(p)
    assert "malformed TOML" in ei.value.message and ei.value.file == str(p)


@pytest.mark.parametrize("mutate, key, text", [
    (lambda d: d["die"].update(width_um=-5.0), "die.width_um", "expected a size > 0"),
    (lambda d: d["die"].update(seal_ring_um=-1.0), "die.seal_ring_um", "expected a size >= 0"),
    (lambda d: d["die"].update(widht_um=1.0), "die.widht_um", "unknown key"),
    (lambda d: d.update(layers={"PI2": "NOPE"}), "layers.PI2", "unknown layer 'NOPE'"),
    (lambda d: d["pads"]["pads"][0].update(w_um=-1.0), "pads.pads[0].w_um",
     "expected a size > 0"),
    (lambda d: d["pads"]["pads"][1].update(x_um=1030.0, y_um=110.0), "pads.pads[1]",
     "overlaps pad 'P1'"),
    (lambda d: d["pads"]["pads"][0].update(y_um=20.0), "pads.pads[0]", "off the die"),
    (lambda d: d["pads"]["pads"][0].update(w_um=14.0), "pads.pads[0]", "no PI1 opening"),
    (lambda d: d["pads"]["pads"][1].update(name="P1"), "pads.pads[1]", "duplicate pad"),
    (lambda d: d["bumps"].update(rows=5), "bumps.rows", "bump array larger than the die"),
    (lambda d: d["bumps"].update(columns=4), "bumps.columns", "at most 3"),
    (lambda d: d["bumps"].update(pitch_um=240.0), "bumps.pitch_um", "below the rules"),
    (lambda d: d["bumps"].update(opening_um=160.0), "bumps.opening_um", "below the rules"),
    (lambda d: d["bumps"].update(depopulate=["Z9"]), "bumps.depopulate", "no site 'Z9'"),
    (lambda d: d["bumps"].update(nets={"Q1": "X"}), "bumps.nets.Q1", "no populated"),
    (lambda d: d.update(rdl={"width_um": 5.0}), "rdl.width_um", "below the rules"),
    (lambda d: d.update(rdl={"teardrops": "some"}), "rdl.teardrops",
     "expected one of none, capture, all"),
    (lambda d: d.update(preview={"detail_corner": "middle"}), "preview.detail_corner",
     "expected one of"),
    (lambda d: d.update(preview={"detail_um": 0.0}), "preview.detail_um", "expected a number >= 1"),
    (lambda d: d.update(preview={"zoom": 2}), "preview.zoom", "unknown key"),
    (lambda d: d["fill"].update(paste_type=5), "fill", "either"),
    (lambda d: d.update(fill={"material": "solder_paste", "paste_type": 9}),
     "fill.paste_type", "paste type the technology lists (3, 4, 5, 6)"),
    (lambda d: d.update(fill={"material": "conductive_adhesive", "paste_type": 5}),
     "fill.paste_type", "applies to solder paste"),
    (lambda d: d.update(fill={"material": "glue", "largest_particle_um": 5.0}),
     "fill.material", "expected one of"),
    (lambda d: d.update(ball={"diameter_um": 250.0, "coating_um": 125.0}),
     "ball.coating_um", "no core"),
    (lambda d: d.update(stencil={"enabled": True}), "stencil.thickness_um", "missing"),
    (lambda d: d.update(assignment={"mode": "given", "table": {"P1": "A1"}}),
     "assignment.table", "pad 'P2' (net 'P2') has no bump"),
    (lambda d: d.update(assignment={"mode": "given", "table": {"P9": "A1"}}),
     "assignment.table.P9", "no pad"),
    (lambda d: (d["bumps"].update(depopulate=["A1"]),
                d.update(assignment={"table": {"P1": "A1"}})),
     "assignment.table.P1", "depopulated"),
    (lambda d: d["design"].update(technology="nope.toml"), "design.technology", "not found"),
    (lambda d: d["design"].update(family="wafer"), "design.family",
     "unknown family 'wafer'; valid families: "),
    (lambda d: d["design"].update(name="1bad name"), "design.name", "expected a name"),
    # sizes are bounded before any work that scales with them (a hostile user's holes)
    (lambda d: d["die"].update(width_um=1e9), "die.width_um", "<= 300000"),
    (lambda d: d["die"].update(width_um=3e5, height_um=3e5),
     "bumps.pitch_um", "more than the 20,000"),
    (lambda d: d["bumps"].update(opening_um=1e300), "bumps.opening_um", "<= 5000"),
    (lambda d: d.update(stencil={"enabled": True, "thickness_um": 50.0, "aperture_um": 1e6}),
     "stencil.aperture_um", "<= 5000"),
    (lambda d: d.update(stencil={"enabled": True, "thickness_um": 50.0, "aperture_um": 900.0}),
     "bumps.pitch_um", "stencil aperture 900 um (apertures must not touch)"),
])
def test_design_errors_name_file_and_key(tmp_path, mutate, key, text):
    doc = copy.deepcopy(base_design())
    mutate(doc)
    e = error(tmp_path, doc)
    assert where(e) == ("d.toml", key), e.one_line()
    assert text in e.message, e.one_line()
    assert "\n" not in e.one_line()


def test_rdl_and_preview_defaults(tmp_path):
    d = load(tmp_path, base_design())
    assert (d.rdl.teardrops, d.preview.detail_corner, d.preview.detail_um) == (
        "capture", "lower_left", None)
    doc = base_design()
    doc["rdl"] = {"teardrops": "all"}
    doc["preview"] = {"detail_corner": "upper_right", "detail_um": 600.0}
    d = load(tmp_path, doc)
    assert (d.rdl.teardrops, d.preview.detail_corner, d.preview.detail_um) == (
        "all", "upper_right", 600.0)


def test_more_pad_nets_than_free_bumps(tmp_path):
    doc = base_design()
    doc["pads"]["pads"] = [pad(f"P{i}", 300.0 + 140 * i, 110.0) for i in range(10)]
    e = error(tmp_path, doc)
    assert e.key == "bumps" and "10 pad nets need a bump but only 9" in e.message


def test_bump_map_errors(tmp_path):
    doc = base_design()
    doc["bumps"] = {"map": [{"name": "X", "x_um": 600.0, "y_um": 600.0},
                            {"name": "Y", "x_um": 800.0, "y_um": 600.0}]}
    e = error(tmp_path, doc)
    assert e.key == "bumps.map[1]" and "pitch below the rules" in e.message
    doc["bumps"] = {"map": [{"name": "X", "x_um": 100.0, "y_um": 600.0}]}
    e = error(tmp_path, doc)
    assert e.key == "bumps.map[0]" and "off the die" in e.message
    doc["bumps"] = {"map": [{"name": "X", "x_um": 600.0, "y_um": 600.0}], "pitch_um": 400.0}
    assert error(tmp_path, doc).key == "bumps.pitch_um"


@pytest.mark.parametrize("text, key, what", [
    ("P1,1000,110,60\n", "row 1", "expected 5 or 6 fields"),
    ("name,x_um,y_um,w_um,h_um\nP1,1000,110,60,60\nP2,abc,1000,60,60\n", "row 3.x_um",
     "expected a number"),
    ("P1,1000,110,60,-60\n", "row 1.h_um", "expected a size > 0"),
    ("P1,1000,110,,60\n", "row 1", "missing w_um"),
    ("# only a comment\n", None, "no pad rows"),
])
def test_malformed_csv(tmp_path, text, key, what):
    (tmp_path / "p.csv").write_text(text)
    doc = base_design()
    doc["pads"] = {"source": "csv", "path": "p.csv"}
    e = error(tmp_path, doc)
    assert where(e) == ("p.csv", key) and what in e.message, e.one_line()


def test_pad_source_errors(tmp_path):
    doc = base_design()
    doc["pads"] = {"source": "csv", "path": "missing.csv"}
    assert "not found" in error(tmp_path, doc).message
    doc["pads"] = {"source": "gds", "path": "chip.gds", "layer": "NOPE"}
    e = error(tmp_path, doc)
    assert e.key == "pads.layer" and "unknown layer 'NOPE'" in e.message
    doc["pads"] = {"source": "gds", "path": "dir/chip.gds", "cell": "C", "generate": dict(GEN)}
    assert error(tmp_path, doc).key == "pads.path"
    lib = demo_chip(cell="CHIP", width_um=3000, height_um=3000, pads_per_side=2, pad_um=70,
                    pitch_um=600, edge_um=110, layer=(76, 20))
    lib.write_gds(str(tmp_path / "chip.gds"))
    doc = _chip_doc(cell="OTHER")
    e = error(tmp_path, doc)
    assert e.key == "cell OTHER" and "no cell 'OTHER'" in e.message
    doc = _chip_doc(layer=[1, 0])
    assert "no polygons on layer 1/0" in error(tmp_path, doc).message
    doc = base_design()
    doc["pads"] = {"source": "def", "path": "chip.def", "lef": ["x.lef"], "layer": "m"}
    assert error(tmp_path, doc).key == "pads.lef"


def test_no_room_on_the_die(tmp_path):
    doc = base_design()
    doc["die"]["keepout_um"] = 1000.0
    assert error(tmp_path, doc).key == "die"


def test_missing_sections(tmp_path):
    for section in ("die", "pads", "bumps", "fill", "design"):
        doc = base_design()
        del doc[section]
        e = error(tmp_path, doc)
        assert e.key == section and "missing section" in e.message


def test_pitch_floor_is_the_larger_of_pads_and_balls(tmp_path):
    doc = base_design()
    doc["ball"] = {"diameter_um": 480.0}
    e = error(tmp_path, {**doc, "bumps": {"pitch_um": 450.0}})
    assert "ball 480 um" in e.message
    assert math.isclose(load(tmp_path, {**doc, "bumps": {"pitch_um": 481.0}}).bumps.pitch_um,
                        481.0)
