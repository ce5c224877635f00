"""KLayout layer-properties files: the XML, and KLayout naming our GDS layers from it."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path

import gdstk
import numpy as np
import pytest

from wlpmask.cells import polygon
from wlpmask.io.gds import write_gds
from wlpmask.io.lyp import HOLLOW, hollow, lyp_text, write_lyp
from wlpmask.tech import load_technology

PDK = Path(__file__).resolve().parents[2] / "pdk"
TECHS = sorted(PDK.glob("*.toml"))


@pytest.mark.parametrize("tech_file", TECHS, ids=lambda p: p.name)
def test_xml_has_one_entry_per_layer(tmp_path, tech_file):
    tech = load_technology(tech_file)
    path = tmp_path / "t.lyp"
    write_lyp(tech, path)
    root = ET.parse(path).getroot()
    assert root.tag == "layer-properties"
    entries = root.findall("properties")
    assert sorted(e.findtext("name") for e in entries) == sorted(
        f"{la.name} {la.gds[0]}/{la.gds[1]}" for la in tech.layers.values())
    by_name = {e.findtext("name").split()[0]: e for e in entries}
    for layer in tech.layers.values():
        entry = by_name[layer.name]
        la, d = layer.gds
        assert entry.findtext("source") == f"{la}/{d}@1"
        assert entry.findtext("frame-color") == entry.findtext("fill-color") == layer.color
        assert {entry.findtext(k) for k in ("valid", "visible")} == {"true"}
        assert entry.findtext("transparent") == "false"
    # drawn bottom first: markers, the wafer's own layers, then the masks on top
    purposes = [tech.layers[e.findtext("name").split()[0]].purpose for e in entries]
    assert purposes == sorted(purposes, key=["marker", "input", "mask"].index)


def _patterns(tech) -> dict[str, str]:
    return {e.findtext("name").split()[0]: e.findtext("dither-pattern")
            for e in ET.fromstring(lyp_text(tech)).findall("properties")}


def test_markers_are_outlines_and_unset_fills_are_sparse_and_distinct():
    tech = load_technology(PDK / "wlcsp_generic.toml")
    pats = _patterns(tech)
    markers = [n for n, la in tech.layers.items() if la.purpose == "marker"]
    masks = [n for n, la in tech.layers.items() if la.purpose == "mask"]
    assert {"BALL", "DIE", "FILL"} <= set(markers)
    assert {pats[n] for n in markers} == {"I1"}  # KLayout's "hollow"
    assert all(tech.layers[n].pattern is None for n in masks)
    # lightly hatched, horizontal or vertical sparse: one pixel in eight
    assert {pats[n] for n in masks} <= {"I5", "I9", "I35", "I40"}
    assert pats["RDL"] != pats["PI2"] and pats["PI1"] != pats["RDL"]
    assert pats["PAD"] == "I3"  # coarsely dotted


def test_a_pattern_the_technology_sets_is_kept_except_on_markers():
    tech = load_technology(PDK / "wlcsp_generic.toml")
    layers = dict(tech.layers)
    layers["RDL"] = dataclasses.replace(layers["RDL"], pattern=0)  # solid, on purpose
    layers["PAD"] = dataclasses.replace(layers["PAD"], pattern=HOLLOW)
    layers["BALL"] = dataclasses.replace(layers["BALL"], pattern=0)
    pats = _patterns(dataclasses.replace(tech, layers=layers))
    assert (pats["RDL"], pats["PAD"], pats["BALL"]) == ("I0", "I1", "I1")
    assert hollow(layers["PAD"]) and hollow(layers["BALL"]) and not hollow(layers["RDL"])


def _render(tmp_path, tech, shapes, box_um) -> np.ndarray:
    """KLayout's drawing of shapes {layer name: [points]} with our .lyp, as (H, W) RGB ints."""
    import klayout.db as kdb
    import klayout.lay as klay
    top = gdstk.Cell("TOP")
    for name, polys in shapes.items():
        for pts in polys:
            top.add(polygon(pts, tech.layers[name], grid_um=tech.grid_um))
    gds, lyp = tmp_path / "r.gds", tmp_path / "r.lyp"
    write_gds(gds, top, tech=tech)
    write_lyp(tech, lyp)
    view = klay.LayoutView()
    view.set_config("background-color", "#ffffff")
    view.load_layout(str(gds), True)
    view.load_layer_props(str(lyp))
    view.max_hier()
    view.zoom_box(kdb.DBox(*box_um))
    img = view.get_pixels(200, 200)
    return np.array([[img.pixel(x, y) & 0xFFFFFF for x in range(200)] for y in range(200)])


def test_klayout_shows_masks_through_markers_and_over_them(tmp_path):
    """What a user sees: inside a ball (marker) and the die (marker) the RDL (mask) shows,
    the markers only as frames; where a marker's frame runs through a mask, the mask's hatch
    is drawn over it."""
    tech = load_technology(PDK / "wlcsp_generic.toml")
    color = {n: int(la.color[1:], 16) for n, la in tech.layers.items()}
    img = _render(tmp_path, tech, {
        "DIE": [[(-50, -50), (150, -50), (150, 150), (-50, 150)]],
        "BALL": [[(0, 0), (100, 0), (100, 100), (0, 100)]],
        "RDL": [[(20, -20), (80, -20), (80, 120), (20, 120)]],
    }, (-10, -10, 110, 110))
    inside = img[40:160, 40:160]  # well inside the ball's frame
    assert not np.isin(inside, [color["BALL"], color["DIE"]]).any()
    rdl = (img == color["RDL"]).mean()
    assert 0.05 < rdl < 0.5  # a sparse fill: what lies below stays visible
    frame_row = img[img.shape[0] // 2]  # crosses the ball's left and right frames
    frame_cols = np.flatnonzero(frame_row == color["BALL"])
    assert len(frame_cols) >= 2
    # the ball's bottom frame runs through the RDL strip: some of its pixels are RDL's hatch
    rows = [r for r in range(img.shape[0]) if (img[r] == color["BALL"]).mean() > 0.3]
    assert rows
    strip = img[rows[0], 70:130]  # the RDL strip spans x = 20..80 um
    assert (strip == color["RDL"]).any() and (strip == color["BALL"]).any()


def test_klayout_names_each_layer_of_a_written_gds(tmp_path):
    """The project's acceptance point: our GDS plus our .lyp shows the technology's names."""
    import klayout.lay as lay_mod  # the dev extra installs klayout, LayoutView included
    tech = load_technology(PDK / "wlcsp_generic.toml")
    top = gdstk.Cell("TOP")
    for i, layer in enumerate(tech.layers.values()):
        top.add(polygon([(i * 10, 0), (i * 10 + 5, 0), (i * 10 + 5, 5)], layer,
                        grid_um=tech.grid_um))
    gds, lyp = tmp_path / "t.gds", tmp_path / "t.lyp"
    write_gds(gds, top, tech=tech)
    write_lyp(tech, lyp)
    view = lay_mod.LayoutView()
    view.load_layout(str(gds), True)
    view.load_layer_props(str(lyp))
    layout = view.cellview(0).layout()
    names = {}
    it = view.begin_layers()
    while not it.at_end():
        node = it.current()
        if node.layer_index() >= 0:
            info = layout.get_info(node.layer_index())
            names[(info.layer, info.datatype)] = node.name
        it.next()
    for layer in tech.layers.values():
        assert names[layer.gds] == f"{layer.name} {layer.gds[0]}/{layer.gds[1]}"
