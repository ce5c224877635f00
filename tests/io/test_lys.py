"""KLayout session files: the session opens our GDS with our layer properties, our report
database and every hierarchy level, from a folder that may have moved."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import gdstk
import klayout.db as kdb
import klayout.lay as klay
import klayout.rdb as krdb
import pytest

from wlpmask.cells import polygon
from wlpmask.drc import DrcResult, Violation
from wlpmask.errors import WlpmaskError
from wlpmask.io.gds import write_gds
from wlpmask.io.lyp import styled_layers, write_lyp
from wlpmask.io.lyrdb import write_lyrdb
from wlpmask.io.lys import hierarchy_depth, write_lys
from wlpmask.tech import load_technology

PDK = Path(__file__).resolve().parents[2] / "pdk"
TECH = load_technology(PDK / "wlcsp_generic.toml")


def _box(layer: str, x0: float, y0: float, x1: float, y1: float) -> gdstk.Polygon:
    return polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], TECH.layers[layer],
                   grid_um=TECH.grid_um)


def _three_levels() -> gdstk.Cell:
    """TOP (die outline) > ROW (four LEAFs) > LEAF (an RDL pad under a ball); a second path
    TOP > LEAF2 > LEAF makes the deepest branch the one found last."""
    leaf = gdstk.Cell("LEAF")
    leaf.add(_box("RDL", 0, 0, 40, 40), _box("BALL", -5, -5, 45, 45))
    row = gdstk.Cell("ROW")
    row.add(gdstk.Reference(leaf, (0, 0), columns=4, rows=1, spacing=(100, 0)))
    top = gdstk.Cell("TOP")
    top.add(_box("DIE", -50, -50, 450, 250))
    top.add(gdstk.Reference(row, (0, 0)), gdstk.Reference(row, (0, 150)))
    return top


def _outputs(folder: Path) -> dict[str, Path]:
    """GDS, .lyp, .lyrdb (one violation) and the session, written as the build writes them."""
    folder.mkdir()
    top = _three_levels()
    files = {ext: folder / f"d.{ext}" for ext in ("gds", "lyp", "lyrdb", "lys")}
    write_gds(files["gds"], top, tech=TECH)
    write_lyp(TECH, files["lyp"])
    v = Violation("RDL.W", "width", ("RDL",), 10.0, 8.5,
                  ((0.0, 0.0, 20.0, 0.0), (20.0, 8.5, 0.0, 8.5)), (0.0, 0.0, 20.0, 8.5))
    write_lyrdb(DrcResult(violations=[v], rules_run=["RDL.W"]), files["lyrdb"], cell="TOP",
                tech=TECH, description="d", layout_file="d.gds")
    write_lys(files["lys"], gds=files["gds"], lyp=files["lyp"], lyrdb=files["lyrdb"], top=top)
    return files


def _klayout_full_depth(gds: Path) -> int:
    view = klay.LayoutView()
    view.load_layout(str(gds), True)
    view.max_hier()  # KLayout's own "full hierarchy"
    return view.max_hier_levels


def test_session_opens_the_moved_folder_with_layers_report_and_full_hierarchy(tmp_path):
    _outputs(tmp_path / "built")
    moved = tmp_path / "elsewhere" / "copy"
    moved.parent.mkdir()
    shutil.move(tmp_path / "built", moved)  # the session must not know where it was written
    session = ET.parse(moved / "d.lys").getroot()
    view_el = session.find("view")
    display = view_el.find("display")

    # the layout, resolved against the session's folder as KLayout does
    gds = moved / session.findtext("layout/file-path")
    assert gds.is_file() and not Path(session.findtext("layout/file-path")).is_absolute()
    view = klay.LayoutView()
    view.set_config("background-color", "#ffffff")
    view.load_layout(str(gds), True)
    layout = view.cellview(0).layout()
    assert display.findtext("cellpaths/cellpath/cellname") == layout.top_cell().name == "TOP"
    assert view_el.findtext("cellviews/cellview/layout-ref") == session.findtext("layout/name")

    # the layer properties kept in the session: our names, colours and patterns
    lyp = tmp_path / "from_session.lyp"
    ET.ElementTree(view_el.find("layer-properties-tabs/layer-properties")).write(lyp)
    view.load_layer_props(str(lyp))
    shown = {}
    it = view.begin_layers()
    while not it.at_end():
        node = it.current()
        shown[node.source_layer, node.source_datatype] = (node.name, node.fill_color & 0xFFFFFF,
                                                          node.dither_pattern)
        it.next()
    assert shown == {la.gds: (f"{la.name} {la.gds[0]}/{la.gds[1]}", int(la.color[1:], 16), p)
                     for la, p in styled_layers(TECH)}

    # every hierarchy level: KLayout's own full depth, and the RDL three levels down drawn
    levels = (int(display.findtext("min-hier")), int(display.findtext("max-hier")))
    assert levels == (0, _klayout_full_depth(gds)) == (0, 3)
    view.min_hier_levels, view.max_hier_levels = levels
    box = [float(display.findtext(k)) for k in ("x-left", "y-bottom", "x-right", "y-top")]
    assert box[0] < -50 and box[1] < -50 and box[2] > 450 and box[3] > 250
    view.zoom_box(kdb.DBox(*box))
    img = view.get_pixels(300, 300)
    rdl = int(TECH.layers["RDL"].color[1:], 16)
    assert any(img.pixel(x, y) & 0xFFFFFF == rdl for x in range(300) for y in range(300))

    # the report database with its item
    (rdb_file,) = [el.text for el in view_el.findall("rdb-files/rdb-file")]
    db = krdb.ReportDatabase("")
    db.load(str(moved / rdb_file))
    assert db.num_items() == 1 and db.top_cell_name == "TOP"


def test_depth_follows_the_deepest_branch():
    a, b, c = gdstk.Cell("A"), gdstk.Cell("B"), gdstk.Cell("C")
    c.add(_box("RDL", 0, 0, 1, 1))
    b.add(gdstk.Reference(c))
    a.add(gdstk.Reference(b))
    top = gdstk.Cell("T")
    top.add(gdstk.Reference(c), gdstk.Reference(a))  # C is met first one level down
    assert hierarchy_depth(top) == 4
    assert hierarchy_depth(c) == 1


def test_same_inputs_same_bytes_and_missing_files_fail_cleanly(tmp_path):
    files = _outputs(tmp_path / "a")
    first = files["lys"].read_bytes()
    write_lys(files["lys"], gds=files["gds"], lyp=files["lyp"], lyrdb=files["lyrdb"],
              top=_three_levels())
    assert files["lys"].read_bytes() == first
    out = tmp_path / "a" / "x.lys"
    with pytest.raises(WlpmaskError, match="not found") as err:
        write_lys(out, gds=files["gds"], lyp=files["lyp"], lyrdb=tmp_path / "no.lyrdb",
                  top=_three_levels())
    assert "no.lyrdb" in str(err.value) and not out.exists()
    files["lyp"].write_text("<other/>")
    with pytest.raises(WlpmaskError, match="layer-properties"):
        write_lys(out, gds=files["gds"], lyp=files["lyp"], lyrdb=files["lyrdb"],
                  top=_three_levels())
    assert not out.exists()


_INSPECT = """
import json, pya
view = pya.Application.instance().main_window().current_view()
cv = view.cellview(0)
layers = []
it = view.begin_layers()
while not it.at_end():
    layers.append([it.current().name, it.current().dither_pattern])
    it.next()
print("SESSION " + json.dumps({"file": cv.filename(), "cell": cv.cell_name,
      "hier": [view.min_hier_levels, view.max_hier_levels], "layers": layers,
      "items": [view.rdb(i).num_items() for i in range(view.num_rdbs())]}))
"""


@pytest.mark.skipif(shutil.which("klayout") is None,
                    reason="needs the KLayout application on PATH (the session is restored by "
                           "the application; the test above checks the files with klayout.lay)")
def test_the_klayout_application_restores_the_session(tmp_path):
    _outputs(tmp_path / "built")
    shutil.move(tmp_path / "built", tmp_path / "moved")
    script = tmp_path / "inspect.py"
    script.write_text(_INSPECT)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}  # no display needed
    run = subprocess.run(["klayout", "-nc", "-rx", "-z", "-u", "moved/d.lys", "-r", str(script)],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    line = [x for x in run.stdout.splitlines() if x.startswith("SESSION ")]
    assert line, run.stdout + run.stderr
    got = json.loads(line[0][len("SESSION "):])
    assert Path(got["file"]) == (tmp_path / "moved" / "d.gds").resolve()
    assert got["cell"] == "TOP"
    assert got["hier"] == [0, 3] and got["items"] == [1]
    assert got["layers"] == [[f"{la.name} {la.gds[0]}/{la.gds[1]}", p]
                             for la, p in styled_layers(TECH)]
