"""Benchmark: a probe-card array of radially leaning pins, built and checked by wlpmask, and the
same rules checked flat by klayout.db on the GDS it wrote, in the same run.

The design: N pins (a square array, default 224 x 224 = 50,176) at 150 um pitch on 60 x 60 um
contact areas with 40 um interconnects, 30 um pins in 100 um of SU-8 exposed at 45 degrees in
air, leaning radially outward in 8 exposures (--sectors: one pin cell per exposure direction;
pdk/microcontact.toml). wlpmask's `build` runs
in a child process; its phases are timed from the build's own progress reports (load, place
and draw, flatten, DRC, process checks, write). klayout.db then reads the written GDS in
another child process and runs the same rules flat: width_check, space_check, enclosing_check
(plus the inner shapes outside their outer layer, as wlpmask's enclosure reports them). Peak
memory is each child's getrusage maxrss. Both engines' violation counts are printed.

Usage: .venv/bin/python bench/contacts.py [--side 224] [--pitch 150] [--sectors 8] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from child import maxrss_mb, run_in_child

ROOT = Path(__file__).resolve().parents[1]
TECH = ROOT / "pdk" / "microcontact.toml"

DESIGN = """
[design]
name = "probe_card"
technology = "{tech}"
family = "contacts"
description = "benchmark: {n} radially leaning pins"

[die]
width_um = {die}
height_um = {die}
dicing_lane_um = 100.0
seal_ring_um = 20.0
keepout_um = 100.0

[array]
rows = {side}
columns = {side}
pitch_um = {pitch}
w_um = 60.0
h_um = 60.0

[contacts]
element = "pin"
pin_diameter_um = 30.0

[interconnect]
width_um = 20.0
length_um = 40.0
direction = "outward"

[exposure]
medium = "air"
tilt_deg = 45.0

[lean]
policy = "radial"
free_end = "outward"
sectors = {sectors}

[preview]
detail_corner = "lower_left"
"""


def _wlpmask(design: str, out: str, queue) -> None:
    from wlpmask.build import build

    marks: list[tuple[str, float]] = []

    def progress(phase: str, done: int = 0, total: int = 0) -> None:
        name = "DRC" if phase.startswith("DRC") else phase
        if not marks or marks[-1][0] != name:
            marks.append((name, time.perf_counter()))

    t0 = time.perf_counter()
    res = build(design, out, progress=progress)
    t1 = time.perf_counter()
    marks.append(("end", t1))
    phases: dict[str, float] = {}
    for (name, a), (_, b) in zip(marks, marks[1:]):
        phases[name] = phases.get(name, 0.0) + b - a
    queue.put({"total": t1 - t0, "phases": phases, "ok": res.ok,
               "violations": res.drc_violations, "summary": res.drc.summary(),
               "rules": [r for r in res.drc.rules_run if not r.startswith("PROC.")],
               "cells": len(res.product.cells), "maxrss_mb": maxrss_mb()})


def _klayout(gds: str, rule_ids: list, queue) -> None:
    import klayout.db as kdb

    from wlpmask.io.kdb import rule_count
    from wlpmask.tech import load_technology

    tech = load_technology(TECH)
    t0 = time.perf_counter()
    ly = kdb.Layout()
    ly.read(gds)
    top = ly.top_cell()
    cache: dict[str, object] = {}

    def region(name):
        if name not in cache:
            r = kdb.Region(top.begin_shapes_rec(ly.layer(*tech.layers[name].gds)))
            r.merge()
            cache[name] = r
        return cache[name]

    counts = {rid: rule_count(tech.rules[rid], [region(n) for n in tech.rules[rid].layers],
                              dbu_um=ly.dbu) for rid in rule_ids}
    queue.put({"total": time.perf_counter() - t0, "counts": counts, "maxrss_mb": maxrss_mb()})


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--side", type=int, default=224, help="pins per row and column")
    ap.add_argument("--pitch", type=float, default=150.0, help="pitch in um")
    ap.add_argument("--sectors", type=int, default=8, help="exposure directions (1..72)")
    ap.add_argument("--keep", default=None, help="write the build here (default: a temp dir)")
    args = ap.parse_args(argv)
    side, pitch = args.side, args.pitch
    die = (side - 1) * pitch + 60.0 + 2 * 400.0
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.keep) if args.keep else Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        design = base / "probe_card.toml"
        design.write_text(DESIGN.format(tech=TECH, n=side * side, die=die, side=side,
                                        pitch=pitch, sectors=args.sectors))
        out = base / "probe_card"
        w = run_in_child(_wlpmask, str(design), str(out))
        k = run_in_child(_klayout, str(out / "probe_card.gds"), list(w["rules"]))
        manifest = json.loads((out / "manifest.json").read_text())
        gds_kb = (out / "probe_card.gds").stat().st_size / 1024
    ph = w["phases"]
    build_drc = sum(v for p, v in ph.items() if p != "writing")
    print(f"{side * side} pins ({side} x {side} at {pitch:g} um, {args.sectors} exposure "
          f"directions), {w['cells']} cells, GDS {gds_kb:.0f} kB, "
          f"{sum(manifest['polygons'].values())} polygons flat; ok={w['ok']}")
    print("wlpmask phases (s): " + ", ".join(f"{p} {v:.2f}" for p, v in ph.items()))
    print(f"wlpmask build + DRC (load, place, draw, flatten, {len(w['rules'])} rules, process "
          f"checks): {build_drc:.2f} s; writing the outputs: {ph.get('writing', 0.0):.2f} s; "
          f"peak {w['maxrss_mb']:.0f} MB")
    kl_drc = k["total"]
    print(f"klayout.db flat, same rules on the written GDS (read + merge + checks): "
          f"{kl_drc:.2f} s; peak {k['maxrss_mb']:.0f} MB")
    print(f"ratio wlpmask DRC / KLayout flat: {ph.get('DRC', 0.0) / kl_drc:.2f}; "
          f"wlpmask build + DRC / KLayout flat: {build_drc / kl_drc:.2f}")
    same = {r: w["summary"].get(r, 0) for r in w["rules"]} == k["counts"]
    print(f"violations wlpmask {w['violations']}, KLayout {sum(k['counts'].values())}; "
          f"per rule equal: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
