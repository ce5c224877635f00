"""KLayout report databases: what klayout.rdb reads back from our .lyrdb files."""

from __future__ import annotations

from pathlib import Path

import klayout.db as kdb
import klayout.rdb as rdb
import numpy as np
import pytest

from wlpmask.drc import DrcResult, Violation, run_drc
from wlpmask.io.lyrdb import Category, write_lyrdb
from wlpmask.tech import load_technology

PDK = Path(__file__).resolve().parents[2] / "pdk"


@pytest.fixture(scope="module")
def tech():
    return load_technology(PDK / "wlcsp_generic.toml")


def _load(path: Path) -> rdb.ReportDatabase:
    db = rdb.ReportDatabase("")
    db.load(str(path))
    return db


def _by_category(db: rdb.ReportDatabase) -> dict[str, list[rdb.RdbItem]]:
    names = {c.rdb_id(): c.name() for c in db.each_category()}
    out: dict[str, list] = {n: [] for n in names.values()}
    for item in db.each_item():
        out[names[item.category_id()]].append(item)
    return out


def test_items_per_category_and_values(tmp_path, tech):
    edge = Violation("RDL.W", "width", ("RDL",), 10.0, 8.5,
                     ((0.0, 0.0, 20.0, 0.0), (20.0, 8.5, 0.0, 8.5)), (0.0, 0.0, 20.0, 8.5))
    area = Violation("PI1.A", "min_area", ("PI1",), 962.0, 100.25, None,
                     (-5.0, -5.0, 5.0, 5.025))
    outside = Violation("RDL.IN", "inside", ("DIE", "RDL"), 0.0, 0.0, None,
                        (100.0, 100.0, 110.5, 101.0))
    result = DrcResult(violations=[edge, edge, area, outside],
                       rules_run=["RDL.W", "RDL.S", "PI1.A", "RDL.IN"])
    path = tmp_path / "r.lyrdb"
    write_lyrdb(result, path, cell="TOP", tech=tech, description="check", layout_file="x.gds")
    db = _load(path)
    assert db.top_cell_name == "TOP" and db.description == "check"
    assert [c.name() for c in db.each_cell()] == ["TOP"]
    items = _by_category(db)
    assert {k: len(v) for k, v in items.items()} == result.summary()
    desc = {c.name(): c.description for c in db.each_category()}
    for rid in ("RDL.W", "PI1.A"):
        rule = tech.rules[rid]
        assert desc[rid] == f"{rule.description} (min {rule.limit:g} {rule.unit})"
    (ep,) = [v for v in items["RDL.W"][0].each_value() if v.is_edge_pair()]
    assert ep.edge_pair() == kdb.DEdgePair(kdb.DEdge(0, 0, 20, 0), kdb.DEdge(20, 8.5, 0, 8.5))
    (box,) = [v for v in items["PI1.A"][0].each_value() if v.is_box()]
    assert box.box() == kdb.DBox(-5, -5, 5, 5.025)
    texts = [v.string() for v in items["PI1.A"][0].each_value() if v.is_string()]
    assert texts == ["measured 100.25 um2, required 962 um2"]


def test_real_check_counts_match(tmp_path, tech):
    """A DRC run written out: klayout.rdb counts the same items per rule as the result."""
    w, sp = tech.rules["RDL.W"].limit, tech.rules["RDL.S"].limit
    y1, y2 = 0.8 * w, 0.8 * w + 0.5 * sp  # too narrow, then too close
    rdl = [np.array([[0, 0], [20 * w, 0], [20 * w, y1], [0, y1]], float),
           np.array([[0, y2], [20 * w, y2], [20 * w, 4 * w], [0, 4 * w]], float)]
    result = run_drc({"RDL": rdl}, tech, rules=["RDL.W", "RDL.S"])
    assert result.violations
    path = tmp_path / "r.lyrdb"
    write_lyrdb(result, path, cell="TOP", tech=tech)
    counts = {k: len(v) for k, v in _by_category(_load(path)).items()}
    assert counts == result.summary() and counts["RDL.W"] >= 1 and counts["RDL.S"] >= 1


def test_process_check_categories_have_description_limit_and_unit(tmp_path, tech):
    depth = Violation("PROC.FILL_DEPTH", "process", ("PI2",), 0.5, 0.625, None,
                      (0.0, 0.0, 170.0, 170.0))
    ball = Violation("PROC.BALL_ON_OPENING", "process", ("BALL", "PI2"), 10.0, 7.25, None,
                     (0.0, 0.0, 250.0, 250.0))
    result = DrcResult(violations=[depth, ball],
                       rules_run=["RDL.W", "PROC.FILL_DEPTH", "PROC.BALL_ON_OPENING"])
    cats = {"PROC.FILL_DEPTH": Category("fill depth over opening diameter", "<=", 0.5, "ratio"),
            "PROC.BALL_ON_OPENING": Category("ball overhangs the opening", ">=", 10.0, "um")}
    path = tmp_path / "p.lyrdb"
    write_lyrdb(result, path, cell="TOP", tech=tech, categories=cats)
    db = _load(path)
    desc = {c.name(): c.description for c in db.each_category()}
    assert desc["PROC.FILL_DEPTH"] == "fill depth over opening diameter (ratio, max 0.5)"
    assert desc["PROC.BALL_ON_OPENING"] == "ball overhangs the opening (min 10 um)"
    assert desc["RDL.W"].endswith("(min 10 um)")  # rules keep their own description
    items = _by_category(db)
    texts = {k: [v.string() for v in it[0].each_value() if v.is_string()]
             for k, it in items.items() if it}
    assert texts["PROC.FILL_DEPTH"] == ["measured 0.625, required max 0.5"]  # a ratio: no um
    assert texts["PROC.BALL_ON_OPENING"] == ["measured 7.25 um, required min 10 um"]
