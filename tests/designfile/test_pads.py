"""Pad sources from real chip files: DEF pin and component patterns, pads too small for a PI1
opening, DEF name escapes (DEF, CSV, GDS labels), a CSV byte-order mark, gdstk's own messages."""

from __future__ import annotations

import json

import gdstk
import pytest
from click.testing import CliRunner

import wlpmask.io.gds as gds_mod
from tests.designs import base_design, error, load, where, write_design
from wlpmask.cli import main
from wlpmask.errors import WlpmaskError
from wlpmask.io.pads import pads_from_gds

# IOPAD: a 70 x 70 um signal pin PAD and a 4 x 2 um power pin VDD on metal10; CORNER: VDD only.
LEF = """VERSION 5.8 ;
MACRO IOPAD
  CLASS PAD ;
  ORIGIN 0 0 ;
  SIZE 80 BY 100 ;
  PIN PAD
    PORT
      LAYER metal10 ;
        RECT 5 10 75 80 ;
    END
  END PAD
  PIN VDD
    USE POWER ;
    PORT
      LAYER metal10 ;
        RECT 10 90 14 92 ;
    END
  END VDD
END IOPAD
MACRO CORNER
  CLASS PAD ;
  SIZE 100 BY 100 ;
  PIN VDD
    PORT
      LAYER metal10 ;
        RECT 10 10 14 12 ;
    END
  END VDD
END CORNER
END LIBRARY
"""

# Names written the way DEF escapes them: u\[1\] is the component u[1], sig\/b the net sig/b.
DEF = r"""VERSION 5.8 ;
DESIGN chip ;
UNITS DISTANCE MICRONS 1000 ;
DIEAREA ( 100000 100000 ) ( 2100000 2100000 ) ;
COMPONENTS 3 ;
  - u_a IOPAD + FIXED ( 900000 160000 ) N ;
  - u\[1\] IOPAD + FIXED ( 1300000 1940000 ) S ;
  - corner CORNER + FIXED ( 1800000 160000 ) N ;
END COMPONENTS
SPECIALNETS 1 ;
  - VDD ( * VDD ) + USE POWER ;
END SPECIALNETS
NETS 2 ;
  - sig_a ( u_a PAD ) ;
  - sig\/b ( u\[1\] PAD ) ;
END NETS
END DESIGN
"""

SMALL = "4 x 2 um leaves no PI1 opening"


def _def_doc(tmp_path, **keys) -> dict:
    (tmp_path / "pads.lef").write_text(LEF)
    (tmp_path / "chip.def").write_text(DEF)
    doc = base_design()
    doc["pads"] = {"source": "def", "path": "chip.def", "lef": ["pads.lef"],
                   "layer": "metal10", **keys}
    return doc


def test_pins_pattern_takes_the_signal_pads_named_by_component(tmp_path):
    d = load(tmp_path, _def_doc(tmp_path, pins=["PAD"]))
    assert {(p.name, p.net, p.x_um, p.y_um) for p in d.pads} == {
        ("u_a", "sig_a", 840.0, 105.0), ("u[1]", "sig/b", 1240.0, 1895.0)}
    assert d.pads_skipped == ()


def test_components_pattern_and_glob(tmp_path):
    d = load(tmp_path, _def_doc(tmp_path, pins=["P?D"], components=["u_*"]))
    assert [p.name for p in d.pads] == ["u_a"]
    # a pattern equal to a name matches it even when it holds glob brackets
    d = load(tmp_path, _def_doc(tmp_path, pins=["PAD"], components=["u[1]"]))
    assert [p.name for p in d.pads] == ["u[1]"]


def test_too_small_is_an_error_by_default(tmp_path):
    e = error(tmp_path, _def_doc(tmp_path))
    assert where(e) == ("chip.def", "component corner") and SMALL in e.message, e.one_line()
    assert 'too_small = "skip"' in e.message and 'pins' in e.message


def test_too_small_skip_leaves_the_pads_out_and_says_why(tmp_path):
    d = load(tmp_path, _def_doc(tmp_path, too_small="skip"))
    assert sorted(p.name for p in d.pads) == ["u[1]/PAD", "u_a/PAD"]
    assert [n for n, _ in d.pads_skipped] == ["corner", "u[1]/VDD", "u_a/VDD"]
    assert all(SMALL in why for _, why in d.pads_skipped)


def test_build_prints_and_lists_the_skipped_pads(tmp_path):
    path = write_design(tmp_path, _def_doc(tmp_path, too_small="skip"))
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["build", str(path), "-o", str(out)])
    assert r.exit_code == 0, r.output
    warnings = [s for s in r.stderr.splitlines() if s.startswith("warning:")]
    assert len(warnings) == 3 and "'corner'" in warnings[0] and SMALL in warnings[0]
    skipped = json.loads((out / "manifest.json").read_text())["pads_skipped"]
    assert [s["name"] for s in skipped] == ["corner", "u[1]/VDD", "u_a/VDD"]
    assert all(SMALL in s["reason"] for s in skipped)


@pytest.mark.parametrize("keys, key, what", [
    ({"pins": "PAD"}, "pads.pins", "expected a non-empty list of glob patterns"),
    ({"pins": []}, "pads.pins", "expected a non-empty list of glob patterns"),
    ({"pins": ["PAD", 3]}, "pads.pins", "expected a non-empty list of glob patterns"),
    ({"components": [""]}, "pads.components", "expected a non-empty list of glob patterns"),
    ({"too_small": "ignore"}, "pads.too_small", "expected one of error, skip"),
    ({"too_small": True}, "pads.too_small", "expected a string"),
    ({"pins": ["PADS"]}, "pads.pins", "'PADS' matches no pin on layer 'metal10'"),
    ({"components": ["v*"]}, "pads.components", "'v*' matches no component"),
])
def test_bad_values_of_the_def_keys(tmp_path, keys, key, what):
    e = error(tmp_path, _def_doc(tmp_path, **keys))
    assert where(e) == ("d.toml", key) and what in e.message, e.one_line()


def test_csv_names_lose_def_escapes(tmp_path):
    (tmp_path / "p.csv").write_text("name,x_um,y_um,w_um,h_um,net\n"
                                    "pad\\[0\\],1000,110,60,60,io\\[0\\]\n"
                                    "a\\/b,1890,1000,60,60\n")
    doc = base_design()
    doc["pads"] = {"source": "csv", "path": "p.csv"}
    d = load(tmp_path, doc)
    assert sorted((p.name, p.net) for p in d.pads) == [("a/b", None), ("pad[0]", "io[0]")]


@pytest.mark.parametrize("header", ["name,x_um,y_um,w_um,h_um\n", ""])
def test_csv_with_a_byte_order_mark(tmp_path, header):
    text = header + "P1,1000,110,60,60\nP2,1890,1000,60,60\n"
    (tmp_path / "p.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    doc = base_design()
    doc["pads"] = {"source": "csv", "path": "p.csv"}
    assert sorted(p.name for p in load(tmp_path, doc).pads) == ["P1", "P2"]


def _chip(path, labels: dict[str, tuple[float, float]]) -> None:
    lib = gdstk.Library(unit=1e-6, precision=1e-9)
    cell = lib.new_cell("CHIP")
    for text, (x, y) in labels.items():
        cell.add(gdstk.rectangle((x - 30, y - 30), (x + 30, y + 30), layer=76, datatype=20))
        cell.add(gdstk.Label(text, (x, y), layer=76, texttype=20))
    lib.write_gds(str(path))


def test_gds_labels_lose_def_escapes(tmp_path):
    _chip(tmp_path / "chip.gds", {"io\\[3\\]": (100.0, 100.0), "n\\/1": (300.0, 100.0)})
    pads = pads_from_gds(tmp_path / "chip.gds", layer=(76, 20))
    assert [(p.name, p.net) for p in pads] == [("io[3]", "io[3]"), ("n/1", "n/1")]


def test_a_broken_gds_gives_one_line_and_no_gdstk_messages(tmp_path, capfd):
    _chip(tmp_path / "chip.gds", {"P1": (100.0, 100.0)})
    cut = tmp_path / "cut.gds"
    cut.write_bytes((tmp_path / "chip.gds").read_bytes()[:120])
    capfd.readouterr()
    with pytest.raises(WlpmaskError) as ei:
        pads_from_gds(cut, layer=(76, 20))
    assert ei.value.file == str(cut)
    err = capfd.readouterr().err
    assert "GDSTK" not in err and err == "", err


def test_generated_chip_goes_through_the_project_writer(tmp_path, monkeypatch):
    written = []
    real = gds_mod._write_library
    monkeypatch.setattr(gds_mod, "_write_library",
                        lambda lib, tmp: (written.append(lib.name), real(lib, tmp)))
    doc = base_design()
    doc["die"] = {"width_um": 3000.0, "height_um": 3000.0, "dicing_lane_um": 60.0,
                  "seal_ring_um": 20.0, "keepout_um": 155.0}
    doc["bumps"] = {"pitch_um": 400.0}
    doc["pads"] = {"source": "gds", "path": "chip.gds", "generate": {
        "pads_per_side": 2, "pad_um": 70.0, "pitch_um": 300.0, "edge_um": 110.0}}
    d = load(tmp_path, doc)
    assert written == ["DEMO_CHIP"] and len(d.pads) == 8
