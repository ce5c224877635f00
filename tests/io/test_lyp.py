"""KLayout layer-properties files: the XML, and KLayout naming our GDS layers from it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import gdstk
import pytest

from wlpmask.cells import polygon
from wlpmask.io.gds import write_gds
from wlpmask.io.lyp import write_lyp
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
    assert len(entries) == len(tech.layers)
    for entry, layer in zip(entries, tech.layers.values(), strict=True):
        la, d = layer.gds
        assert entry.findtext("name") == f"{layer.name} {la}/{d}"
        assert entry.findtext("source") == f"{la}/{d}@1"
        assert entry.findtext("frame-color") == entry.findtext("fill-color") == layer.color
        assert entry.findtext("dither-pattern") == f"I{layer.pattern}"
        assert {entry.findtext(k) for k in ("valid", "visible")} == {"true"}
        assert entry.findtext("transparent") == "false"


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
