"""Cell helpers: stable names, the explicit cache, array references, grid-snapped polygons."""

from __future__ import annotations

import subprocess
import sys

import gdstk
import numpy as np
import pytest

from wlpmask.cells import CellCache, add_array, cell_name, polygon
from wlpmask.errors import WlpmaskError
from wlpmask.tech import Layer


def test_cell_name_is_readable_and_stable():
    name = cell_name("bump", diameter_um=250, shape="octagon")
    assert name.startswith("bump_diameter250_shapeoctagon_") and len(name.split("_")[-1]) == 8
    assert name == cell_name("bump", shape="octagon", diameter_um=250.0)  # order, int/float
    assert cell_name("bump", diameter_um=0.1 + 0.2) == cell_name("bump", diameter_um=0.3)
    assert cell_name("bump", diameter_um=250) != cell_name("bump", diameter_um=250.001)
    assert cell_name("bump") == "bump"
    # The same in another interpreter (no per-process hash seed).
    code = "from wlpmask.cells import cell_name; print(cell_name('bump', diameter_um=250, " \
           "shape='octagon'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == name


def test_cell_name_stays_short_and_unique():
    a = cell_name("pad", **{f"p{i}_um": float(i) for i in range(30)})
    b = cell_name("pad", **{f"p{i}_um": float(i) + (i == 29) for i in range(30)})
    assert len(a) <= 49 and a != b
    assert cell_name("via", offset_um=-1.5, size=(2, 3)).startswith("via_offsetm1p5_size2x3_")
    with pytest.raises(WlpmaskError):
        cell_name("bad name")
    with pytest.raises(WlpmaskError):
        cell_name("x", w=float("nan"))


def test_cache_builds_once():
    cache = CellCache()
    calls = []

    def build(*, d_um: float) -> gdstk.Cell:
        calls.append(d_um)
        c = gdstk.Cell("tmp")
        c.add(gdstk.regular_polygon((0, 0), d_um / 2, 8))
        return c

    a = cache.cell("pad", build, d_um=35)
    b = cache.cell("pad", build, d_um=35.0)
    c = cache.cell("pad", build, d_um=40)
    assert a is b and a is not c and calls == [35, 40]
    assert a.name == cell_name("pad", d_um=35) and a.name in cache and len(cache) == 2
    assert [x.name for x in cache.cells()] == sorted([a.name, c.name])
    assert CellCache().cell("pad", build, d_um=35) is not a  # no shared registry


def test_add_array_is_one_aref():
    child = gdstk.Cell("C")
    child.add(gdstk.rectangle((0, 0), (1, 1)))
    parent = gdstk.Cell("P")
    ref = add_array(parent, child, columns=3, rows=2, pitch_x_um=10, pitch_y_um=5,
                    origin=(1, 2))
    assert parent.references == [ref]
    assert (ref.repetition.columns, ref.repetition.rows) == (3, 2)
    offsets = {(float(x) + 1, float(y) + 2) for x, y in ref.repetition.get_offsets()}
    assert offsets == {(1 + 10 * i, 2 + 5 * j) for i in range(3) for j in range(2)}
    single = add_array(parent, child, columns=1, rows=1, pitch_x_um=0, pitch_y_um=0)
    assert single.repetition.size == 0
    for bad in ({"columns": 0}, {"rows": 40000}, {"pitch_x_um": 0.0}, {"columns": 2.5}):
        kwargs = {"columns": 2, "rows": 2, "pitch_x_um": 1.0, "pitch_y_um": 1.0, **bad}
        with pytest.raises(WlpmaskError):
            add_array(parent, child, **kwargs)


def test_polygon_snaps_to_grid():
    layer = Layer("RDL", (74, 20), "mask", "clear", 0.0, "#000000", 5, "")
    p = polygon([(0.0004, 0), (10.0006, 0), (10.0014, 5), (0, 5)], layer, grid_um=0.001)
    assert (p.layer, p.datatype) == (74, 20)
    assert np.array_equal(p.points, [[0, 0], [10.001, 0], [10.001, 5], [0, 5]])
    # Vertices that snap onto each other are merged; a closing vertex is dropped.
    q = polygon([(0, 0), (0.0001, 0), (1, 0), (1, 1), (0, 0)], (1, 0), grid_um=0.001)
    assert len(q.points) == 3
    with pytest.raises(WlpmaskError):
        polygon([(0, 0), (0.0001, 0.0001), (0.0002, 0)], (1, 0), grid_um=0.001)
    with pytest.raises(WlpmaskError):
        polygon([(0, 0), (1, 0)], (1, 0), grid_um=0)
