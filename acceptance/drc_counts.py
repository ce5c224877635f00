"""DRC violation counts against KLayout's golden results (extmat/EXPECTED_DRC_COUNTS.csv).

Rows checked: euclidian (default-metric) width, space, separation and enclosing rows of the
KLayout DRC suite inputs, run through the low-level edge-pair checks on the GDS's own database
unit; and the IHP SG13G2 rules listed in IHP_RULES, run end to end through run_drc with
pdk/ihp_sg13g2_bump.toml. Other options (square, projection, whole_edges, touching filters,
...) are not implemented and their rows are skipped. Rows whose golden runs on an unmerged
layer (the "raw" row of drcSimpleTests_90; drcSimpleTests_25, whose DRC script checks its
raw input layer) use space_pairs(semantics="none" / "local").
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import gdstk
import numpy as np

from wlpmask.drc import enclosing_pairs, run_drc, separation_pairs, space_pairs, width_pairs
from wlpmask.tech import load_technology

ROOT = Path(__file__).resolve().parent.parent
IHP_TECH = ROOT / "pdk" / "ihp_sg13g2_bump.toml"
IHP_RULES = ("Pas.a", "Pas.b", "TM2.a", "TM2.b", "Padb.b", "Padb.d", "Padc.b")
CHECKS = {"width", "space", "separation", "enclosing"}
DEFAULT_OPTIONS = {"euclidian (default)", "euclidian", "default",
                   "default (kissing corners reported)"}
# Rows whose golden runs on the unmerged layer: drcSimpleTests_25's script checks its raw input
# (merged locally around each shape); the "raw" row of drcSimpleTests_90 turns merged
# semantics off (every shape as drawn).
LOCAL_MERGE_ROWS = {("klayout_drc/drcSimpleTests_25.gds", "space")}


def _cell_polygons(gds: Path, cell_name: str):
    """(dbu in um, {(layer, datatype): [int64 (N,2) arrays]}) of a cell, flattened."""
    lib = gdstk.read_gds(str(gds), unit=1e-6)
    dbu = lib.precision / 1e-6
    cells = {c.name: c for c in lib.cells}
    if cell_name not in cells:
        raise KeyError(f"{gds.name}: no cell {cell_name!r}")
    out: dict[tuple[int, int], list[np.ndarray]] = {}
    for p in cells[cell_name].get_polygons():
        out.setdefault((p.layer, p.datatype), []).append(
            np.round(p.points / dbu).astype(np.int64))
    return dbu, out, cells[cell_name]


def _layers(spec: str) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in re.findall(r"(\d+)/(\d+)", spec)]


def _suite_row(extmat: Path, row: dict) -> tuple[str, int | None, str]:
    """Run one KLayout-suite row; returns (description, count or None, note)."""
    dbu, polys, _ = _cell_polygons(extmat / row["input"], row["cell"])
    lay = _layers(row["layers"])
    d = int(round(float(row["value_um"]) / dbu))
    get = lambda key: polys.get(key, [])  # noqa: E731
    check = row["check"]
    semantics = "none" if "raw" in row["layers"] else \
        "local" if (row["input"], check) in LOCAL_MERGE_ROWS else "merged"
    if semantics != "merged" and check != "space":
        return f"{check} {row['layers']}", None, "unmerged input only for space"
    if check == "width":
        n = len(width_pairs(get(lay[0]), d))
    elif check == "space":
        n = len(space_pairs(sum((get(k) for k in lay), []), d, semantics=semantics))
    elif check == "separation":
        n = len(separation_pairs(get(lay[0]), get(lay[1]), d))
    else:
        n = len(enclosing_pairs(get(lay[0]), get(lay[1]), d))
    mode = f" [{semantics}]" if semantics != "merged" else ""
    return f"{check} {row['layers']} {row['value_um']}{mode}", n, ""


def _ihp_row(extmat: Path, row: dict, tech) -> tuple[str, int | None, str]:
    rule = row["check"].split()[0]
    gds = extmat / row["input"]
    lib = gdstk.read_gds(str(gds), unit=1e-6)
    cell = {c.name: c for c in lib.cells}[row["cell"]]
    shapes = {}
    for name, layer in tech.layers.items():
        polys = cell.get_polygons(layer=layer.gds[0], datatype=layer.gds[1])
        if polys:
            shapes[name] = [p.points for p in polys]
    result = run_drc(shapes, tech, rules=[rule])
    return f"{rule} ({tech.rules[rule].kind} {tech.rules[rule].limit} um)", \
        result.summary()[rule], ""


def run(extmat: Path) -> bool:
    """Print one line per golden row: input, check, expected, got, OK/DIFF."""
    table = extmat / "EXPECTED_DRC_COUNTS.csv"
    tech = load_technology(IHP_TECH)
    ok = True
    with open(table, newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        expected = int(row["expected_violations"])
        name = f"{row['input']}:{row['cell']}"
        if row["input"].startswith("ihp_sg13g2/"):
            if row["check"].split()[0] not in IHP_RULES:
                continue
            desc, got, note = _ihp_row(extmat, row, tech)
        else:
            if row["check"] not in CHECKS or row["options"] not in DEFAULT_OPTIONS:
                continue
            desc, got, note = _suite_row(extmat, row)
        if got is None:
            print(f"{name:45s} {desc:40s} expected {expected:3d}  got   -  N/A ({note})")
            continue
        status = "OK" if got == expected else "DIFF"
        ok &= got == expected
        print(f"{name:45s} {desc:40s} expected {expected:3d}  got {got:3d}  {status}")
    return ok
