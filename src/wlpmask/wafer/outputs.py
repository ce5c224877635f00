"""The wafer step of a build: plan, wafer GDS, wafer DRC, plates, maps, job deck, report.

Called by the build driver after the die's outputs are written, into the same staging
directory, when the design has a [wafer] section. It knows no family: it reads the product's
top cell, die frame, mask sequence, roles and hand-off files only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gdstk

from ..cells import CellCache, drawn_layers
from ..drc import DrcResult
from ..drc.hier import run_drc_hier
from ..families.base import Product, Progress, quiet
from ..io import json_text
from ..io.gds import flatten_layers, write_gds
from ..io.preview import write_preview
from ..tech import Technology
from .deck import DECK_FILE, MALY_FILE, deck_json, maly_file, wafer_record
from .layout import plan_wafer, wafer_cell
from .maps import map_files
from .plates import make_plates
from .report import ReportInput, report_html

__all__ = ["WaferResult", "build_wafer"]


@dataclass
class WaferResult:
    """What the wafer step wrote and found.

    Args:
        manifest: the keys it adds to manifest.json (wafer, wafer_drc, plates, report).
        drc: the wafer's DRC result (marks' own violations waived).
        files: the files written, relative to the output directory.
    """

    manifest: dict[str, Any]
    drc: DrcResult
    files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the wafer is DRC-clean (waived violations aside)."""
        return self.drc.clean

    def summary_lines(self) -> list[str]:
        """The build's summary line of the wafer."""
        w = self.manifest["wafer"]
        n = len(self.drc.violations)
        return [f"wafer {w['diameter_mm']:g} mm: {w['dies']} dies, "
                f"{len(self.manifest['plates'])} plates, wafer DRC {n} violations"]


def wafer_rules(cell: gdstk.Cell, tech: Technology,
                rules: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """The die's rules that apply on the wafer: those whose layers the stepped cell draws.

    A product made of several parts steps one of them (chip 1 of a chip-on-chip package): a
    rule between its layers and another part's (a land of the lead frame around a second
    bump) does not apply on that wafer and is skipped with the reason.

    Args:
        cell: the stepped cell.
        tech: the technology.
        rules: the rule ids the die's DRC ran.

    Returns:
        (rule ids to run, rule id -> why it is skipped).
    """
    present = drawn_layers(cell)
    run, skipped = [], {}
    for rid in rules:
        absent = [n for n in tech.rules[rid].layers if tech.layers[n].gds not in present]
        if absent:
            skipped[rid] = f"{absent[0]} is not on this wafer (not drawn in {cell.name})"
        else:
            run.append(rid)
    return run, skipped


def _write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def build_wafer(folder: Path, *, design: Any, product: Product, drc: DrcResult,
                checks: Sequence[Any], rules: Sequence[str], skipped: Mapping[str, str],
                die_shapes: Mapping[str, Sequence], progress: Progress = quiet) -> WaferResult:
    """Write the wafer outputs of a design into folder.

    Args:
        folder: the output (staging) directory.
        design: the loaded design (name, tech, wafer section).
        product: what the family drew.
        drc: the die's DRC and process-check result.
        checks: the die's process checks.
        rules: the rule ids the die's DRC ran.
        skipped: rules not run -> why.
        die_shapes: the die's flattened layers (um), for the mask previews.
        progress: where the long steps are reported.
    """
    tech, name, grid = design.tech, design.name, design.tech.grid_um
    rules, off_wafer = wafer_rules(product.stepped_cell, tech, rules)
    progress("stepping")
    plan = plan_wafer(design.wafer, product, tech=tech, rules=rules, cache=CellCache())
    top = wafer_cell(plan, product.stepped_cell, name=f"{name}_wafer", grid_um=grid)
    props = {"design": name, "design_sha256": design.inputs[design.path]}
    write_gds(folder / f"{name}.wafer.gds", top, tech=tech, extra_properties=props)
    hier = run_drc_hier(top, tech, rules=rules, waive={plan.site.cell.name},
                        progress=lambda i, rid: progress(f"wafer DRC {rid}", i, len(rules)))
    wdrc = {"rules_run": len(rules), "violations": len(hier.result.violations),
            "summary": hier.result.summary(), "waived": hier.waived, "cells": len(hier.cells),
            "rules_skipped": off_wafer}
    report = hier.result.to_json(layout=f"{name}.wafer.gds", cell=top.name,
                                 technology=tech.name)
    report["waived"] = hier.waived
    _write(folder / f"{name}.wafer.drc.json", json_text(report))
    plates = make_plates(plan, product, name=name, grid_um=grid, progress=progress)
    sha = {}
    for k, p in enumerate(plates):
        progress("writing plates", k, len(plates))
        (folder / p.file).parent.mkdir(parents=True, exist_ok=True)
        write_gds(folder / p.file, p.cell, tech=tech, extra_properties=props)
        sha[p.file] = hashlib.sha256((folder / p.file).read_bytes()).hexdigest()
        lay = p.mask.layer.name
        write_preview(folder / p.file.replace(".gds", ".svg"), die_shapes, tech=tech,
                      layers=[n for n in ("DIE", lay) if n in die_shapes],
                      title=f"{name}: step {p.mask.step} {lay} (die, as drawn)")
    if plates:
        write_preview(folder / "masks" / "marks.svg", flatten_layers(plan.site.cell, tech),
                      tech=tech, layers=list(dict.fromkeys(
                          [m.layer.name for m in product.stepped_masks]
                          + [pr.outer.name for pr in plan.pairs])),
                      title=f"{name}: alignment-mark site")
    for fname, data in map_files(plan, name=name).items():
        _write(folder / fname, data)
    deck = deck_json(plates, plan, name=name, tech=tech, sha256=sha)
    _write(folder / DECK_FILE, json_text(deck))
    _write(folder / MALY_FILE, maly_file(plates, name=name))
    _write(folder / "report.html", report_html(ReportInput(
        design, product, drc, checks, skipped, deck, wdrc, folder)))
    manifest = {"wafer": wafer_record(plan), "wafer_drc": wdrc,
                "plates": [p.file for p in plates], "job_deck": DECK_FILE,
                "mask_set": MALY_FILE, "report": "report.html"}
    return WaferResult(manifest, hier.result)
