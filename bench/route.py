"""Benchmark the RDL router: the OpenROAD 139-net flip-chip case and a synthetic large die.

Prints, per case: wall time of route_rdl, routed fraction, total wire length. Targets on a
2-core machine: <= 5 s for the 139-net case, <= 60 s for 1,000 pads / 1,000 bumps.

    .venv/bin/python bench/route.py [--extmat ../shared/extmat] [--sizes 200,400,1000]
                                    [--skip-openroad] [--plan auto|on|off] [--verify]

The default runs the 139-net case and a 200-pad synthetic die (well under a minute); give the
large sizes with --sizes.
"""

from __future__ import annotations

import argparse
import fnmatch
import math
import sys
import time
from pathlib import Path

import numpy as np
from shapely.geometry import Polygon, box

from wlpmask.io.def_lef import layer_terminals, read_def, read_lef
from wlpmask.routing import Terminal, pair_pads_with_bumps, route_rdl

HERE = Path(__file__).resolve().parent


def octagon(cx: float, cy: float, d: float, grid: float = 0.005) -> Polygon:
    """Regular octagon, width across flats d, faces on the axes and diagonals, vertices on the
    grid (faces exactly at 45 degrees, as in mask data)."""
    r = round(d / 2 / grid) * grid
    e = round(r * (math.sqrt(2.0) - 1.0) / grid) * grid
    return Polygon([(cx + r, cy - e), (cx + r, cy + e), (cx + e, cy + r), (cx - e, cy + r),
                    (cx - r, cy + e), (cx - r, cy - e), (cx - e, cy - r), (cx + e, cy - r)])


def synthetic_die(pads: int, *, bump_pitch_um: float = 200.0, bump_um: float = 80.0,
                  margin_um: float = 500.0, pad_w_um: float = 15.0, pad_h_um: float = 20.0,
                  seed: int = 1) -> tuple[list[Terminal], Polygon]:
    """A square die with a peripheral pad ring (nets) and an area array of free bumps.

    The bump array is the smallest square with at least `pads` sites; surplus sites at the
    centre are depopulated so that there are exactly as many bumps as pads.
    """
    rng = np.random.default_rng(seed)
    n = math.ceil(math.sqrt(pads))
    span = (n - 1) * bump_pitch_um
    die = span + 2 * margin_um
    sites = [(margin_um + i * bump_pitch_um, margin_um + j * bump_pitch_um)
             for j in range(n) for i in range(n)]
    c = die / 2
    sites.sort(key=lambda p: (-max(abs(p[0] - c), abs(p[1] - c)), p[1], p[0]))
    sites = sites[:pads]
    terms = [Terminal(f"bump_{k}", "bump", octagon(x, y, bump_um))
             for k, (x, y) in enumerate(sorted(sites))]
    per_side = [pads // 4 + (1 if s < pads % 4 else 0) for s in range(4)]
    inset = 20.0  # pad centres: the pad ring leaves no channel outside it
    lo, hi = inset + 150.0, die - inset - 150.0
    k = 0
    for side, count in enumerate(per_side):
        for i in range(count):
            t = lo + (hi - lo) * (i + 0.5) / count + rng.uniform(-1.0, 1.0)
            t = round(t / 0.005) * 0.005
            if side == 0:
                cx, cy, w, h = t, inset, pad_w_um, pad_h_um
            elif side == 1:
                cx, cy, w, h = die - inset, t, pad_h_um, pad_w_um
            elif side == 2:
                cx, cy, w, h = die - t, die - inset, pad_w_um, pad_h_um
            else:
                cx, cy, w, h = inset, die - t, pad_h_um, pad_w_um
            terms.append(Terminal(f"pad_{k}", "pad",
                                  box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2),
                                  f"n{k}"))
            k += 1
    return terms, box(0, 0, die, die)


def openroad_case(extmat: Path) -> tuple[list[Terminal], list[Polygon], Polygon]:
    base = extmat / "openroad_pad"
    lefs = read_lef([base / "Nangate45__Nangate45.lef", base / "Nangate45_io__dummy_pads.lef"])
    d = read_def(base / "Nangate45_blackparrot__floorplan_flipchip.def", lefs)
    pats = ["VDD", "DVDD", "VSS", "DVSS", "p_*"]
    names = [n for n in sorted(set(d.nets) | set(d.special_nets))
             if any(fnmatch.fnmatchcase(n, p) for p in pats)]
    tt, obstacles = layer_terminals(d, lefs, "metal10", names)
    terms = pair_pads_with_bumps([Terminal(n, k, g, net) for n, k, g, net in tt])
    return terms, obstacles, d.die_area


def _report(label: str, res, dt: float, nets: int) -> None:
    print(f"{label}: {dt:.2f} s, routed {len(res.routed)}/{nets} "
          f"({100.0 * len(res.routed) / max(1, nets):.1f} %), "
          f"length {res.total_length_um:,.0f} um")


def octile_bound(res, terms: list[Terminal]) -> float:
    """Sum over the routed nets of the octilinear distance between their terminal centres
    (no octilinear wire between them can be shorter)."""
    by_name = {t.name: t.shape.centroid for t in terms}
    total = 0.0
    for rn in res.routed.values():
        a, b = (by_name[n] for n in rn.terminals)
        dx, dy = abs(a.x - b.x), abs(a.y - b.y)
        total += max(dx, dy) + (math.sqrt(2.0) - 1.0) * min(dx, dy)
    return total


def verify(res, terms: list[Terminal], width: float) -> str:
    """klayout.db's width and space checks on the routed wires (acceptance/openroad_rdl.py)."""
    sys.path.insert(0, str(HERE.parent / "acceptance"))
    from openroad_rdl import _clean, _drc_text, drc_counts

    names = {n for rn in res.routed.values() for n in rn.terminals}
    touched = [t.shape for t in terms if t.name in names]
    others = [t.shape for t in terms if t.name not in names]
    c = drc_counts([rn.metal for rn in res.routed.values()], touched, others, width, width)
    return f"{'clean' if _clean(c) else 'VIOLATIONS'}: {_drc_text(c, width)}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--extmat", default=str(HERE.parent.parent / "shared" / "extmat"))
    ap.add_argument("--sizes", default="200",
                    help="comma-separated pad counts of the synthetic dies (e.g. 200,400,1000)")
    ap.add_argument("--width", type=float, default=5.0, help="synthetic case width = spacing, um")
    ap.add_argument("--skip-openroad", action="store_true")
    ap.add_argument("--plan", choices=("auto", "on", "off"), default="auto",
                    help="fan-in plan for the synthetic dies (auto: route_rdl's choice)")
    ap.add_argument("--verify", action="store_true",
                    help="also run klayout.db's width and space checks on the synthetic "
                         "results (not timed)")
    args = ap.parse_args(argv)
    if not args.skip_openroad:
        extmat = Path(args.extmat)
        if not (extmat / "openroad_pad").is_dir():
            print(f"{extmat}: corpus not found (use --skip-openroad)", file=sys.stderr)
            return 2
        terms, obstacles, die = openroad_case(extmat)
        nets = len({t.net for t in terms})
        t0 = time.perf_counter()
        res = route_rdl(terminals=terms, obstacles=obstacles, boundary=die, width_um=4.0,
                        space_um=4.0, grid_um=0.005, assign=False)
        _report("openroad flip-chip 139 nets (237 pad-bump pairs), 4/4 um", res,
                time.perf_counter() - t0, nets)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        print(f"--sizes {args.sizes!r}: expected comma-separated integers", file=sys.stderr)
        return 2
    for pads in sizes:
        terms, die = synthetic_die(pads)
        t0 = time.perf_counter()
        plan = {"auto": None, "on": True, "off": False}[args.plan]
        res = route_rdl(terminals=terms, obstacles=[], boundary=die, width_um=args.width,
                        space_um=args.width, grid_um=0.005, assign=True, plan=plan)
        _report(f"synthetic {pads} pads / {pads} bumps, {args.width:g}/{args.width:g} um, "
                f"die {die.bounds[2]:.0f} um, plan {args.plan}", res,
                time.perf_counter() - t0, pads)
        bound = octile_bound(res, terms)
        print(f"  length / octilinear pad-to-bump distance of the routed nets: "
              f"{res.total_length_um / bound:.3f}")
        if args.verify:
            print(f"  {verify(res, terms, args.width)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
