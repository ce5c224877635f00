"""The hierarchical check against the flat engine on small wafers: violations inside a die,
across the boundary of two dies, between a die and a mark; waived marks; clean arrays."""

from __future__ import annotations

import gdstk
import numpy as np
import pytest
import shapely

from tests.designs import PDK
from wlpmask.drc import run_drc
from wlpmask.drc.hier import run_drc_hier
from wlpmask.io.gds import flatten_layers
from wlpmask.tech import load_technology

TECH = load_technology(PDK)
RULES = [r for r in TECH.rules if not r.startswith("UBM")]
STEP = 1000.0


def rect(cell, layer, x0, y0, x1, y1):
    lay = TECH.layers[layer]
    cell.add(gdstk.rectangle((x0, y0), (x1, y1), layer=lay.gds[0], datatype=lay.gds[1]))


def flagged(violations):
    """What a check flags: rule, box and the unordered edge pair; edge pairs with their
    distance. A marker's measured value is left out: for a shape outside every outer shape of
    its cell, the flat engine measures against the nearest outer shape anywhere."""
    out = []
    for v in violations:
        if v.edge_pair is None:
            out.append((v.rule, v.bbox))
        else:
            out.append((v.rule, v.bbox, tuple(sorted(v.edge_pair)), v.measured_um))
    return sorted(out)


def compare(top, **kw):
    hier = run_drc_hier(top, TECH, rules=RULES, **kw)
    flat = run_drc(flatten_layers(top, TECH, dbu_um=TECH.grid_um), TECH, rules=RULES)
    return hier, flat


def die_cell(*, inside=False, edge=False) -> gdstk.Cell:
    """A 1 x 1 mm die: a clean pad opening; optionally a narrow RDL line inside, and RDL
    pieces at its edges that come too close to (or touch) the neighbours' pieces."""
    die = gdstk.Cell("die")
    rect(die, "DIE", 0, 0, STEP, STEP)
    rect(die, "PAD", 400, 400, 500, 500)
    rect(die, "RDL", 380, 380, 520, 520)
    rect(die, "PI1", 420, 420, 480, 480)
    if inside:
        rect(die, "RDL", 100, 100, 300, 105)   # RDL.W inside the die
        rect(die, "RDL", 100, 200, 300, 230)
        rect(die, "RDL", 100, 234, 300, 260)   # RDL.S inside the die
    if edge:
        rect(die, "RDL", 996, 600, 1000, 700)  # touches the right neighbour's piece: merged
        rect(die, "RDL", 960, 600, 996, 660)
        rect(die, "RDL", 975, 665, 985, 680)   # 5 um off that merged shape, near the edge
        rect(die, "RDL", 0, 600, 8, 640)       # a notch of the merged shape across the edge
        rect(die, "RDL", 500, 996, 540, 1000)  # 7 um below the upper neighbour's piece
        rect(die, "RDL", 500, 3, 540, 40)
    return die


def wafer(die, marks=()):
    top = gdstk.Cell("wafer")
    top.add(gdstk.Reference(die, (0, 0), columns=4, rows=3, spacing=(STEP, STEP)))
    for cell, at in marks:
        top.add(gdstk.Reference(cell, at))
    return top


def test_violations_inside_a_die():
    hier, flat = compare(wafer(die_cell(inside=True)))
    assert flagged(hier.result.violations) == flagged(flat.violations)
    counts = hier.result.summary()
    assert counts["RDL.W"] >= 12 and counts["RDL.S"] == 12  # once per die
    assert not any(hier.border.values())  # nothing where dies meet


def test_violations_across_the_boundary_of_two_dies():
    hier, flat = compare(wafer(die_cell(edge=True)))
    assert flagged(hier.result.violations) == flagged(flat.violations)
    assert hier.result.summary()["RDL.S"] > 0
    assert hier.border.get("RDL.S", 0) > 0  # found where the dies meet
    assert hier.result.summary()["RDL.W"] > 0


def mark_cell() -> gdstk.Cell:
    mark = gdstk.Cell("mark")
    rect(mark, "RDL", 0, 0, 200, 200)
    rect(mark, "PI1", 300, 0, 340, 40)  # outside any PAD and RDL: the mark's own violations
    return mark


def test_violations_between_a_die_and_a_mark():
    die = die_cell()
    near = wafer(die, [(mark_cell(), (4 * STEP + 5, 1000))])  # 5 um right of the array
    hier, flat = compare(near)
    assert flagged(hier.result.violations) == flagged(flat.violations)
    assert hier.border.get("RDL.S", 0) == 0  # the die's RDL is far from its edge...
    die2 = die_cell()
    rect(die2, "RDL", 990, 1100 - 1000, 1000, 1150 - 1000)
    close = wafer(die2, [(mark_cell(), (4 * STEP + 5, 1000))])
    hier, flat = compare(close)
    assert flagged(hier.result.violations) == flagged(flat.violations)
    assert hier.border.get("RDL.S", 0) > 0  # ...this one comes within 5 um of the mark


def test_waived_cells_keep_what_touches_others():
    die2 = die_cell()
    rect(die2, "RDL", 990, 100, 1000, 150)
    top = wafer(die2, [(mark_cell(), (4 * STEP + 5, 1000)), (mark_cell(), (6000, 6000))])
    hier = run_drc_hier(top, TECH, rules=RULES, waive={"mark"})
    full = run_drc_hier(top, TECH, rules=RULES)
    assert sum(hier.waived.values()) > 0
    kept = flagged(hier.result.violations)
    assert len(kept) == len(flagged(full.result.violations)) - sum(hier.waived.values())
    assert hier.result.summary()["RDL.S"] == full.result.summary()["RDL.S"] > 0


def test_clean_array_costs_one_die():
    die = die_cell()
    hier = run_drc_hier(wafer(die), TECH, rules=RULES)
    assert hier.result.clean
    assert hier.cells == {"wafer$own": 1, "die": 12}


@pytest.mark.parametrize("rotation", [0.5, 1.0])
def test_rotated_instances_are_cells_of_their_own(rotation):
    import math

    top = wafer(die_cell(inside=True))
    top.add(gdstk.Reference(die_cell(inside=True), (9000, 0), rotation=rotation * math.pi))
    hier, flat = compare(top)
    assert flagged(hier.result.violations) == flagged(flat.violations)
    assert len(hier.cells) == 3


RADIUS_TECH = """
[technology]
name = "radius_probe"
grid_um = 0.001

[layers.M]
gds = [1, 0]
purpose = "mask"
color = "#808080"

[rules."M.OPEN"]
kind = "outer_radius"
layer = "M"
min_um = 20.0

[rules."M.CLOSE"]
kind = "inner_radius"
layer = "M"
min_um = 20.0

[rules."M.CONVEX"]
kind = "convex_corner_radius"
layer = "M"
min_um = 20.0

[rules."M.CONCAVE"]
kind = "concave_corner_radius"
layer = "M"
min_um = 20.0
"""


def test_radius_kinds_where_instances_meet_agree_with_the_flat_check(tmp_path):
    """The radius kinds reach further than their distance: an opening by discs of R changes up
    to 2R from where shapes merge, a closing bridges gaps up to 2R, a corner is worked in a
    window of several R. Arrays of a cell whose shapes merge with, or come within those
    reaches of, the neighbours' give the flat engine's violations: the same per rule, each at
    the same place (markers drawn with polygonal discs may differ by a fraction of a um)."""
    from wlpmask.fillet import fillet
    from wlpmask.geometry import hole_free_rings

    (tmp_path / "t.toml").write_text(RADIUS_TECH)
    tech = load_technology(tmp_path / "t.toml")
    rng = np.random.default_rng(7)
    met = 0
    for k in range(8):
        cell = gdstk.Cell(f"c{k}")
        step = float(rng.choice([100, 130, 160]))
        parts = [shapely.box(x, y, x + w, y + h) for x, y, w, h in zip(
            *rng.integers(-20, int(step) - 10, (2, 4)), *rng.integers(15, 90, (2, 4)))]
        g = shapely.union_all(parts)
        if k % 2:
            g = fillet(g, convex_um=float(rng.integers(5, 30)),
                       concave_um=float(rng.integers(5, 30)), grid_um=0.001)
        for p in shapely.get_parts(g):
            for r in hole_free_rings(p):
                cell.add(gdstk.Polygon(r, layer=1))
        top = gdstk.Cell(f"top{k}")
        top.add(gdstk.Reference(cell, (0, 0), columns=3, rows=2, spacing=(step, step)))
        flat = run_drc(flatten_layers(top, tech, dbu_um=tech.grid_um), tech)
        hier = run_drc_hier(top, tech)
        assert hier.result.summary() == flat.summary(), k
        met += sum(hier.border.values()) > 0
        for rule in tech.rules:
            a = np.array(sorted(v.bbox for v in flat.violations if v.rule == rule))
            b = np.array(sorted(v.bbox for v in hier.result.violations if v.rule == rule))
            assert a.shape == b.shape and (not len(a) or np.abs(a - b).max() < 0.5), (k, rule)
    assert met >= 6  # most arrays meet their neighbours
