"""The build pipeline: design file -> cells -> RDL routing -> DRC and process checks -> files.

Outputs (in the output directory, docs/outputs.md): NAME.gds (hierarchical, reproducible),
NAME.drc.json and NAME.lyrdb (DRC and process checks), NAME.lyp, manifest.json, NAME.svg and
NAME.png (the die), NAME.detail.png (a zoomed corner), plus any file the design generated while
loading (a demo chip's GDS). Everything is written into a temporary directory first and moved
into place only when every file is complete, so an error never leaves a half-written set.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .checks import ProcessCheck, as_violations, run_process_checks
from .design import Design, load_design
from .drc import DrcResult, run_drc
from .errors import WlpmaskError
from .families import wlcsp
from .io import json_text
from .io.gds import flatten_layers, write_gds
from .io.lyp import write_lyp
from .io.lyrdb import Category, write_lyrdb
from .io.preview import write_preview


@dataclass
class BuildResult:
    """What a build produced.

    Args:
        design: the loaded design.
        out_dir: the output directory.
        files: the files written, sorted.
        drc: DRC violations plus failed process checks (kind "process").
        checks: every process check run.
        routed: routed net names; unrouted: net -> reason.
        assignment: pad name -> bump name.
        total_length_um: RDL centre-line length of the routed nets.
        manifest: the manifest written as manifest.json.
        skipped_rules: rules not run (rule id -> reason).
        teardrops: what the teardrop step did.
    """

    design: Design
    out_dir: Path
    files: list[Path]
    drc: DrcResult
    checks: list[ProcessCheck]
    routed: list[str]
    unrouted: dict[str, str]
    assignment: dict[str, str]
    total_length_um: float
    manifest: dict[str, Any] = field(default_factory=dict)
    skipped_rules: dict[str, str] = field(default_factory=dict)
    teardrops: wlcsp.TeardropReport = field(default_factory=wlcsp.TeardropReport)

    @property
    def drc_violations(self) -> int:
        return sum(1 for v in self.drc.violations if v.kind != "process")

    @property
    def ok(self) -> bool:
        """True when the layout is DRC-clean, every process check passed and every net routed."""
        return self.drc.clean and all(c.passed for c in self.checks) and not self.unrouted


def _default_router() -> Callable[..., Any] | None:
    try:
        from .routing import route_rdl
    except ImportError:
        return None
    return route_rdl


def skipped_rules(design: Design) -> dict[str, str]:
    """Rules on an optional layer the design does not draw (UBM, stencil): id -> reason."""
    off = {design.layers[r]: r for r, on in (("UBM", design.ubm),
                                             ("STENCIL", design.stencil.enabled))
           if not on and r in design.layers}
    out = {}
    for rid, rule in design.tech.rules.items():
        hit = [off[n] for n in rule.layers if n in off]
        if hit:
            out[rid] = f"{hit[0]} not drawn ([{hit[0].lower()}] enabled = false)"
    return out


def detail_region(design: Design) -> tuple[float, float, float, float] | None:
    """The window of the zoomed detail preview: a square at the design's detail corner, by
    default reaching one and a half pitches past the bump nearest to that corner (so the
    corner bump, its neighbours' edges and the pads beside them show); None: no detail.

    Args:
        design: the design ([preview] detail_corner and detail_um).
    """
    corner = design.preview.detail_corner
    if corner == "none":
        return None
    w, h = design.die.width_um, design.die.height_um
    right, top = corner.endswith("right"), corner.startswith("upper")

    def to_corner(x: float, y: float) -> tuple[float, float]:
        return (w - x if right else x, h - y if top else y)

    side = design.preview.detail_um
    if side is None:
        b = design.bumps
        near = min((to_corner(s.x_um, s.y_um) for s in b.sites), key=lambda p: p[0] + p[1])
        side = max(near) + 1.5 * (b.pitch_um or b.dims.min_pitch_um)
    side = min(side, w, h)
    x0 = w - side if right else 0.0
    y0 = h - side if top else 0.0
    return (x0, y0, x0 + side, y0 + side)


def build(design_path: str | Path, out_dir: str | Path | None = None, *,
          router: Callable[..., Any] | None | str = "default") -> BuildResult:
    """Build a design into its output files.

    Args:
        design_path: the design file.
        out_dir: the output directory; None: layouts/out/NAME beside the design file.
        router: a route_rdl-compatible function; "default": wlpmask.routing.route_rdl if it
            imports; None: no routing (every net reported unrouted).

    Raises:
        WlpmaskError: bad input; nothing is written then.
    """
    design = load_design(design_path)
    out = Path(out_dir) if out_dir is not None else Path(design.path).parent / "out" / design.name
    if out.exists() and not out.is_dir():
        raise WlpmaskError("output path exists and is not a directory", file=out)
    rt = wlcsp.route_design(design, router=_default_router() if router == "default" else router)
    top = wlcsp.assemble(design, rdl=rt.polygons)
    tech = design.tech
    shapes = flatten_layers(top, tech, dbu_um=tech.grid_um)
    skipped = skipped_rules(design)
    drc = run_drc(shapes, tech, rules=[r for r in tech.rules if r not in skipped])
    checks = run_process_checks(shapes, design=design)
    die_box = (0.0, 0.0, design.die.width_um, design.die.height_um)
    combined = DrcResult(violations=[*drc.violations, *as_violations(checks, die_box=die_box)],
                         rules_run=[*drc.rules_run, *(c.id for c in checks)])
    result = BuildResult(design, out, [], combined, checks, rt.routed, rt.unrouted,
                         rt.assignment, rt.total_length_um, skipped_rules=skipped,
                         teardrops=rt.teardrops)
    _write_all(result, top, shapes)
    return result


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_all(result: BuildResult, top, shapes) -> None:
    design, out = result.design, result.out_dir
    tech, name = design.tech, design.name
    try:
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.build-", dir=out))
    except OSError as exc:
        raise WlpmaskError(f"cannot create the output directory: {exc.strerror or exc}",
                           file=out) from None
    try:
        gds = f"{name}.gds"
        write_gds(tmp / gds, top, tech=tech, extra_properties={
            "design": name, "design_sha256": design.inputs[design.path]})
        report = result.drc.to_json(layout=gds, cell=top.name, technology=tech.name)
        report["process_checks"] = [c.to_json() for c in result.checks]
        _write_json(tmp / f"{name}.drc.json", report)
        write_lyrdb(result.drc, tmp / f"{name}.lyrdb", cell=top.name, tech=tech,
                    description=f"{name}: DRC and process checks", layout_file=gds,
                    categories={c.id: Category(c.description, c.comparison, c.required, c.unit)
                                for c in result.checks})
        write_lyp(tech, tmp / f"{name}.lyp")
        layer_order = [design.layers[r] for r in wlcsp.PREVIEW_ORDER if r in design.layers]
        title = f"{name} ({design.die.width_um:g} x {design.die.height_um:g} um)"
        for ext in ("svg", "png"):
            write_preview(tmp / f"{name}.{ext}", shapes, tech=tech, layers=layer_order,
                          title=title)
        region = detail_region(design)
        if region is not None:
            x0, y0, x1, y1 = region
            corner = design.preview.detail_corner.replace("_", "-")
            write_preview(tmp / f"{name}.detail.png", shapes, tech=tech, layers=layer_order,
                          title=f"{name}: {corner} corner, {x1 - x0:g} x {y1 - y0:g} um",
                          region=region)
        for fname, data in sorted(design.generated.items()):
            (tmp / fname).write_bytes(data)
        files = sorted(p.name for p in tmp.iterdir())
        result.manifest = _manifest(result, top, shapes, {f: _sha(tmp / f) for f in files})
        _write_json(tmp / "manifest.json", result.manifest)
        files.append("manifest.json")
        for f in sorted(files):
            os.replace(tmp / f, out / f)
        result.files = [out / f for f in sorted(files)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json_text(data), encoding="utf-8")


def _manifest(result: BuildResult, top, shapes, outputs: dict[str, str]) -> dict[str, Any]:
    design = result.design
    b = design.bumps
    d = b.dims
    checks = result.checks
    drc_only = [v for v in result.drc.violations if v.kind != "process"]
    summary = {k: v for k, v in result.drc.summary().items() if not k.startswith("PROC.")}
    region = detail_region(design)
    return {
        "tool": "wlpmask", "version": __version__,
        "design": design.name, "design_file": design.path, "family": design.family,
        "technology": design.tech.name, "technology_file": design.tech_path,
        "inputs": dict(sorted(design.inputs.items())),
        "generated_inputs": sorted(design.generated),
        "outputs": outputs,
        "top_cell": top.name,
        "cells": sorted(c.name for c in top.dependencies(True)),
        "die": {"width_um": design.die.width_um, "height_um": design.die.height_um,
                "dicing_lane_um": design.die.dicing_lane_um,
                "seal_ring_um": design.die.seal_ring_um, "keepout_um": design.die.keepout_um},
        "pads": {"source": design.pad_source, "count": len(design.pads)},
        "pads_skipped": [{"name": n, "reason": why} for n, why in design.pads_skipped],
        "bumps": {"pitch_um": b.pitch_um, "rows": b.rows, "columns": b.columns,
                  "stagger": b.stagger, "sites": len(b.sites), "depopulated": list(b.depopulated),
                  "shape": d.shape, "opening_um": d.opening_um, "capture_pad_um": d.capture_um,
                  "ubm_um": d.ubm_um, "stencil_aperture_um": d.stencil_um,
                  "ball_um": d.ball_um},
        "fill": {"material": design.fill.material,
                 "largest_particle_um": design.fill.largest_particle_um,
                 "paste_type": design.fill.paste_type},
        "routing": {
            "assignment_mode": design.assignment_mode,
            "width_um": design.rdl.width_um, "space_um": design.rdl.space_um,
            "nets": len(result.routed) + len(result.unrouted),
            "routed": result.routed, "unrouted": result.unrouted,
            "assignment": result.assignment,
            "total_length_um": result.total_length_um, "teardrops": result.teardrops.to_json(),
        },
        "polygons": {name: len(polys) for name, polys in shapes.items()},
        "detail_preview": None if region is None else {
            "file": f"{design.name}.detail.png", "corner": design.preview.detail_corner,
            "region_um": list(region)},
        "drc": {"rules": [r for r in result.drc.rules_run if r not in {c.id for c in checks}],
                "rules_run": len(result.drc.rules_run) - len(checks),
                "violations": len(drc_only), "summary": summary,
                "rules_skipped": result.skipped_rules},
        "checks": {"run": len(checks), "passed": sum(c.passed for c in checks),
                   "results": {c.id: c.passed for c in checks}},
        "ok": result.ok,
    }
