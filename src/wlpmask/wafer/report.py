"""report.html: the design, the wafer, every mask, the checks and the hand-off in one page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..io.report import Heading, Image, Links, Para, Table, html_page

__all__ = ["ReportInput", "report_html"]

_IMAGES = (".png", ".svg")


@dataclass(frozen=True)
class ReportInput:
    """What the report shows.

    Args:
        design: the design (name, family, description, tech, path).
        product: what the family drew (die, masks, handoff, files, report).
        drc: the die's DRC and process-check result (DrcResult).
        checks: the process checks run.
        skipped: rules not run -> why.
        deck: the job deck (masks.json).
        wafer_drc: the wafer DRC record of the manifest.
        folder: the output directory being written (which files exist).
    """

    design: Any
    product: Any
    drc: Any
    checks: Sequence[Any]
    skipped: Mapping[str, str]
    deck: Mapping[str, Any]
    wafer_drc: Mapping[str, Any]
    folder: Path


def _exists(inp: ReportInput, name: str) -> bool:
    return (inp.folder / name).is_file()


def _summary(inp: ReportInput) -> list:
    d, die = inp.design, inp.product.die
    w = inp.deck["wafer"]
    rows = [("design", d.name), ("family", d.family), ("description", d.description),
            ("technology", d.tech.name), ("die step", f"{die.width_um:g} x {die.height_um:g} um"
                                                      f" (dicing lane {die.dicing_lane_um:g} um)"),
            ("family report", "; ".join(inp.product.report.summary_lines()))]
    edge = (f"flat {w['flat_length_mm']:g} mm" if w["flat_length_mm"] is not None
            else f"notch, keep-out {w['notch_keepout_mm']:g} mm")
    rows += [("wafer", f"{w['diameter_mm']:g} mm, edge exclusion {w['edge_exclusion_mm']:g} mm,"
                       f" {edge}"),
             ("dies", f"{w['dies']} full dies, offset {w['offset_um']} um")]
    return [Heading("Design"), Table(("item", "value"), rows)]


def _wafer(inp: ReportInput) -> list:
    w = inp.deck["wafer"]
    name = inp.design.name
    out: list = [Heading("Wafer")]
    if w["candidates"]:
        rows = [(str(c["offset_um"]), c["dies"], c["gross"],
                 "chosen" if c["offset_um"] == w["offset_um"] else "")
                for c in w["candidates"]]
        out.append(Table(("grid offset (um)", "dies", "full dies before mark sites", ""), rows))
    else:
        out.append(Para(f"grid offset given by the design: {w['offset_um']} um"))
    out.append(Image(f"{name}.wafermap.png", "wafer map"))
    out.append(Links([(f, f) for f in (f"{name}.wafermap.xml", f"{name}.wafermap.csv",
                                       f"{name}.wafer.gds") if _exists(inp, f)]))
    return out


def _masks(inp: ReportInput) -> list:
    rows, images = [], []
    for m in inp.deck["masks"]:
        cd = m["cd"]
        rows.append((m["step"], m["layer"], (m["file"], m["file"]), m["aligned_to"] or "",
                     m["tone"], m["field_tone"], f"{m['bias_um_per_edge']:+g} um",
                     f"{cd['drawn_um']:g} -> {cd['on_plate_um']:g} um", m["reading"],
                     m["plate"]))
        preview = m["file"].replace(".gds", ".svg")
        if _exists(inp, preview):
            images.append(Image(preview, f"step {m['step']}: {m['layer']} ({m['note']})"))
    head = ("step", "layer", "plate file", "aligned to", "tone", "field", "bias per edge",
            "CD drawn -> plate", "reading", "plate")
    out = [Heading("Masks"), Table(head, rows), *images]
    if _exists(inp, "masks/marks.svg"):
        out.append(Image("masks/marks.svg", "alignment-mark site"))
    out.append(Links([("masks.json", "job deck (masks.json)"),
                      ("masks.maly", "mask set (MALY)")]))
    return out


def _checks(inp: ReportInput) -> list:
    ids = {c.id for c in inp.checks}
    summary = inp.drc.summary()
    tech = inp.design.tech
    rows = []
    for rid, n in summary.items():
        if rid in ids:
            continue
        rule = tech.rules[rid]
        rows.append((rid, rule.kind, ",".join(rule.layers), f"{rule.limit:g} {rule.unit}",
                     (n, "bad") if n else n))
    rows += [(rid, "-", "-", "-", f"skipped: {why}") for rid, why in inp.skipped.items()]
    wd = inp.wafer_drc
    wrows = [(rid, (n, "bad") if n else n, wd["waived"].get(rid, 0))
             for rid, n in wd["summary"].items()]
    crows = [(c.id, "passed" if c.passed else ("failed", "bad"), c.detail or "")
             for c in inp.checks]
    return [Heading("Design-rule check of the die"),
            Table(("rule", "kind", "layers", "limit", "violations"), rows),
            Heading("Design-rule check of the wafer"),
            Para(f"hierarchical: {wd['cells']} distinct cells; marks' own violations are "
                 "waived (no product rule is meant for an alignment mark)"),
            Table(("rule", "violations", "waived in marks"), wrows),
            Heading("Process checks"), Table(("check", "result", "detail"), crows)]


def _figures(inp: ReportInput) -> list:
    name = inp.design.name
    out: list = [Heading("Figures")]
    for f, cap in ((f"{name}.png", "the die"), (f"{name}.detail.png", "detail")):
        if _exists(inp, f):
            out.append(Image(f, cap))
    for f in sorted(inp.product.files):
        if f.endswith(_IMAGES) and _exists(inp, f):
            out.append(Image(f, f))
    layouts = sorted(inp.product.layouts)
    if layouts:  # e.g. a lead frame's etch plates and its strip
        out += [Heading("Layouts beside the die"), Links([(f, f) for f in layouts])]
    out.append(Heading("Hand-off"))
    handoff = sorted(inp.product.handoff)
    out.append(Links([(f, f) for f in handoff]) if handoff else Para("no hand-off files"))
    for f in handoff:
        if f.endswith(_IMAGES):
            out.append(Image(f, f))
    return out


def report_html(inp: ReportInput) -> str:
    """The report page.

    Args:
        inp: what it shows.
    """
    name = inp.design.name
    blocks = [*_summary(inp), *_wafer(inp), *_masks(inp), *_checks(inp), *_figures(inp),
              Heading("Files"),
              Links([(f, f) for f in (f"{name}.gds", f"{name}.drc.json", f"{name}.lyrdb",
                                      f"{name}.wafer.drc.json", "manifest.json")])]
    return html_page(f"{name}: masks and wafer", blocks)
