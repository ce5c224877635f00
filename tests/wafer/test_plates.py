"""Plates: the CD bias (per edge, on the grid, once per die), dark-field inversion inside the
field, the mirror, and the label; checked on the written plate files with KLayout."""

from __future__ import annotations

import json

import gdstk
import klayout.db as db
import numpy as np
import shapely

from tests.designs import PDK
from wlpmask.tech import load_technology
from wlpmask.wafer.bias import biased, layer_geometry, to_cell

TECH = load_technology(PDK)
GRID = TECH.grid_um


def deck(result) -> dict:
    return json.loads((result.out_dir / "masks.json").read_text())


def box(x0, y0, x1, y1) -> db.Box:
    return db.Box(*(int(round(v / GRID)) for v in (x0, y0, x1, y1)))


def data(result, mask: dict, window: db.Box) -> db.Region:
    """The merged data layer of a plate inside a window, database units."""
    ly = db.Layout()
    ly.read(str(result.out_dir / mask["file"]))
    layer = ly.layer(mask["data_layer"][0], 0)
    r = db.Region(ly.top_cell().begin_shapes_rec_overlapping(layer, window.to_dtype(ly.dbu)))
    return r.merged() & db.Region(window)


def window(result, mirror: bool = False) -> db.Box:
    """A square round the first mark site and the dies next to it (mirrored: x -> -x)."""
    x, y = result.manifest["wafer"]["marks_um"][0]
    x = -x if mirror else x
    return box(x - 9000, y - 9000, x + 9000, y + 9000)


def field(mask: dict) -> db.Region:
    return db.Region(box(*mask["field_um"]))


def test_bias_moves_every_edge_by_the_bias_on_the_grid():
    octagon = shapely.Polygon([(0, 40), (40, 0), (100, 0), (140, 40), (140, 100), (100, 140),
                               (40, 140), (0, 100)])
    for bias in (-1.0, 2.5, -0.0007):
        g = biased(octagon, bias, grid_um=GRID)
        pts = np.asarray(g.exterior.coords)
        assert np.allclose(pts / GRID, np.round(pts / GRID), atol=1e-6)  # on the grid
        # every edge of the result runs parallel to an edge of the original, |bias| away
        ring = np.asarray(octagon.exterior.coords)
        for a, b in zip(pts[:-1], pts[1:]):
            mid = shapely.Point((a + b) / 2)
            assert abs(octagon.exterior.distance(mid) - abs(bias)) <= GRID
            assert octagon.contains(mid) == (bias < 0)
        assert len(pts) == len(ring)


def test_bias_keeps_abutting_shapes_joined():
    # a trace and a pad that abut, drawn in two cells: a per-polygon shrink would part them
    lay = TECH.layers["RDL"]
    pad, trace, top = gdstk.Cell("pad"), gdstk.Cell("trace"), gdstk.Cell("top")
    pad.add(gdstk.rectangle((0, 0), (100, 100), layer=lay.gds[0], datatype=lay.gds[1]))
    trace.add(gdstk.rectangle((100, 40), (300, 60), layer=lay.gds[0], datatype=lay.gds[1]))
    top.add(gdstk.Reference(pad), gdstk.Reference(trace))
    g = biased(layer_geometry(top, lay.gds, grid_um=GRID), -1.0, grid_um=GRID)
    assert g.geom_type == "Polygon"
    assert abs(g.area - (98 * 98 + 200 * 18)) < 1e-6
    cell = to_cell("c", g, (lay.gds[0], 0), grid_um=GRID)
    assert len(cell.polygons) == 1


def test_bias_is_applied_once_per_die(plain):
    masks = deck(plain)["masks"]
    lib = gdstk.read_gds(str(plain.out_dir / masks[0]["file"]))
    cells = {c.name: c for c in lib.cells}
    die = next(c for n, c in cells.items() if n.endswith("_die"))
    wafer = next(c for n, c in cells.items() if n.endswith("_wafer"))
    refs = [r for r in wafer.references if r.cell.name == die.name]
    placed = sum(max(r.repetition.size, 1) for r in refs)
    assert placed == plain.manifest["wafer"]["dies"]
    assert len(refs) < placed / 10  # arrays, not copies


def test_dark_field_plates_are_inverted_inside_their_field(plain, uninverted):
    for inv, flat in zip(deck(plain)["masks"], deck(uninverted)["masks"]):
        lay = TECH.layers[inv["layer"]]
        assert inv["field_tone"] == ("dark field" if lay.tone == "clear" else "clear field")
        assert flat["tone"] == f"digitized data {lay.tone}"
        w = window(plain)
        f = field(inv) & db.Region(w)
        got, drawn = data(plain, inv, w), data(uninverted, flat, w)
        assert not drawn.is_empty()
        if lay.tone == "clear":
            assert inv["inverted"] and inv["tone"] == "digitized data dark"
            assert ((got & f) ^ (f - drawn)).is_empty()
        else:
            assert ((got ^ drawn) & f).is_empty()


def test_mirror_is_applied_and_stated(plain, mirrored):
    for a, b in zip(deck(plain)["masks"], deck(mirrored)["masks"]):
        assert (a["reading"], b["reading"]) == ("right-reading chrome-down",
                                                "right-reading chrome-up")
        assert b["mirror"] and not a["mirror"]
        drawn = data(plain, a, window(plain)) & field(a)
        flipped = drawn.transformed(db.Trans(db.Trans.M90))
        got = data(mirrored, b, window(mirrored, True)) & field(b)
        assert not (got ^ drawn).is_empty()  # the mark site is not symmetric
        assert (got ^ flipped).is_empty()
        assert [p[0] for p in b["cd"]["at_um"]] == [-p[0] for p in a["cd"]["at_um"]]


def test_label_lies_outside_the_field(plain):
    for m in deck(plain)["masks"]:
        half = m["plate_size_mm"] * 500
        x0, y0, x1, y1 = m["field_um"]
        assert data(plain, m, box(-half, y1, half, half)).is_empty()
        assert data(plain, m, box(x1, -half, half, half)).is_empty()
        below = data(plain, m, box(-half, -half, half, y0))
        assert not below.is_empty()
        assert m["label"][0].startswith(f"t {m['layer']} STEP {m['step']}/")


def test_reticles_carry_the_die_image_magnified(plain, tmp_path):
    from tests.wafer.conftest import DIE_UM, small_build

    ret = small_build(tmp_path, reticle_reduction=4)
    d = deck(ret)
    assert d["stepping"]["reduction"] == 4
    assert len(d["stepping"]["dies_um"]) == ret.manifest["wafer"]["dies"]
    x, y = d["stepping"]["dies_um"][0]
    half = DIE_UM / 2
    for m1, m4 in zip(deck(plain)["masks"], d["masks"]):
        assert (m4["plate"], m4["reduction"]) == ("6025", 4)
        assert m4["cd"]["on_plate_um"] == 4 * m1["cd"]["on_plate_um"]
        # one die of the 1x plate, moved to the origin and magnified, is the reticle's image
        one = data(plain, m1, box(x - half, y - half, x + half, y + half))
        one = one.transformed(db.ICplxTrans(4.0, 0, False, db.Vector(
            -int(round(4 * x / GRID)), -int(round(4 * y / GRID)))))
        image = data(ret, m4, box(-4 * half, -4 * half, 4 * half, 4 * half))
        assert not image.is_empty() and (image ^ one).is_empty(), m4["layer"]
