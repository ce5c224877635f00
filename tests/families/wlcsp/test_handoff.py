"""WLCSP hand-off files: the ball map CSV, the datasheet picture and the KiCad footprint, the
footprint read back with an S-expression parser written here."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest

from tests.designs import base_design, load
from wlpmask.families.wlcsp.handoff import handoff_files


def sexpr(text: str):
    """Parse one S-expression: lists, quoted strings, atoms."""
    tokens = re.findall(r'\(|\)|"(?:\\.|[^"\\])*"|[^\s()"]+', text)
    pos = 0

    def read():
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            out = []
            while tokens[pos] != ")":
                out.append(read())
            pos += 1
            return out
        if tok.startswith('"'):
            return tok[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        return tok

    tree = read()
    assert pos == len(tokens)
    return tree


def items(tree, head: str) -> list:
    return [x for x in tree if isinstance(x, list) and x and x[0] == head]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    doc = base_design()
    doc["pads"]["pads"][0]["net"] = "VDD"
    doc["assignment"] = {"mode": "given", "table": {"P1": "C2", "P2": "B3"}}
    d = load(tmp_path_factory.mktemp("h"), doc)
    return d, handoff_files(d.part, {"P1": "C2", "P2": "B3"})


def test_ball_map_lists_every_site_with_net_and_pad(files):
    d, out = files
    rows = list(csv.DictReader(io.StringIO(out["t.ballmap.csv"].decode())))
    assert list(rows[0]) == ["site", "x_um", "y_um", "net", "pad"]
    assert [r["site"] for r in rows] == [s.name for s in d.bumps.sites]
    by = {r["site"]: r for r in rows}
    assert (by["C2"]["net"], by["C2"]["pad"]) == ("VDD", "P1")
    assert (by["B3"]["net"], by["B3"]["pad"]) == ("P2", "P2")
    assert by["A1"]["net"] == by["A1"]["pad"] == ""
    for s in d.bumps.sites:  # die centre at the origin, as drawn
        assert float(by[s.name]["x_um"]) == s.x_um - 1000.0
        assert float(by[s.name]["y_um"]) == s.y_um - 1000.0


def test_kicad_footprint_matches_the_ball_map(files):
    d, out = files
    tree = sexpr(out["t.kicad_mod"].decode())
    assert tree[0] == "footprint" and tree[1] == "t"
    rows = {r["site"]: r for r in csv.DictReader(io.StringIO(out["t.ballmap.csv"].decode()))}
    pads = items(tree, "pad")
    assert len(pads) == len(rows) == 9
    assert sorted(p[1] for p in pads) == sorted(rows)
    for p in pads:
        assert p[2:4] == ["smd", "circle"]
        (at,) = items(p, "at")
        (size,) = items(p, "size")
        r = rows[p[1]]
        # KiCad's top view: through the die (x mirrored), y down; millimetres
        assert float(at[1]) == pytest.approx(-float(r["x_um"]) / 1000)
        assert float(at[2]) == pytest.approx(-float(r["y_um"]) / 1000)
        assert float(size[1]) == pytest.approx(d.bumps.dims.opening_um / 1000)
        (layers,) = items(p, "layers")
        assert "F.Cu" in layers and "F.Mask" in layers
    rects = {r[-1][1]: r for r in items(tree, "fp_rect")}
    assert set(rects) == {"F.Fab", "F.CrtYd"}
    fab = [float(v) for v in items(rects["F.Fab"], "end")[0][1:]]
    court = [float(v) for v in items(rects["F.CrtYd"], "end")[0][1:]]
    assert fab == pytest.approx([(2000 - 60) / 2000] * 2)  # the silicon: boundary less lane
    assert court[0] > fab[0] and court[1] > fab[1]
    assert all(abs(float(items(p, "at")[0][1])) < fab[0] for p in pads)


def test_picture_shows_both_views_with_a1_marked(files):
    _, out = files
    root = ET.fromstring(out["t.ballmap.svg"])
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert any("bottom view" in t for t in texts) and any("top view" in t for t in texts)
    assert len(root.findall(f"{ns}polygon")) == 2  # an A1 marker per view
    assert texts.count("A1") == 4  # the ball and the marker, in each view
    assert texts.count("VDD") == 2
