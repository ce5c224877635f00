"""Benchmark: wlpmask's DRC against KLayout's flat checks on the same GDS file.

A flat cell holds N octagonal bumps on a 400 um pitch: a pad (layer PAD) and a passivation /
polyimide opening (layer OPEN) each, a few RDL lines drawn on the pad layer (they touch their
pads, so those merge), and a few injected violations (narrow lines, pads too close, openings
too close to their pad edge). Both engines read the same GDS and run width + space on PAD and
PAD-encloses-OPEN; each runs in its own child process so its peak memory (getrusage maxrss)
is its own. The flagged shapes are compared as the set of (rule, bump site) that the edge pairs
of each engine touch; the edge-pair counts are printed too.

wlpmask reads the GDS with gdstk into one vertex array per layer (drc.PolygonSet: no numpy
array per polygon), drops the gdstk library and hands its freed memory back to the system
before checking.

A second table runs the path of `wlpmask drc` (io.gds.read_layout + flatten_layers + run_drc)
end to end on the same bumps written twice: as an array reference of one bump cell and as a
flat cell; the array must not be slower.

Usage: .venv/bin/python bench/drc_vs_klayout.py [--sizes 10000,100000,360000] [--no-arrays]
"""

from __future__ import annotations

import argparse
import ctypes
import math
import tempfile
import time
from pathlib import Path

import gdstk
import numpy as np

from child import maxrss_mb, run_in_child

PITCH_UM = 400.0
PAD_UM = 250.0      # pad octagon, flat to flat
OPEN_UM = 200.0     # opening octagon: 25 um enclosure
RDL_W_UM = 40.0
WIDTH_UM, SPACE_UM, ENCL_UM = 30.0, 50.0, 20.0
LAYERS = {"PAD": (1, 0), "OPEN": (2, 0)}

TECH_TOML = f"""
[technology]
name = "bench_bumps"
description = "benchmark technology: bump pads and openings"
grid_um = 0.001

[layers.PAD]
gds = [1, 0]

[layers.OPEN]
gds = [2, 0]

[rules."PAD.W"]
kind = "width"
layer = "PAD"
min_um = {WIDTH_UM}

[rules."PAD.S"]
kind = "space"
layer = "PAD"
min_um = {SPACE_UM}

[rules."PAD.EN.OPEN"]
kind = "enclosure"
outer = "PAD"
inner = "OPEN"
min_um = {ENCL_UM}
"""


def _octagon(d: float) -> np.ndarray:
    a = d / 2
    c = a * math.tan(math.pi / 8)
    return np.round(np.array([[-c, -a], [-a, -c], [-a, c], [-c, a], [c, a], [a, c], [a, -c],
                              [c, -a]]), 3)


def write_layout(n: int, path: Path) -> dict:
    """Write the flat benchmark layout; returns what was injected."""
    side = int(math.ceil(math.sqrt(n)))
    k = np.arange(n)
    centres = np.column_stack([(k % side) * PITCH_UM, (k // side) * PITCH_UM])
    rng = np.random.default_rng(7)
    n_inj = max(3, n // 20000)
    moved = rng.choice(n, size=n_inj, replace=False)
    centres_pad = centres.copy()
    # pads too close: move some pads 120 um towards their right neighbour (space 30 < 50)
    centres_pad[moved[: n_inj // 3 + 1], 0] += 120.0
    centres_open = centres_pad.copy()
    # openings too close to the pad edge: shift 10 um (enclosure 15 < 20)
    shifted = moved[n_inj // 3 + 1:]
    centres_open[shifted, 0] += 10.0
    pad, opn = _octagon(PAD_UM), _octagon(OPEN_UM)
    cell = gdstk.Cell("TOP")
    for c in centres_pad:
        cell.add(gdstk.Polygon(pad + c, *LAYERS["PAD"]))
    for c in centres_open:
        cell.add(gdstk.Polygon(opn + c, *LAYERS["OPEN"]))
    # RDL lines on the pad layer from some pads up towards the next row, a few too narrow
    n_rdl = max(4, n // 2000)
    starts = rng.choice(np.arange(side, n - side), size=n_rdl, replace=False)
    for j, s in enumerate(starts):
        w = RDL_W_UM if j % 4 else 20.0
        x, y = centres_pad[s]
        if j % 2:
            pts = [(x, y), (x + 200.0, y + 200.0)]   # 45-degree run between pads
        else:
            pts = [(x, y), (x, y + 200.0)]
        cell.add(gdstk.FlexPath(pts, w, layer=1, datatype=0, simple_path=True).to_polygons()[0])
    lib = gdstk.Library(unit=1e-6, precision=1e-9)
    lib.add(cell)
    lib.write_gds(str(path))
    return {"pads_moved": n_inj // 3 + 1, "openings_shifted": len(shifted), "rdl": n_rdl}


def _layer_arrays(cell: gdstk.Cell, layer: int, datatype: int):
    """All polygons of one layer of a flat cell as a PolygonSet (one vertex array)."""
    from wlpmask.drc import PolygonSet

    # the cell's own polygons (get_polygons would copy them all first)
    polys = [p for p in cell.polygons if p.layer == layer and p.datatype == datatype]
    offsets = np.zeros(len(polys) + 1, dtype=np.int64)
    np.cumsum([p.size for p in polys], out=offsets[1:])
    xy = np.empty((int(offsets[-1]), 2))
    for p, a, b in zip(polys, offsets[:-1], offsets[1:]):
        xy[a:b] = p.points
    return PolygonSet(xy, offsets)


def _release_freed_memory() -> None:
    """Hand memory freed by the GDS reader back to the system (glibc; a no-op elsewhere)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _wlpmask(gds: str, tech_path: str, queue) -> None:
    from wlpmask.drc import run_drc
    from wlpmask.tech import load_technology

    tech = load_technology(tech_path)
    t0 = time.perf_counter()
    lib = gdstk.read_gds(gds, unit=1e-6)
    shapes = {name: _layer_arrays(lib.cells[0], gl, dt) for name, (gl, dt) in LAYERS.items()}
    del lib  # the polygons live on in the arrays only
    _release_freed_memory()
    t1 = time.perf_counter()
    res = run_drc(shapes, tech)
    t2 = time.perf_counter()
    marks = {r: [] for r in res.rules_run}
    for v in res.violations:
        marks[v.rule].append(v.edge_pair)
    queue.put({"read": t1 - t0, "check": t2 - t1, "counts": res.summary(), "pairs": marks,
               "maxrss_mb": maxrss_mb()})


def _klayout(gds: str, queue) -> None:
    import klayout.db as kdb

    t0 = time.perf_counter()
    ly = kdb.Layout()
    ly.read(gds)
    top = ly.top_cell()
    pad = kdb.Region(top.begin_shapes_rec(ly.layer(*LAYERS["PAD"])))
    opn = kdb.Region(top.begin_shapes_rec(ly.layer(*LAYERS["OPEN"])))
    t1 = time.perf_counter()
    dbu = ly.dbu
    checks = {
        "PAD.W": pad.width_check(round(WIDTH_UM / dbu)),
        "PAD.S": pad.space_check(round(SPACE_UM / dbu)),
        "PAD.EN.OPEN": pad.enclosing_check(opn, round(ENCL_UM / dbu)),
    }
    t2 = time.perf_counter()
    pairs = {r: [((e.first.x1 * dbu, e.first.y1 * dbu, e.first.x2 * dbu, e.first.y2 * dbu),
                  (e.second.x1 * dbu, e.second.y1 * dbu, e.second.x2 * dbu, e.second.y2 * dbu))
                 for e in ep.each()] for r, ep in checks.items()}
    queue.put({"read": t1 - t0, "check": t2 - t1, "counts": {r: len(p) for r, p in pairs.items()},
               "pairs": pairs,
               "maxrss_mb": maxrss_mb()})


def write_bump_array(n: int, path: Path, *, flat: bool) -> None:
    """N bumps (pad + opening) on the pitch: one array reference, or the same expanded flat."""
    side = int(math.ceil(math.sqrt(n)))
    bump = gdstk.Cell("BUMP")
    bump.add(gdstk.Polygon(_octagon(PAD_UM), *LAYERS["PAD"]))
    bump.add(gdstk.Polygon(_octagon(OPEN_UM), *LAYERS["OPEN"]))
    top = gdstk.Cell("TOP")
    lib = gdstk.Library(unit=1e-6, precision=1e-9)
    if flat:
        k = np.arange(side * side)
        for x, y in zip((k % side) * PITCH_UM, (k // side) * PITCH_UM):
            for p in bump.polygons:
                top.add(p.copy().translate(x, y))
        lib.add(top)
    else:
        top.add(gdstk.Reference(bump, (0, 0), columns=side, rows=side,
                                spacing=(PITCH_UM, PITCH_UM)))
        lib.add(top, bump)
    lib.write_gds(str(path))


def _end_to_end(gds: str, tech_path: str, queue) -> None:
    """The path of `wlpmask drc`: read the layout, flatten the layers, run the rules."""
    from wlpmask.drc import run_drc
    from wlpmask.io.gds import flatten_layers, read_layout
    from wlpmask.tech import load_technology

    tech = load_technology(tech_path)
    t0 = time.perf_counter()
    lay = read_layout(gds)
    shapes = flatten_layers(lay.top("TOP"), tech, dbu_um=lay.dbu_um)
    res = run_drc(shapes, tech)
    queue.put({"time": time.perf_counter() - t0, "counts": res.summary(),
               "maxrss_mb": maxrss_mb()})


def _run(target, *args) -> dict:
    return run_in_child(target, *args)


def _flagged(pairs: dict) -> set:
    """(rule, bump site) touched by the edge pairs: the pitch cell of each edge's midpoint."""
    out = set()
    for rule, eps in pairs.items():
        for ep in eps:
            if ep is None:
                continue
            for e in ep:
                mx, my = (e[0] + e[2]) / 2, (e[1] + e[3]) / 2
                out.add((rule, int(round(mx / PITCH_UM)), int(round(my / PITCH_UM))))
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,360000",
                    help="comma-separated bump counts (default: %(default)s)")
    ap.add_argument("--no-arrays", action="store_true",
                    help="skip the array-versus-flat end-to-end table")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows, arrays = [], []
    with tempfile.TemporaryDirectory() as tmp:
        tech_path = Path(tmp) / "bench_bumps.toml"
        tech_path.write_text(TECH_TOML)
        for n in sizes:
            gds = Path(tmp) / f"bumps_{n}.gds"
            injected = write_layout(n, gds)
            w = _run(_wlpmask, str(gds), str(tech_path))
            k = _run(_klayout, str(gds))
            agree = _flagged(w["pairs"]) == _flagged(k["pairs"])
            rows.append((n, w, k, agree, injected))
            print(f"N={n}: wlpmask {w['counts']} KLayout {k['counts']} injected {injected}",
                  flush=True)
            if not args.no_arrays:
                got = {}
                for flat in (True, False):
                    g = Path(tmp) / f"bumps_{n}_{'flat' if flat else 'array'}.gds"
                    write_bump_array(n, g, flat=flat)
                    got[flat] = _run(_end_to_end, str(g), str(tech_path))
                    g.unlink()
                arrays.append((n, got[True], got[False]))
            gds.unlink()
    print()
    print("peak memory: getrusage(RUSAGE_SELF).ru_maxrss of each engine's own child process")
    print("times: checks only (read = GDS read + region/shape building, separately)")
    print(f"{'N':>8} {'wlpmask s':>10} {'KLayout s':>10} {'ratio':>6} {'wlp read':>9} "
          f"{'KL read':>8} {'wlp MB':>7} {'KL MB':>7} {'pairs wlp/KL':>14}  flagged agree")
    for n, w, k, agree, _ in rows:
        pw, pk = sum(w["counts"].values()), sum(k["counts"].values())
        print(f"{n:>8} {w['check']:>10.2f} {k['check']:>10.2f} {w['check'] / k['check']:>6.2f} "
              f"{w['read']:>9.2f} {k['read']:>8.2f} {w['maxrss_mb']:>7.0f} "
              f"{k['maxrss_mb']:>7.0f} {pw:>6}/{pk:<7}  {'yes' if agree else 'NO'}")
    if arrays:
        print()
        print("end to end (read_layout + flatten_layers + run_drc), one bump cell placed N times:")
        print(f"{'N':>8} {'flat s':>8} {'array s':>8} {'flat MB':>8} {'array MB':>9}  "
              f"same result")
        for n, f, a in arrays:
            print(f"{n:>8} {f['time']:>8.2f} {a['time']:>8.2f} {f['maxrss_mb']:>8.0f} "
                  f"{a['maxrss_mb']:>9.0f}  {'yes' if f['counts'] == a['counts'] else 'NO'}")


if __name__ == "__main__":
    main()
