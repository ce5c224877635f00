"""Benchmark: the full 300 mm mask set of the 5 x 5 mm WLCSP example, and its wafer DRC
beside KLayout's deep (hierarchical) and flat checks on the same GDS in the same run.

The example (layouts/wlcsp_5x5_adhesive.toml) is built with its [wafer] section replaced by a
300 mm wafer (3 mm edge exclusion, notch with a 5 mm keep-out, 14-inch plates): build time (all
of it, and the wafer step alone: stepping, wafer GDS, wafer DRC, plates, maps, deck, report),
plate file sizes. Then NAME.wafer.gds is checked with the rules the build ran by wlpmask's
hierarchical engine (drc.hier, nothing waived), by KLayout in deep mode and by KLayout flat,
and optionally by wlpmask's flat engine (--flat: minutes and gigabytes). Each engine runs in a
fresh process (spawn), so its peak memory (getrusage ru_maxrss) is its own; times are of the
checks, after reading the GDS (read times shown apart). Violations agree when every rule has
the same count: KLayout's edge pairs, plus for enclosure and inside rules the merged parts of
inner shapes outside the outer layer (one per shape that sticks out, as wlpmask marks them),
plus the small shapes of a min_area rule.

Usage: .venv/bin/python bench/wafer.py [--out DIR] [--flat] [--no-klayout-flat]
Targets: build <= 30 s; wafer DRC <= 2 s and <= 1 GB with the same violations as KLayout flat.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

from child import maxrss_mb, run_in_child

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "layouts" / "wlcsp_5x5_adhesive.toml"
WAFER_300 = """[wafer]
diameter_mm = 300.0
edge_exclusion_mm = 3.0
notch_keepout_mm = 5.0
plate_size_mm = 355.6
plate_thickness_mm = 6.35
date = "2025-01-15"
"""


def write_design(folder: Path) -> Path:
    """The example with absolute input paths and the 300 mm [wafer] section."""
    text = EXAMPLE.read_text()
    text = text[:text.index("[wafer]")] if "[wafer]" in text else text
    text = text.replace('"../pdk/', f'"{ROOT / "pdk"}/')
    text = re.sub(r'path = "([^"]+)"', lambda m: f'path = "{EXAMPLE.parent / m.group(1)}"',
                  text)
    path = folder / "wlcsp_5x5_adhesive.toml"
    path.write_text(text + "\n" + WAFER_300)
    return path


def _build(design: str, out: str, queue) -> None:
    from wlpmask.build import build

    marks = {}

    def progress(phase: str, done: int = 0, total: int = 0) -> None:
        marks.setdefault(phase, time.perf_counter())

    t0 = time.perf_counter()
    r = build(design, out, progress=progress)
    t1 = time.perf_counter()
    plates = {p: (Path(out) / p).stat().st_size for p in r.manifest["plates"]}
    queue.put({"build_s": t1 - t0, "wafer_s": t1 - marks["stepping"],
               "drc_rules": r.manifest["drc"]["rules"], "wafer": r.manifest["wafer"],
               "plates": plates, "wafer_gds": (Path(out) / f"{r.design.name}.wafer.gds")
               .stat().st_size, "ok": r.ok, "tech": r.design.tech_path,
               "maxrss_mb": maxrss_mb()})


def _wlpmask(gds: str, tech_path: str, rules: list, flat: bool, queue) -> None:
    from wlpmask.drc import run_drc
    from wlpmask.drc.hier import run_drc_hier
    from wlpmask.io.gds import flatten_layers, read_layout
    from wlpmask.tech import load_technology

    tech = load_technology(tech_path)
    t0 = time.perf_counter()
    top = read_layout(gds).top()
    t1 = time.perf_counter()
    if flat:
        res = run_drc(flatten_layers(top, tech, dbu_um=tech.grid_um), tech, rules=rules)
    else:
        res = run_drc_hier(top, tech, rules=rules).result
    queue.put({"read": t1 - t0, "check": time.perf_counter() - t1, "counts": res.summary(),
               "maxrss_mb": maxrss_mb()})


def _klayout(gds: str, tech_path: str, rules: list, deep: bool, queue) -> None:
    import klayout.db as kdb

    from wlpmask.io.kdb import rule_count
    from wlpmask.tech import load_technology

    tech = load_technology(tech_path)
    t0 = time.perf_counter()
    ly = kdb.Layout()
    ly.read(gds)
    top = ly.top_cell()
    dss = kdb.DeepShapeStore() if deep else None
    t1 = time.perf_counter()
    dbu = ly.dbu
    cache = {}

    def region(name):
        if name not in cache:
            it = top.begin_shapes_rec(ly.layer(*tech.layers[name].gds))
            cache[name] = kdb.Region(it, dss) if deep else kdb.Region(it)
        return cache[name]

    counts = {}
    for rid in rules:
        rule = tech.rules[rid]
        try:
            n = rule_count(rule, [region(n) for n in rule.layers], dbu_um=dbu)
        except ValueError as exc:
            raise SystemExit(str(exc)) from None
        counts[rid] = n
    queue.put({"read": t1 - t0, "check": time.perf_counter() - t1, "counts": counts,
               "maxrss_mb": maxrss_mb()})


def _run(target, *args) -> dict:
    return run_in_child(target, *args, method="spawn")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="keep the build here (default: a temporary directory)")
    ap.add_argument("--flat", action="store_true", help="also run wlpmask's flat engine")
    ap.add_argument("--no-klayout-flat", action="store_true", help="skip KLayout flat")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out) if args.out else Path(tmp) / "out"
        design = write_design(Path(tmp))
        b = _run(_build, str(design), str(out))
        gds = str(out / "wlcsp_5x5_adhesive.wafer.gds")
        rules = b["drc_rules"]
        runs = {"wlpmask hierarchical": _run(_wlpmask, gds, b["tech"], rules, False),
                "KLayout deep": _run(_klayout, gds, b["tech"], rules, True)}
        if not args.no_klayout_flat:
            runs["KLayout flat"] = _run(_klayout, gds, b["tech"], rules, False)
        if args.flat:
            runs["wlpmask flat"] = _run(_wlpmask, gds, b["tech"], rules, True)
    w = b["wafer"]
    print(f"300 mm wafer of the 5 x 5 mm WLCSP example: {w['dies']} dies, offset "
          f"{w['offset_um']} um; candidates "
          + ", ".join(f"{c['offset_um']}: {c['dies']}" for c in w["candidates"]))
    print(f"build {b['build_s']:.1f} s (wafer step {b['wafer_s']:.1f} s), peak "
          f"{b['maxrss_mb']:.0f} MB, ok {b['ok']}; wafer GDS {b['wafer_gds'] / 1e3:.1f} kB")
    print("plates: " + ", ".join(f"{Path(p).name} {s / 1e3:.1f} kB"
                                 for p, s in b["plates"].items()))
    ref = runs.get("KLayout flat", runs["KLayout deep"])["counts"]
    hier = runs["wlpmask hierarchical"]["check"]
    print(f"\nwafer DRC, {len(rules)} rules, the same GDS; times after reading the GDS")
    print(f"{'engine':<22} {'check s':>9} {'read s':>7} {'peak MB':>8} {'x hier':>8} "
          f"{'violations':>10}  agree with {'KLayout flat' if 'KLayout flat' in runs else 'deep'}")
    for name, r in runs.items():
        n = sum(r["counts"].values())
        print(f"{name:<22} {r['check']:>9.2f} {r['read']:>7.2f} {r['maxrss_mb']:>8.0f} "
              f"{r['check'] / hier:>8.1f} {n:>10}  {'yes' if r['counts'] == ref else 'NO'}")
    print("\nper rule: " + json.dumps({k: v["counts"] for k, v in runs.items()}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
