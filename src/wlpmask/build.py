"""The one build driver: header -> family load -> generate -> DRC + checks -> writers.

It knows no family: the family named in the design file's header loads its sections, draws its
product and runs its process checks; the driver runs the technology's rules on the layers the
product draws, and writes (docs/outputs.md): NAME.gds (hierarchical, reproducible),
NAME.drc.json and NAME.lyrdb (DRC and process checks), NAME.lyp and the KLayout session
NAME.lys that opens them all, manifest.json, NAME.svg and
NAME.png (the die), NAME.detail.png (a zoomed corner), plus files the design generated while
loading (a demo chip's GDS) and files the family adds; with a [wafer] section, the wafer step
(wlpmask.wafer) adds the wafer, its plates, maps, job deck and report. Everything is written
into a staging directory that replaces the output directory only when every file is complete.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .cells import CellCache
from .checks import ProcessCheck, as_violations
from .design import Design, load_design
from .drc import DrcResult, run_drc
from .errors import WlpmaskError
from .families import FAMILIES, Family
from .families.base import Product, Progress, quiet
from .io import json_text
from .io.gds import flatten_layers, write_gds
from .io.lyp import write_lyp
from .io.lyrdb import Category, write_lyrdb
from .io.lys import write_lys
from .io.outdir import MANIFEST, check_output_dir, staged_dir
from .io.preview import write_preview
from .tech import Technology
from .wafer import build_wafer

__all__ = ["BuildResult", "build", "output_names", "skipped_rules"]


@dataclass
class BuildResult:
    """What a build produced.

    Args:
        design: the loaded design.
        product: what the family drew (its report is `product.report`).
        out_dir: the output directory.
        files: the files written, sorted.
        drc: DRC violations plus failed process checks (kind "process").
        checks: every process check run.
        manifest: the manifest written as manifest.json.
        skipped_rules: rules not run (rule id -> reason).
        wafer: what the wafer step wrote and found (None without [wafer]).
    """

    design: Design
    product: Product
    out_dir: Path
    files: list[Path]
    drc: DrcResult
    checks: list[ProcessCheck]
    manifest: dict[str, Any] = field(default_factory=dict)
    skipped_rules: dict[str, str] = field(default_factory=dict)
    wafer: Any = None

    @property
    def report(self) -> Any:
        """The family's report data."""
        return self.product.report

    @property
    def drc_violations(self) -> int:
        """Design-rule violations (process checks not counted)."""
        return sum(1 for v in self.drc.violations if v.kind != "process")

    @property
    def ok(self) -> bool:
        """True when the build is clean and complete.

        The layout is DRC-clean, every process check passed, the family made everything it
        was asked for and the wafer (if any) is DRC-clean.
        """
        return (self.drc.clean and all(c.passed for c in self.checks) and self.report.ok
                and (self.wafer is None or self.wafer.ok))


def skipped_rules(tech: Technology, product: Product) -> dict[str, str]:
    """Rules on a layer the product does not draw: rule id -> reason.

    Args:
        tech: the technology.
        product: what the family drew (its roles, and why it leaves some out).
    """
    drawn = {lay.name for lay in product.roles.values()}
    out = {}
    for rid, rule in tech.rules.items():
        missing = [n for n in rule.layers if n not in drawn]
        if missing:
            why = product.absent.get(missing[0])
            out[rid] = (f"{missing[0]} not drawn ({why})" if why
                        else f"{missing[0]} not drawn by this product")
    return out


def output_names(name: str) -> tuple[str, ...]:
    """The files every build writes, for a design called `name`.

    Args:
        name: the design name.
    """
    return (f"{name}.gds", f"{name}.drc.json", f"{name}.lyrdb", f"{name}.lyp", f"{name}.lys",
            f"{name}.svg", f"{name}.png", f"{name}.detail.png", MANIFEST)


def _check_names(design: Design, extra: Mapping[str, bytes] = {}) -> None:  # noqa: B006
    """Fail when a generated or family file would overwrite another output."""
    taken = set(output_names(design.name))
    for fname in [*design.generated, *extra]:
        if fname in taken:
            raise WlpmaskError(f"file name {fname!r} collides with an output of the build; "
                               "give it another name", file=design.path)
        taken.add(fname)


def build(design_path: str | Path, out_dir: str | Path | None = None, *,
          families: Mapping[str, Family] = FAMILIES,
          progress: Progress = quiet) -> BuildResult:
    """Build a design into its output files.

    Args:
        design_path: the design file.
        out_dir: the output directory; None: layouts/out/NAME beside the design file.
        families: the family table (name -> family object).
        progress: where each step is reported (phase, done, total).

    Raises:
        WlpmaskError: bad input; nothing is written then.
    """
    progress("loading")
    design, fam = load_design(design_path, families=families)
    out = Path(out_dir) if out_dir is not None else Path(design.path).parent / "out" / design.name
    check_output_dir(out)
    _check_names(design)
    tech = design.tech
    product = fam.generate(design.part, tech=tech, cache=CellCache(), progress=progress)
    _check_names(design, {**product.files, **product.layouts, **product.handoff})
    progress("flattening")
    shapes = flatten_layers(product.top, tech, dbu_um=tech.grid_um)
    skipped = skipped_rules(tech, product)
    rules = [r for r in tech.rules if r not in skipped]
    drc = run_drc(shapes, tech, rules=rules,
                  progress=lambda i, rid: progress(f"DRC {rid}", i, len(rules)))
    progress("process checks")
    checks = fam.checks(design.part, product, shapes, tech)
    combined = DrcResult(
        violations=[*drc.violations, *as_violations(checks, die_box=product.die.box)],
        rules_run=[*drc.rules_run, *(c.id for c in checks)])
    result = BuildResult(design, product, out, [], combined, checks, skipped_rules=skipped)
    progress("writing")
    with staged_dir(out) as tmp:
        _write_all(result, fam, shapes, tmp)
        if design.wafer is not None:
            _write_wafer(result, fam, shapes, rules, tmp, progress)
    result.files = [out / p.relative_to(tmp) for p in result.files]
    return result


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_all(result: BuildResult, fam: Family, shapes, tmp: Path) -> None:
    design, product = result.design, result.product
    tech, name = design.tech, design.name
    gds = f"{name}.gds"
    write_gds(tmp / gds, product.top, tech=tech, extra_properties={
        "design": name, "design_sha256": design.inputs[design.path]})
    report = result.drc.to_json(layout=gds, cell=product.top.name, technology=tech.name)
    report["process_checks"] = [c.to_json() for c in result.checks]
    (tmp / f"{name}.drc.json").write_text(json_text(report), encoding="utf-8")
    write_lyrdb(result.drc, tmp / f"{name}.lyrdb", cell=product.top.name, tech=tech,
                description=f"{name}: DRC and process checks", layout_file=gds,
                categories={c.id: Category(c.description, c.comparison, c.required, c.unit)
                            for c in result.checks})
    write_lyp(tech, tmp / f"{name}.lyp")
    write_lys(tmp / f"{name}.lys", gds=tmp / gds, lyp=tmp / f"{name}.lyp",
              lyrdb=tmp / f"{name}.lyrdb", top=product.top)
    die = product.die
    title = f"{name} ({die.width_um:g} x {die.height_um:g} um)"
    for ext in ("svg", "png"):
        write_preview(tmp / f"{name}.{ext}", shapes, tech=tech, layers=product.preview_layers,
                      title=title)
    if product.detail is not None:
        write_preview(tmp / f"{name}.detail.png", shapes, tech=tech,
                      layers=product.preview_layers, title=f"{name}: {product.detail.caption}",
                      region=product.detail.region_um)
    for fname, cell in sorted(product.layouts.items()):
        write_gds(tmp / fname, cell, tech=tech, extra_properties={
            "design": name, "design_sha256": design.inputs[design.path]})
    for fname, data in sorted({**design.generated, **product.files,
                               **product.handoff}.items()):
        (tmp / fname).write_bytes(data)
    files = sorted(p.name for p in tmp.iterdir())
    result.manifest = _manifest(result, fam, shapes, {f: _sha(tmp / f) for f in files})
    (tmp / MANIFEST).write_text(json_text(result.manifest), encoding="utf-8")
    result.files = [tmp / f for f in sorted([*files, MANIFEST])]


def _write_wafer(result: BuildResult, fam: Family, shapes, rules: list[str], tmp: Path,
                 progress: Progress) -> None:
    """The wafer step (wlpmask.wafer), then the file list and manifest again with its keys."""
    result.wafer = build_wafer(tmp, design=result.design, product=result.product,
                               drc=result.drc, checks=result.checks, rules=rules,
                               skipped=result.skipped_rules, die_shapes=shapes,
                               progress=progress)
    files = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*")
                   if p.is_file() and p.name != MANIFEST)
    result.manifest = _manifest(result, fam, shapes, {f: _sha(tmp / f) for f in files})
    _merge(result.manifest, result.wafer.manifest, "the wafer step")
    (tmp / MANIFEST).write_text(json_text(result.manifest), encoding="utf-8")
    result.files = [tmp / f for f in sorted([*files, MANIFEST])]


def _merge(manifest: dict[str, Any], keys: Mapping[str, Any], who: str) -> None:
    """Add keys to the manifest; a key that is taken is a defect of the code, not of the input.

    The names are an interface: each has one meaning.
    """
    taken = sorted(set(manifest) & set(keys))
    if taken:
        raise RuntimeError(f"{who} writes manifest keys the build already wrote: {taken}")
    manifest.update(keys)


def _manifest(result: BuildResult, fam: Family, shapes,
              outputs: dict[str, str]) -> dict[str, Any]:
    design, product = result.design, result.product
    checks = result.checks
    drc_only = [v for v in result.drc.violations if v.kind != "process"]
    check_ids = {c.id for c in checks}
    summary = {k: v for k, v in result.drc.summary().items() if k not in check_ids}
    die = product.die
    out: dict[str, Any] = {
        "tool": "wlpmask", "version": __version__,
        "design": design.name, "design_file": design.path, "family": design.family,
        "technology": design.tech.name, "technology_file": design.tech_path,
        "inputs": dict(design.inputs),
        "generated_inputs": sorted(design.generated),
        "outputs": outputs,
        "top_cell": product.top.name,
        "cells": sorted(c.name for c in product.top.dependencies(True)),
        "die": {"width_um": die.width_um, "height_um": die.height_um,
                "dicing_lane_um": die.dicing_lane_um,
                "seal_ring_um": die.seal_ring_um, "keepout_um": die.keepout_um},
        "roles": {role: {"layer": lay.name, "gds": list(lay.gds)}
                  for role, lay in product.roles.items()},
        "masks": [m.to_json() for m in product.masks],
        "layouts": sorted(product.layouts),
        "handoff": sorted(product.handoff),
    }
    family_keys = fam.manifest(design.part, product)
    detail = product.detail
    out.update({
        "polygons": {name: len(polys) for name, polys in shapes.items()},
        "detail_preview": None if detail is None else {
            "file": f"{design.name}.detail.png", "corner": detail.corner,
            "region_um": list(detail.region_um)},
        "drc": {"rules": [r for r in result.drc.rules_run if r not in check_ids],
                "rules_run": len(result.drc.rules_run) - len(checks),
                "violations": len(drc_only), "summary": summary,
                "rules_skipped": result.skipped_rules},
        "checks": {"run": len(checks), "passed": sum(c.passed for c in checks),
                   "results": {c.id: c.passed for c in checks}},
        "notes": list(design.notes) + list(product.notes),
        "ok": result.ok,
    })
    _merge(out, family_keys, f"the {fam.name} family")
    return out
