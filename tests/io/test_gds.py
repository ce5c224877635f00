"""GDS writing and reading, checked against KLayout's reader."""

from __future__ import annotations

import datetime
import math
from collections import Counter
from pathlib import Path

import gdstk
import klayout.db as kdb
import numpy as np
import pytest

import wlpmask.io.gds as gds_mod
from wlpmask import __version__
from wlpmask.cells import add_array, polygon
from wlpmask.errors import WlpmaskError
from wlpmask.io.gds import (
    flatten_gds_layer,
    flatten_layers,
    read_layout,
    unknown_layers,
    write_cells,
    write_gds,
)
from wlpmask.io.kdb import to_region
from wlpmask.tech import load_technology

PDK = Path(__file__).resolve().parents[2] / "pdk"
PAD_COLS, PAD_ROWS, DIE_COLS, DIE_ROWS = 4, 3, 3, 2


@pytest.fixture(scope="module")
def tech():
    return load_technology(PDK / "wlcsp_generic.toml")


def build(tech) -> gdstk.Cell:
    """A die of pads (array + one rotated pad + a trace path) placed as a die array."""
    g = tech.grid_um
    pad = gdstk.Cell("PAD")
    pad.add(polygon(gdstk.regular_polygon((0, 0), 20.0, 8).points, tech.layers["PI1"], grid_um=g))
    pad.add(polygon([(-30, -30), (30, -30), (30, 30), (-30, 30)], tech.layers["RDL"], grid_um=g))
    die = gdstk.Cell("DIE_CELL")
    add_array(die, pad, columns=PAD_COLS, rows=PAD_ROWS, pitch_x_um=400, pitch_y_um=400,
              origin=(200, 200))
    die.add(gdstk.Reference(pad, (2000, 1000), rotation=math.pi / 6))
    die.add(gdstk.FlexPath([(200, 200), (1000, 200), (1000, 600)], 12.0,
                           layer=tech.layers["RDL"].gds[0],
                           datatype=tech.layers["RDL"].gds[1], simple_path=True))
    die.add(polygon([(0, 0), (2500, 0), (2500, 1500), (0, 1500)], tech.layers["DIE"],
                    grid_um=g))
    top = gdstk.Cell("TOP")
    add_array(top, die, columns=DIE_COLS, rows=DIE_ROWS, pitch_x_um=2600, pitch_y_um=1600)
    return top


def expected_counts(tech) -> dict[str, int]:
    n_die = DIE_COLS * DIE_ROWS
    pads = PAD_COLS * PAD_ROWS + 1
    return {"PI1": n_die * pads, "RDL": n_die * (pads + 1), "DIE": n_die}


def _klayout(path: Path) -> kdb.Layout:
    ly = kdb.Layout()
    ly.read(str(path))
    return ly


def _kl_count(cell: kdb.Cell, li: int) -> int:
    it, n = cell.begin_shapes_rec(li), 0
    while not it.at_end():
        s = it.shape()
        n += s.is_polygon() or s.is_box() or s.is_path()
        it.next()
    return n


def _region(polys: list[np.ndarray], dbu: float) -> kdb.Region:
    return to_region(polys, dbu_um=dbu)


def test_roundtrip_with_klayout(tmp_path, tech):
    top = build(tech)
    path = tmp_path / "a.gds"
    write_gds(path, top, tech=tech)
    ly = _klayout(path)
    assert ly.dbu == pytest.approx(tech.grid_um)
    assert sorted(c.name for c in ly.each_cell()) == ["DIE_CELL", "PAD", "TOP"]
    kl_top = ly.cell("TOP")
    # Hierarchy kept: the die array is one regular array instance.
    (inst,) = list(kl_top.each_inst())
    assert inst.is_regular_array() and inst.na * inst.nb == DIE_COLS * DIE_ROWS
    steps = {(inst.na, inst.da.x, inst.da.y), (inst.nb, inst.db.x, inst.db.y)}
    assert steps == {(DIE_COLS, 2600, 0), (DIE_ROWS, 0, 1600)}
    originals = {name: top.get_polygons(layer=lay.gds[0], datatype=lay.gds[1])
                 for name, lay in tech.layers.items()}
    expected = expected_counts(tech)
    layout = read_layout(path)
    ours = flatten_layers(layout.top(), tech, dbu_um=layout.dbu_um)
    for name, lay in tech.layers.items():
        li = ly.find_layer(*lay.gds)
        n = _kl_count(kl_top, li) if li is not None else 0
        assert n == expected.get(name, 0) == len(ours[name]), name
        if n:
            ref = kdb.Region(kl_top.begin_shapes_rec(li))
            drawn = _region([p.points for p in originals[name]], ly.dbu)
            read = _region(ours[name], ly.dbu)
            assert (ref ^ drawn).is_empty(), name
            assert (ref ^ read).is_empty(), name


def test_same_input_gives_identical_bytes(tmp_path, tech):
    a, b = tmp_path / "a.gds", tmp_path / "b.gds"
    write_gds(a, build(tech), tech=tech, extra_properties={"design": "x"})
    write_gds(b, build(tech), tech=tech, extra_properties={"design": "x"})
    assert a.read_bytes() == b.read_bytes()
    assert gdstk.gds_timestamp(str(a)) == datetime.datetime(2000, 1, 1)
    write_gds(b, build(tech), tech=tech, extra_properties={"design": "y"})
    assert a.read_bytes() != b.read_bytes()


def test_cells_sorted_and_units(tmp_path, tech):
    path = tmp_path / "a.gds"
    write_gds(path, build(tech), tech=tech)
    assert [c.name for c in gdstk.read_gds(str(path)).cells] == ["DIE_CELL", "PAD", "TOP"]
    assert gdstk.gds_units(str(path)) == pytest.approx((1e-6, tech.grid_um * 1e-6))


def test_library_properties(tmp_path, tech):
    top = build(tech)
    path = tmp_path / "a.gds"
    write_gds(path, top, tech=tech, extra_properties={"design_sha256": "ab" * 32})
    assert not top.labels  # the caller's cell is left as it was
    props = read_layout(path).properties
    assert props == {"wlpmask_version": __version__, "technology": tech.name,
                     "technology_sha256": tech.sha256, "design_sha256": "ab" * 32}
    # KLayout sees them as element properties.
    ly = _klayout(path)
    values = {s.property(k) for s in ly.cell("TOP").shapes(ly.find_layer(0, 0)).each()
              for k in range(1, 5)} - {None}
    assert f"technology_sha256={tech.sha256}" in values


@pytest.mark.parametrize("extra", [{"technology": "other"}, {"k": "v" * 200}, {"a=b": "c"}])
def test_bad_properties(tmp_path, tech, extra):
    with pytest.raises(WlpmaskError):
        write_gds(tmp_path / "a.gds", build(tech), tech=tech, extra_properties=extra)
    assert not list(tmp_path.iterdir())


def test_failure_mid_write_leaves_no_file(tmp_path, tech, monkeypatch):
    def broken(lib, tmp):
        Path(tmp).write_bytes(b"\x00\x06\x00\x02half a file")
        raise RuntimeError("disk full")

    monkeypatch.setattr(gds_mod, "_write_library", broken)
    path = tmp_path / "a.gds"
    with pytest.raises(RuntimeError):
        write_gds(path, build(tech), tech=tech)
    assert not list(tmp_path.iterdir())
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        write_gds(path, build(tech), tech=tech)
    assert path.read_bytes() == b"old" and len(list(tmp_path.iterdir())) == 1


def test_unwritable_path(tmp_path, tech):
    with pytest.raises(WlpmaskError) as info:
        write_gds(tmp_path / "no" / "a.gds", build(tech), tech=tech)
    assert info.value.file == str(tmp_path / "no" / "a.gds")


def test_duplicate_cell_names(tmp_path, tech):
    a, b = gdstk.Cell("X"), gdstk.Cell("X")
    a.add(gdstk.rectangle((0, 0), (1, 1)))
    b.add(gdstk.rectangle((0, 0), (2, 1)))
    top = gdstk.Cell("TOP")
    top.add(gdstk.Reference(a), gdstk.Reference(b, (10, 0)))
    with pytest.raises(WlpmaskError) as info:
        write_gds(tmp_path / "a.gds", top, tech=tech)
    assert info.value.key == "cell X"
    # Two equal cells under one name are one cell.
    b2 = gdstk.Cell("X")
    b2.add(gdstk.rectangle((0, 0), (1, 1)))
    top2 = gdstk.Cell("TOP")
    top2.add(gdstk.Reference(a), gdstk.Reference(b2, (10, 0)))
    write_gds(tmp_path / "b.gds", top2, tech=tech)
    assert len(read_layout(tmp_path / "b.gds").cells) == 2


def test_reference_to_missing_cell_and_huge_coordinates(tmp_path, tech):
    top = gdstk.Cell("TOP")
    top.add(gdstk.Reference("GHOST"))
    with pytest.raises(WlpmaskError, match="GHOST"):
        write_gds(tmp_path / "a.gds", top, tech=tech)
    far = gdstk.Cell("FAR")
    far.add(gdstk.rectangle((0, 0), (3e6, 1)))  # 3 m at 1 nm does not fit 32 bits
    with pytest.raises(WlpmaskError, match="32-bit"):
        write_gds(tmp_path / "a.gds", far, tech=tech)
    assert not list(tmp_path.iterdir())


def test_several_tops_and_own_dbu(tmp_path):
    a, b = gdstk.Cell("A"), gdstk.Cell("B")
    a.add(gdstk.rectangle((0, 0), (1.5, 1)))
    b.add(gdstk.Reference(a, columns=2, rows=1, spacing=(3, 0)))
    c = gdstk.Cell("C")
    c.add(gdstk.rectangle((0, 0), (1, 1), layer=2))
    path = tmp_path / "m.gds"
    write_cells(path, [c, b], dbu_um=0.5)
    layout = read_layout(path)
    assert layout.dbu_um == 0.5 and layout.top_names == ["B", "C"]
    with pytest.raises(WlpmaskError) as info:
        layout.top()
    assert "B, C" in info.value.message and info.value.file == str(path)
    assert [p.tolist() for p in flatten_gds_layer(layout.top("B"), (0, 0))] == [
        [[0, 0], [1.5, 0], [1.5, 1], [0, 1]], [[3, 0], [4.5, 0], [4.5, 1], [3, 1]]]


# ---------------------------------------------------------------------------------- reading

def test_read_klayout_drawn_file(tmp_path, tech):
    """A file written by KLayout: boxes, paths, arrays, two tops and its context cell."""
    ly = kdb.Layout()
    ly.dbu = 0.001
    rdl, pi1, other = (ly.layer(*tech.layers["RDL"].gds), ly.layer(*tech.layers["PI1"].gds),
                       ly.layer(1, 0))
    child = ly.create_cell("VIA")
    child.shapes(pi1).insert(kdb.DBox(0, 0, 10, 10))
    top = ly.create_cell("CHIP")
    top.shapes(rdl).insert(kdb.DPath([kdb.DPoint(0, 0), kdb.DPoint(100, 0)], 5.0))
    top.shapes(rdl).insert(kdb.DBox(0, 0, 20, 20))
    top.shapes(other).insert(kdb.DBox(0, 0, 1, 1))
    top.insert(kdb.DCellInstArray(child.cell_index(), kdb.DTrans(kdb.DVector(5, 5)),
                                  kdb.DVector(20, 0), kdb.DVector(0, 20), 5, 4))
    ly.create_cell("OTHER").shapes(rdl).insert(kdb.DBox(0, 0, 1, 1))
    ly.add_meta_info(kdb.LayoutMetaInfo("origin", "test", None, True))
    path = tmp_path / "k.gds"
    ly.write(str(path))
    layout = read_layout(path)
    assert "$$$CONTEXT_INFO$$$" in layout.cells  # persisted meta info creates it
    assert layout.top_names == ["CHIP", "OTHER"] and layout.dbu_um == 0.001
    chip = layout.top("CHIP")
    shapes = flatten_layers(chip, tech, dbu_um=layout.dbu_um)
    assert (len(shapes["RDL"]), len(shapes["PI1"])) == (2, 20)
    assert sum(len(v) for v in shapes.values()) == 22
    assert unknown_layers(chip, tech) == [(1, 0)]
    (box,) = flatten_gds_layer(chip, (1, 0))
    assert sorted(map(tuple, box.tolist())) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    area = sum(abs(kdb.DPolygon([kdb.DPoint(*p) for p in poly]).area())
               for poly in shapes["RDL"])
    assert area == pytest.approx(100 * 5 + 400)


def test_flatten_is_deterministic_and_snapped(tmp_path, tech):
    path = tmp_path / "a.gds"
    write_gds(path, build(tech), tech=tech)
    one = flatten_layers(read_layout(path).top(), tech, dbu_um=tech.grid_um)
    two = flatten_layers(read_layout(path).top(), tech, dbu_um=tech.grid_um)
    for name in tech.layers:
        assert len(one[name]) == len(two[name])
        assert all(np.array_equal(a, b) for a, b in zip(one[name], two[name], strict=True))
    # The 30-degree pad has off-grid vertices until snapped.
    pts = np.concatenate(one["PI1"])
    assert np.allclose(pts / tech.grid_um, np.round(pts / tech.grid_um), atol=1e-6)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file not found"),
        (b"hello, this is text\n", "not a GDSII file"),
        (b"%SEMI-OASIS\r\n1.0", "OASIS"),
        (b"", "not a GDSII file"),
    ],
)
def test_read_bad_files(tmp_path, content, message):
    path = tmp_path / "x.gds"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(WlpmaskError, match=message) as info:
        read_layout(path)
    assert info.value.file == str(path)


def test_read_truncated_and_empty(tmp_path, tech, capfd):
    good = tmp_path / "a.gds"
    write_gds(good, build(tech), tech=tech)
    cut = tmp_path / "cut.gds"
    cut.write_bytes(good.read_bytes()[:300])
    capfd.readouterr()
    with pytest.raises(WlpmaskError, match="cannot read GDSII") as info:
        read_layout(cut)
    assert info.value.file == str(cut)
    # The reader's own complaint goes into the message, not onto the terminal.
    assert capfd.readouterr().err == ""
    empty = tmp_path / "empty.gds"
    gdstk.Library("EMPTY").write_gds(str(empty))
    with pytest.raises(WlpmaskError, match="no cells"):
        read_layout(empty)


def test_missing_cell_lists_cells(tmp_path, tech):
    path = tmp_path / "a.gds"
    write_gds(path, build(tech), tech=tech)
    layout = read_layout(path)
    assert layout.top("PAD").name == "PAD"  # any cell, not only a top one
    with pytest.raises(WlpmaskError) as info:
        layout.top("NOPE")
    err = info.value
    assert err.file == str(path) and err.key == "cell NOPE"
    assert "top cells: TOP" in err.message and "DIE_CELL, PAD, TOP" in err.message


def test_counts_agree_with_klayout_on_arrays_of_paths(tmp_path):
    """Regular (non-orthogonal) arrays and paths: per-layer counts equal KLayout's."""
    leaf = gdstk.Cell("LEAF")
    leaf.add(gdstk.FlexPath([(0, 0), (5, 5)], 1.0, layer=3, simple_path=True))
    leaf.add(gdstk.ellipse((0, 0), 2.0, layer=4))
    top = gdstk.Cell("T")
    top.add(gdstk.Reference(leaf, (0, 0), columns=3, rows=4, spacing=(10, 10), rotation=0.3))
    path = tmp_path / "p.gds"
    write_cells(path, top, dbu_um=0.001)
    ly = _klayout(path)
    layout = read_layout(path)
    ours = Counter({pair: len(v) for pair, v in gds_mod.flatten_all(layout.top()).items()})
    theirs = Counter()
    for li in ly.layer_indexes():
        info = ly.get_info(li)
        if n := _kl_count(ly.cell("T"), li):
            theirs[(info.layer, info.datatype)] = n
    assert ours == theirs == Counter({(3, 0): 12, (4, 0): 12})
