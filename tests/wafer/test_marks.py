"""Alignment marks: pairs follow the mask sequence, gaps follow the overlay tolerance, features
keep the layers' rules, and no die overlaps a mark site."""

from __future__ import annotations

import klayout.db as db
import pytest
import shapely

from tests.designs import PDK
from wlpmask.cells import CellCache
from wlpmask.drc import run_drc
from wlpmask.errors import WlpmaskError
from wlpmask.families.base import MaskStep
from wlpmask.io.gds import flatten_layers
from wlpmask.tech import load_technology
from wlpmask.wafer.marks import FINE_GAP_PER_TOLERANCE, GAP_FACTORS, mark_pairs, mark_site

TECH = load_technology(PDK)
L = TECH.layers
ROLES = {n: L[n] for n in ("PAD", "PI1", "RDL", "PI2", "UBM")}
MASKS = (MaskStep(1, "PI1", L["PI1"], "", "PAD"), MaskStep(2, "RDL", L["RDL"], "", "PI1"),
         MaskStep(3, "PI2", L["PI2"], "", "RDL"), MaskStep(4, "UBM", L["UBM"], "", "PI2"))


def test_pairs_follow_the_mask_sequence():
    pairs = mark_pairs(MASKS, ROLES)
    assert [(p.step, p.outer.name, p.inner.name) for p in pairs] == [
        (2, "PI1", "RDL"), (3, "RDL", "PI2"), (4, "PI2", "UBM")]
    with pytest.raises(WlpmaskError, match="aligns to role 'PI9'"):
        mark_pairs((*MASKS, MaskStep(5, "X", L["UBM"], "", "PI9")), ROLES)


def _squares(shapes: list) -> list:
    return [shapely.Polygon(p) for p in shapes]


@pytest.mark.parametrize("tol", [0.5, 1.0, 2.0])
def test_box_in_box_gaps_follow_the_tolerance(tol):
    site = mark_site(mark_pairs(MASKS[:2], ROLES), MASKS[:2], tech=TECH, tolerance_um=tol,
                     name="m", cache=CellCache())
    shapes = flatten_layers(site.cell, TECH)
    outer = shapely.union_all(_squares(shapes["PI1"]))
    inner = _squares(shapes["RDL"])
    # each box-in-box level: an inner square on RDL sitting in a window of the PI1 frame
    gaps = []
    for sq in inner:
        x0, y0, x1, y1 = sq.bounds
        if abs((x1 - x0) - (y1 - y0)) > 1e-9:
            continue  # a vernier bar or the CD bar
        window = [h for part in getattr(outer, "geoms", [outer]) for h in part.interiors
                  if shapely.Polygon(h).contains(sq)]
        if window:
            gaps.append(round(sq.exterior.distance(shapely.Polygon(window[0]).exterior), 6))
    fine = FINE_GAP_PER_TOLERANCE * tol
    assert sorted(gaps) == sorted(round(f * fine, 6) for f in GAP_FACTORS)


def test_features_keep_the_width_rule_of_their_layer():
    site = mark_site(mark_pairs(MASKS, ROLES), MASKS, tech=TECH, tolerance_um=1.0, name="m",
                     cache=CellCache())
    widths = [r for r, rule in TECH.rules.items() if rule.kind == "width"]
    result = run_drc(flatten_layers(site.cell, TECH), TECH, rules=widths)
    assert set(result.rules_run) == {"PI1.W", "RDL.W", "PI2.W", "UBM.W"}
    assert result.clean, result.summary()


def test_no_die_overlaps_a_mark(plain):
    w = plain.manifest["wafer"]

    ly = db.Layout()
    ly.read(str(plain.out_dir / "t.wafer.gds"))
    top = ly.top_cell()
    die = next(c for c in ly.each_cell() if c.name == "t")
    marks = next(c for c in ly.each_cell() if c.name.endswith("_marks"))
    dies, sites = [], []
    for inst in top.each_inst():
        boxes = sites if inst.cell_index == marks.cell_index() else dies
        for t in inst.cell_inst.each_trans():
            boxes.append(ly.cell(inst.cell_index).bbox().transformed(t))
    assert die.bbox().width() == int(round(w["step_um"][0] / ly.dbu))
    assert len(dies) == w["dies"] and len(sites) == len(w["marks_um"]) >= 2
    keep = int(round(w["mark_keepout_um"] / ly.dbu))
    for s in sites:
        grown = s.enlarged(keep, keep)
        assert not any(d.overlaps(grown) for d in dies)


def test_klayout_and_wlpmask_flag_the_same_in_a_mark_site(tmp_path):
    # the marks' own violations (waived on a wafer) are counted alike by both engines: frames
    # are wide enough that only their window faces the inner square
    from wlpmask.io.gds import write_gds

    site = mark_site(mark_pairs(MASKS, ROLES), MASKS, tech=TECH, tolerance_um=1.0, name="m",
                     cache=CellCache())
    rules = [r for r, rule in TECH.rules.items() if rule.kind in ("enclosure", "separation")]
    ours = run_drc(flatten_layers(site.cell, TECH, dbu_um=TECH.grid_um), TECH,
                   rules=rules).summary()
    write_gds(tmp_path / "m.gds", site.cell, tech=TECH)
    ly = db.Layout()
    ly.read(str(tmp_path / "m.gds"))

    def region(name):
        return db.Region(ly.top_cell().begin_shapes_rec(ly.layer(*TECH.layers[name].gds)))

    theirs = {}
    for rid in rules:
        rule = TECH.rules[rid]
        a, b = (region(n) for n in rule.layers)
        d = int(round(rule.limit / ly.dbu))
        if rule.kind == "separation":
            theirs[rid] = a.separation_check(b, d).count()
        else:
            theirs[rid] = a.enclosing_check(b, d).count() + (b - a).merged().count()
    assert ours == theirs
    assert ours["RDL.EN.PI2"] > 0  # the PI2 squares and bars lie outside any RDL
