"""Previews: the PNG decodes to the stated size and shows the layer colours; the SVG draws
every layer that has shapes, a legend and a scale bar."""

from __future__ import annotations

import struct
import zlib

import numpy as np

from tests.designs import PDK
from wlpmask import geometry as geo
from wlpmask.io.preview import png_bytes, png_image, svg_text
from wlpmask.tech import load_technology

TECH = load_technology(PDK)
SHAPES = {
    "DIE": [geo.box(0, 0, 1000, 1000)],
    "RDL": [geo.box(100, 100, 400, 400), geo.octagon(diameter_um=200, center=(700, 700))],
    "BALL": [geo.regular_polygon(diameter_um=250, vertices=64, center=(700, 700))],
    "UBM": [],
}
LAYERS = ["DIE", "RDL", "UBM", "BALL"]


def decode_png(data: bytes) -> np.ndarray:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        assert struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(kind + body)
        chunks.setdefault(kind, b"")
        chunks[kind] += body
        pos += 12 + n
    w, h, depth, ctype = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, ctype) == (8, 2)
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), dtype=np.uint8).reshape(h, 1 + 3 * w)
    assert not raw[:, 0].any()  # filter 0 on every row
    return raw[:, 1:].reshape(h, w, 3)


def test_png_round_trip_and_colours():
    img = png_image(SHAPES, tech=TECH, layers=LAYERS, title="t (1000 x 1000 um)")
    back = decode_png(png_bytes(img))
    assert back.shape == img.shape and np.array_equal(back, img)
    rdl = np.array([int(TECH.layers["RDL"].color[i:i + 2], 16) for i in (1, 3, 5)])
    # the filled RDL square is a blend of the layer colour over white, drawn somewhere
    blend = np.round(255 * (1 - 0.45) + rdl * 0.45)
    assert np.any(np.all(np.abs(img.astype(int) - blend) <= 1, axis=2))
    assert np.any(np.all(img == rdl, axis=2))  # outlines in the full colour


def test_svg_path_is_the_polygon_in_drawing_pixels():
    """The 1000 um page is 900 px wide: the RDL square (100, 100)-(400, 400) um is drawn in
    hundredths of a pixel, y down from the window's top, inside the window's clip."""
    import re
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg_text(SHAPES, tech=TECH, layers=LAYERS, title="t"))
    ns = "{http://www.w3.org/2000/svg}"
    rdl = next(p for p in root.iter(ns + "path") if p.get("id") == "RDL")
    square = rdl.get("d").split("Z")[0]
    pts = {tuple(int(v) for v in m) for m in re.findall(r"(-?\d+) (-?\d+)", square)}
    assert pts == {(9000, 54000), (36000, 54000), (36000, 81000), (9000, 81000)}
    group = next(g for g in root.iter(ns + "g") if g.get("transform"))
    assert group.get("transform") == "translate(24 36) scale(0.01)"


def test_svg_layers_legend_scale_bar():
    svg = svg_text(SHAPES, tech=TECH, layers=LAYERS, title="t")
    assert 'id="RDL"' in svg and 'id="BALL"' in svg and 'id="UBM"' not in svg
    assert "RDL 74/20 (2)" in svg and "UBM" not in svg  # empty layers are left out
    assert ">200 um</text>" in svg  # a round scale bar near a fifth of 1000 um


def test_region_draws_a_window_without_smearing_edges_onto_its_border():
    die = TECH.layers["DIE"]  # a marker: drawn as an outline
    rgb = np.array([int(die.color[i:i + 2], 16) for i in (1, 3, 5)])
    # a box reaching far outside the window on three sides; only its right edge is inside
    shapes = {"DIE": [geo.box(-500, -500, 50, 2000)],
              "RDL": [geo.box(5000, 5000, 5100, 5100)]}  # outside the window: left out
    img = png_image(shapes, tech=TECH, layers=["DIE", "RDL"], title="zoom", region=(0, 0, 100, 100))
    view = img[36:36 + 900, 24:24 + 900]
    hit = np.all(view == rgb, axis=2)
    cols = np.flatnonzero(hit.any(axis=0))
    assert set(cols) <= {449, 450}  # x = 50 um at 9 px per um, and nothing on the border
    assert hit[:, 449:451].any(axis=1).mean() > 0.99  # the edge runs through the whole window
    svg = svg_text(shapes, tech=TECH, layers=["DIE", "RDL"], title="zoom", region=(0, 0, 100, 100))
    assert 'clip-path="url(#window)"' in svg and 'id="RDL"' not in svg
    assert ">20 um</text>" in svg  # the scale bar follows the window


def test_captions_have_lower_case_letters():
    from wlpmask.io.font import draw_text, text_width

    a, b = (np.full((20, 40, 3), 255, dtype=np.uint8) for _ in range(2))
    draw_text(a, 0, 0, "pad", scale=2)
    draw_text(b, 0, 0, "PAD", scale=2)
    assert not np.array_equal(a, b) and (a == 0).any()
    assert text_width("pad", scale=2) == 36


def test_a_window_far_smaller_than_the_shapes_costs_what_its_pixels_cost():
    """A 1e-6 um window over shapes thousands of um long: the shapes are cut to the window
    before they are scaled (once, sampling their edges at 9e8 px per um asked for 262 TiB)."""
    import tracemalloc

    # RDL fills below the diagonal x + y = 0 that runs through the window's centre; the DIE
    # outline is one edge of that diagonal, thousands of um long either side of the window.
    tri = np.array([(-3000.0, -3000.0), (3000.0, -3000.0), (-3000.0, 3000.0)])
    shapes = {"RDL": [tri], "DIE": [tri]}
    region = (-5e-7, -5e-7, 5e-7, 5e-7)
    tracemalloc.start()
    try:
        img = png_image(shapes, tech=TECH, layers=["RDL", "DIE"], title="t", region=region)
        svg = svg_text(shapes, tech=TECH, layers=["RDL", "DIE"], title="t", region=region)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200e6
    assert 'id="RDL"' in svg
    view = img[36:36 + 900, 24:24 + 900].astype(int)
    rdl = np.array([int(TECH.layers["RDL"].color[i:i + 2], 16) for i in (1, 3, 5)])
    filled = np.all(np.abs(view - np.round(255 * 0.55 + rdl * 0.45)) <= 1, axis=2)
    rows, cols = np.mgrid[0:900, 0:900]
    below = cols < rows - 2  # lower left in the image (y points down): x + y < 0
    above = cols > rows + 2
    assert filled[below].mean() > 0.99 and not filled[above].any()
    die = np.array([int(TECH.layers["DIE"].color[i:i + 2], 16) for i in (1, 3, 5)])
    line = np.all(view == die, axis=2)
    assert line[np.abs(cols - rows) <= 1].mean() > 0.3 and not line[np.abs(cols - rows) > 2].any()


def test_filled_pixels_are_the_centres_inside_any_polygon():
    """The vectorised fill against a point-in-polygon test of every pixel centre (shapely),
    on overlapping polygons of both orientations."""
    import shapely

    from wlpmask.io.raster import fill_polygons

    rng = np.random.default_rng(3)
    polys = []
    for _ in range(60):
        c, r, m = rng.uniform(0, 60, 2), rng.uniform(1, 12), int(rng.integers(3, 10))
        ang = np.sort(rng.uniform(0, 2 * np.pi, m))[:: 1 if rng.random() < 0.5 else -1]
        polys.append(c + np.column_stack((np.cos(ang), np.sin(ang))) * r)
    mask = np.zeros((64, 64), dtype=bool)
    fill_polygons(mask, polys)
    union = shapely.union_all([shapely.Polygon(p) for p in polys])
    yy, xx = np.mgrid[0:64, 0:64] + 0.5
    inside = shapely.contains_xy(union, xx.ravel(), yy.ravel()).reshape(64, 64)
    on_edge = shapely.distance(union.boundary, shapely.points(xx.ravel(), yy.ravel())
                               ).reshape(64, 64) < 1e-9
    assert np.array_equal(mask[~on_edge], inside[~on_edge]) and mask.sum() > 500


def test_every_side_of_the_extent_is_drawn():
    # the box spans the drawing: its right and lower edges lie on the last pixel column/row
    img = png_image({"DIE": [geo.box(0, 0, 1000, 500)]}, tech=TECH, layers=["DIE"], title="t")
    die = np.array([int(TECH.layers["DIE"].color[i:i + 2], 16) for i in (1, 3, 5)])
    ys, xs = np.nonzero(np.all(img == die, axis=2))
    drawing = xs < 940  # not the legend's swatch (right of the drawing)
    xs, ys = xs[drawing], ys[drawing]
    left, right, top, bottom = xs.min(), xs.max(), ys.min(), ys.max()
    for side in (xs == left, xs == right):
        assert side.sum() > 0.9 * (bottom - top)
    for side in (ys == top, ys == bottom):
        assert side.sum() > 0.9 * (right - left)
