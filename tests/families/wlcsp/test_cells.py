"""WLCSP cells and assembly: dimensions from the rules, hierarchy, a readable geometry summary,
XOR against an independent construction (teardrops: test_teardrops.py)."""

from __future__ import annotations

import math

import gdstk
import klayout.db as kdb
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.designs import PDK, assemble, base_design, load, pad, routing_boundary, terminals
from wlpmask import geometry as geo
from wlpmask.cells import array_runs
from wlpmask.families.wlcsp.cells import pad_shapes
from wlpmask.io.gds import flatten_layers, write_gds
from wlpmask.io.kdb import to_region


def summary(shapes) -> dict[str, tuple[int, tuple[float, ...] | None]]:
    out = {}
    for name, polys in shapes.items():
        b = geo.bbox(polys)
        out[name] = (len(polys), None if b is None else tuple(round(v, 3) for v in b))
    return out


def test_geometry_summary_of_a_small_design(tmp_path):
    """Polygon count and bounding box per layer, worked out by hand from the rules:
    pads 60 um at (1000, 110) and (1890, 1000); PAD.EN.PI1 7.5; RDL.EN.PI1 10; 3 x 3 bumps at
    500 um centred on the 2000 um die; PI2 170 um octagons; capture 170 + 2 (32.5 + 0.002)."""
    d = load(tmp_path, base_design())
    shapes = flatten_layers(assemble(d), d.tech)
    cap = 170 / 2 + 32.5 + 0.002
    got = summary(shapes)
    assert got["DIE"] == (1, (0, 0, 2000, 2000))
    assert got["DICING"] == (4, (0, 0, 2000, 2000))
    assert got["SEAL"] == (4, (30, 30, 1970, 1970))
    assert got["PAD"] == (2, (970, 80, 1920, 1030))
    assert got["PI1"] == (2, (977.5, 87.5, 1912.5, 1022.5))
    assert got["RDL"] == (11, (round(500 - cap, 3), 77.5, 1922.5, round(1500 + cap, 3)))
    assert got["PI2"] == (9, (415, 415, 1585, 1585))
    assert got["FILL"] == got["PI2"]
    n, ball = got["BALL"]
    assert n == 9 and ball == pytest.approx((375, 375, 1625, 1625), abs=0.003)
    assert got["UBM"] == (0, None) and got["STENCIL"] == (0, None)


def _region(polys) -> kdb.Region:
    return to_region(polys, dbu_um=0.001)


def test_xor_against_an_independent_construction(tmp_path):
    """The written GDS, read by KLayout, equals shapes built here from the bare numbers."""
    doc = base_design()
    doc["pads"]["pads"].append(pad("P3", 110.0, 1000.0, w=80.0, h=50.0))
    d = load(tmp_path, doc)
    write_gds(tmp_path / "t.gds", assemble(d), tech=d.tech)
    ly = kdb.Layout()
    ly.read(str(tmp_path / "t.gds"))
    top = ly.top_cell()

    def layer(lay):
        return kdb.Region(top.begin_shapes_rec(ly.layer(*d.tech.layers[lay].gds)))

    pads = [(1000, 110, 60, 60), (1890, 1000, 60, 60), (110, 1000, 80, 50)]
    expect_pi1 = [geo.box(x - w / 2 + 7.5, y - h / 2 + 7.5, x + w / 2 - 7.5, y + h / 2 - 7.5)
                  for x, y, w, h in pads]

    def octo(cx, cy, a):
        c = math.ceil(round(a * (math.sqrt(2) - 1) / 0.001, 6)) * 0.001
        return [(cx + a, cy - c), (cx + a, cy + c), (cx + c, cy + a), (cx - c, cy + a),
                (cx - a, cy + c), (cx - a, cy - c), (cx - c, cy - a), (cx + c, cy - a)]

    sites = [(x, y) for x in (500, 1000, 1500) for y in (500, 1000, 1500)]
    expect_pi2 = [octo(x, y, 85.0) for x, y in sites]
    assert (layer("PI1") ^ _region(expect_pi1)).is_empty()
    assert (layer("PI2") ^ _region(expect_pi2)).is_empty()
    assert (layer("FILL") ^ _region(expect_pi2)).is_empty()
    cap = 85.0 + 32.5 + 0.002
    landings = [geo.box(x - w / 2 + 7.5 - 10, y - h / 2 + 7.5 - 10, x + w / 2 - 7.5 + 10,
                        y + h / 2 - 7.5 + 10) for x, y, w, h in pads]
    expect_rdl = [octo(x, y, cap) for x, y in sites] + landings
    assert (layer("RDL") ^ _region(expect_rdl)).is_empty()


def test_hierarchy_bumps_by_array_pads_by_size(tmp_path):
    doc = base_design()
    doc["pads"]["pads"].append(pad("P3", 110.0, 1000.0, w=80.0, h=50.0))
    doc["pads"]["pads"].append(pad("P4", 110.0, 700.0, w=80.0, h=50.0))
    doc["bumps"]["depopulate"] = ["B2"]
    d = load(tmp_path, doc)
    top = assemble(d)
    refs = top.references
    bump_refs = [r for r in refs if r.cell.name.startswith("bump")]
    pad_refs = [r for r in refs if r.cell.name.startswith("pad")]
    placed = sum((r.repetition.columns or 1) * (r.repetition.rows or 1)
                 if r.repetition.size else 1 for r in bump_refs)
    assert placed == 8 and len(bump_refs) < 8  # arrays, not one reference per bump
    assert len({r.cell.name for r in bump_refs}) == 1
    assert len(pad_refs) == 4 and len({r.cell.name for r in pad_refs}) == 2
    assert not top.polygons  # the top cell only places cells
    cells = [top, *top.dependencies(True)]
    assert len(cells) == len({c.name for c in cells})


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 6), cols=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_bump_runs_cover_every_site_once(rows, cols, seed):
    rng = np.random.default_rng(seed)
    keep = rng.random((rows, cols)) > 0.3
    sites = [(100.0 + 400 * j, 100.0 + 400 * i) for i in range(rows) for j in range(cols)
             if keep[i, j]]
    if not sites:
        return
    covered = []
    for x0, y0, n, m, px, py in array_runs(sites, 400.0, 0.001):
        covered += [(round(x0 + k * px, 6), round(y0 + r * py, 6))
                    for k in range(n) for r in range(m)]
    assert sorted(covered) == sorted(sites)


def test_dimensions_come_from_the_technology(tmp_path):
    """Change the enclosure rules in a copy of the technology: the drawn shapes follow."""
    text = PDK.read_text()
    text = text.replace('outer = "PAD"\ninner = "PI1"\nmin_um = 7.5',
                        'outer = "PAD"\ninner = "PI1"\nmin_um = 9.0')
    text = text.replace('outer = "RDL"\ninner = "PI2"\nmin_um = 32.5',
                        'outer = "RDL"\ninner = "PI2"\nmin_um = 40.0')
    (tmp_path / "t.toml").write_text(text)
    doc = base_design()
    doc["design"]["technology"] = "t.toml"
    d = load(tmp_path, doc)
    assert d.rules.pad_encloses_pi1_um == 9.0
    shapes = pad_shapes(d.pads[0], d.rules)
    assert geo.bbox([shapes["PI1"]]) == (-21.0, -21.0, 21.0, 21.0)
    assert d.bumps.dims.capture_um == pytest.approx(170 + 2 * (40 + 0.002))


def test_non_rectangular_pad_outline(tmp_path):
    d = load(tmp_path, base_design())
    octo = geo.octagon(diameter_um=80, center=(1000, 110))
    p = pad_shapes(
        type(d.pads[0])("X", 1000.0, 110.0, 80.0, 80.0, None,
                        tuple(map(tuple, octo))), d.rules)
    outer, inner = shapely.Polygon(p["PAD"]), shapely.Polygon(p["PI1"])
    assert outer.contains(inner)
    assert outer.exterior.distance(inner) >= d.rules.pad_encloses_pi1_um
    assert shapely.Polygon(p["RDL"]).exterior.distance(inner) >= d.rules.rdl_encloses_pi1_um


def test_terminals_and_boundary(tmp_path):
    doc = base_design()
    doc["assignment"] = {"mode": "given", "table": {"P1": "C2", "P2": "B3"}}
    d = load(tmp_path, doc)
    terms = {t.name: t for t in terminals(d)}
    assert terms["P1"].kind == "pad" and terms["P1"].net == "P1"
    assert terms["C2"].kind == "bump" and terms["C2"].net == "P1" and terms["A1"].net is None
    assert terms["P1"].shape.bounds == (967.5, 77.5, 1032.5, 142.5)
    b = routing_boundary(d)
    assert b.bounds == pytest.approx((30 + 20 + 15.001, 65.001, 1934.999, 1934.999))


def test_assembled_gds_is_deterministic(tmp_path):
    d = load(tmp_path, base_design())
    write_gds(tmp_path / "a.gds", assemble(d), tech=d.tech)
    write_gds(tmp_path / "b.gds", assemble(d), tech=d.tech)
    assert (tmp_path / "a.gds").read_bytes() == (tmp_path / "b.gds").read_bytes()
    lib = gdstk.read_gds(str(tmp_path / "a.gds"))
    assert {c.name for c in lib.top_level()} == {"t"}
