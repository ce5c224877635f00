"""DEF/LEF import: macros, placement in all eight orientations, pins, nets, routed wires, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from shapely.geometry import box

from wlpmask.errors import WlpmaskError
from wlpmask.io.def_lef import layer_terminals, read_def, read_lef, wire_length_um

LEF = """\
VERSION 5.8 ;
# a comment
UNITS
  DATABASE MICRONS 1000 ;
END UNITS
MANUFACTURINGGRID 0.005 ;
LAYER rdl
  TYPE ROUTING ;
  WIDTH 4 ;
END rdl
VIA v1 DEFAULT
  LAYER rdl ;
    RECT -1 -1 1 1 ;
END v1
SITE io
  SIZE 1 BY 1 ;
END io
MACRO PADX
  CLASS PAD ;
  ORIGIN 0 0 ;
  SIZE 10 BY 20 ;
  SYMMETRY X Y ;
  PIN PAD
    DIRECTION INOUT ;
    USE SIGNAL ;
    PORT
      CLASS BUMP ;
      LAYER rdl ;
        RECT 1 2 3 4 ;
    END
  END PAD
  PIN VDD
    USE POWER ;
    PORT
      LAYER m4 ;
        RECT 0 0 1 1 ;
    END
  END VDD
  OBS
    LAYER rdl ;
      RECT 5 5 6 6 ;
  END
END PADX
MACRO BUMPO
  CLASS COVER BUMP ;
  ORIGIN 5 5 ;
  SIZE 10 BY 10 ;
  PIN PAD
    PORT
      LAYER rdl ;
        POLYGON 2 -5 -2 -5 -5 -2 -5 2 -2 5 2 5 5 2 5 -2 ;
    END
  END PAD
END BUMPO
END LIBRARY
"""

ORIENT_EXPECT = {  # pin RECT 1 2 3 4 of a 10 x 20 macro placed at (100, 200)
    "N": (101, 202, 103, 204), "S": (107, 216, 109, 218), "W": (116, 201, 118, 203),
    "E": (102, 207, 104, 209), "FN": (107, 202, 109, 204), "FS": (101, 216, 103, 218),
    "FW": (102, 201, 104, 203), "FE": (116, 207, 118, 209),
}


def _def(components: str, extra: str = "") -> str:
    return f"""\
VERSION 5.8 ;
DIVIDERCHAR "/" ;
BUSBITCHARS "[]" ;
DESIGN t ;
UNITS DISTANCE MICRONS 1000 ;
DIEAREA ( 0 0 ) ( 1000000 1000000 ) ;
ROW r0 io 0 0 N DO 10 BY 1 STEP 1000 0 ;
COMPONENTS 1 ;
{components}END COMPONENTS
{extra}END DESIGN
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_lef_macros(tmp_path: Path) -> None:
    macros = read_lef(_write(tmp_path, "a.lef", LEF))
    assert sorted(macros) == ["BUMPO", "PADX"]
    pad = macros["PADX"]
    assert pad.cls == "PAD" and pad.size == (10, 20) and pad.origin == (0, 0)
    assert pad.pins["PAD"].use == "SIGNAL" and pad.pins["PAD"].direction == "INOUT"
    (lay, g), = pad.pins["PAD"].shapes
    assert lay == "rdl" and g.equals(box(1, 2, 3, 4))
    assert [lay for lay, _ in pad.obs] == ["rdl"]
    bump = macros["BUMPO"]
    assert bump.cls == "COVER BUMP" and bump.origin == (5, 5)
    (lay, g), = bump.pins["PAD"].shapes
    assert len(g.exterior.coords) == 9 and g.area == pytest.approx(100 - 4 * 4.5)


@pytest.mark.parametrize("orient", sorted(ORIENT_EXPECT))
def test_component_orientations(tmp_path: Path, orient: str) -> None:
    macros = read_lef(_write(tmp_path, "a.lef", LEF))
    d = read_def(_write(tmp_path, "a.def",
                        _def(f"  - u PADX + FIXED ( 100000 200000 ) {orient} ;\n")), macros)
    c = d.components["u"]
    assert c.orient == orient and c.status == "FIXED" and c.location == (100, 200)
    (g,) = c.shapes_on("rdl")
    assert g.equals(box(*ORIENT_EXPECT[orient]))
    assert len(c.obs) == 1


def test_def_pins_nets_and_wires(tmp_path: Path) -> None:
    macros = read_lef(_write(tmp_path, "a.lef", LEF))
    comps = ("  - u_pad PADX + PLACED ( 100000 100000 ) N ;\n"
             "  - u_bump BUMPO + FIXED ( 300000 300000 ) N ;\n")
    extra = """\
PINS 1 ;
  - io1 + NET io1 + DIRECTION INOUT + USE SIGNAL
    + PORT
      + LAYER rdl ( -1000 -2000 ) ( 1000 2000 )
      + FIXED ( 500000 500000 ) N
    + PORT
      + POLYGON rdl ( 0 0 ) ( 1000 0 ) ( 0 1000 )
      + PLACED ( 600000 600000 ) S ;
END PINS
SPECIALNETS 1 ;
  - VDD ( * VDD ) ( u_pad PAD ) + USE POWER
    + ROUTED rdl 4000 + SHAPE IOWIRE ( 0 0 ) ( 10000 0 )
    NEW rdl 4000 + SHAPE IOWIRE ( 10000 0 ) ( 10000 5000 ) ;
END SPECIALNETS
NETS 1 ;
  - n1 ( u_pad PAD ) ( u_bump PAD ) + USE SIGNAL
    + ROUTED rdl ( 100000 100000 ) ( * 200000 ) ( 300000 * ) v1 ;
END NETS
"""
    d = read_def(_write(tmp_path, "a.def", _def(comps, extra)), macros)
    assert d.dbu_per_um == 1000 and d.die_area.equals(box(0, 0, 1000, 1000))
    assert d.components["u_bump"].shapes_on("rdl")[0].centroid.equals(shapely.Point(305, 305))
    pin = d.pins["io1"]
    assert pin.net == "io1" and pin.use == "SIGNAL"
    assert pin.ports[0][1].equals(box(499, 498, 501, 502))
    assert pin.ports[1][1].equals(shapely.Polygon([(600, 600), (599, 600), (600, 599)]))
    n1 = d.nets["n1"]
    assert n1.connections == (("u_pad", "PAD"), ("u_bump", "PAD")) and n1.use == "SIGNAL"
    assert wire_length_um(n1.wires) == pytest.approx(300.0)
    assert n1.wires[0].width_um is None
    vdd = d.special_nets["VDD"]
    assert [w.width_um for w in vdd.wires] == [4.0, 4.0]
    assert {w.shape for w in vdd.wires} == {"IOWIRE"}
    assert wire_length_um(vdd.wires, "rdl") == pytest.approx(15.0)
    assert wire_length_um(vdd.wires, "m9") == 0.0
    assert [name for name, _ in d.net_shapes("n1", "rdl")] == ["u_pad", "u_bump"]
    terms, obstacles = layer_terminals(d, macros, "rdl", ["n1"])
    assert [(n, k, net) for n, k, _, net in terms] == [("u_bump", "bump", "n1"),
                                                      ("u_pad", "pad", "n1")]
    assert len(obstacles) == 1  # the pad's OBS


@pytest.mark.parametrize(("text", "where"), [
    (_def("  - u NOPE + FIXED ( 0 0 ) N ;\n"), "line 9"),
    (_def("  - u PADX + FIXED ( 0 0 ) X ;\n"), "line 9"),
    (_def("  - u PADX + FIXED ( 0 zero ) N ;\n"), "line 9"),
    (_def("  - u PADX + FIXED ( 0 0 ) N ;\n").replace("UNITS DISTANCE MICRONS 1000 ;\n", ""),
     "line"),
    (_def("  - u PADX + FIXED ( 0 0 ) N ;\n").replace("END COMPONENTS\n", ""), "line"),
])
def test_def_errors_name_file_and_line(tmp_path: Path, text: str, where: str) -> None:
    macros = read_lef(_write(tmp_path, "a.lef", LEF))
    path = _write(tmp_path, "bad.def", text)
    with pytest.raises(WlpmaskError) as e:
        read_def(path, macros)
    assert str(path) in str(e.value) and where in str(e.value)


@pytest.mark.parametrize("bad", [
    LEF.replace("RECT 1 2 3 4 ;", "RECT 1 2 3 ;"),
    LEF.replace("POLYGON 2 -5 -2 -5 -5 -2 -5 2 -2 5 2 5 5 2 5 -2 ;", "POLYGON 0 0 1 1 ;"),
    LEF.replace("  SIZE 10 BY 20 ;\n", ""),
    LEF.replace("END PADX", "END PADY"),
    LEF.replace("END rdl\n", ""),
])
def test_lef_errors(tmp_path: Path, bad: str) -> None:
    path = _write(tmp_path, "bad.lef", bad)
    with pytest.raises(WlpmaskError) as e:
        read_lef(path)
    assert str(path) in str(e.value) and "line" in str(e.value)


def test_missing_file() -> None:
    with pytest.raises(WlpmaskError):
        read_lef("/nonexistent/x.lef")
