"""OpenROAD RDL-router cases (extmat/openroad_pad) read through the DEF/LEF import.

Cases:
- passive_tech: the 16 bump-to-bump nets "ios0*" on topmetal at 4/4 um.
- Nangate45 flip-chip: the 139 nets "VDD DVDD VSS DVSS p_*" (237 pad-bump connections; power
  nets are split into one-pad sub-nets by a minimum-length matching) on metal10 at 4/4 um,
  with 45-degree segments and without; then at 10/10 um, where OpenROAD gives up.

Every case needs zero violations from the router's sign-off and from klayout.db (width check
on the wires merged with the terminals they touch, space check on the wires merged with every
shape of the layer; violations the input shapes have on their own are counted apart). The
golden routes (IOWIRE segments, flush-ended) are measured with the same code and printed
beside ours, with their centre-line lengths.
"""

from __future__ import annotations

import fnmatch
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import klayout.db as kdb
import shapely
from shapely.geometry import Polygon

from wlpmask.io.def_lef import layer_terminals, read_def, read_lef, wire_length_um
from wlpmask.io.kdb import to_region
from wlpmask.routing import RouteResult, Terminal, pair_pads_with_bumps, route_rdl

DBU = 0.0005  # um; the DEF files use 2000 units per um
GRID = 0.005  # um; MANUFACTURINGGRID of both technologies


def _region(polys: Iterable[shapely.Geometry]) -> kdb.Region:
    return to_region(polys, dbu_um=DBU)


def drc_counts(wires: Sequence[shapely.Geometry], touched: Sequence[shapely.Geometry],
               others: Sequence[shapely.Geometry], width_um: float, space_um: float
               ) -> dict[str, int]:
    """Violation counts from klayout.db's width and space checks.

    wire_width: the wires alone. width: the wires merged with the terminals they touch.
    space: the wires merged with every shape of the layer (notches included). width0 and
    space0: the same checks on the input shapes alone (violations the input brings).
    """
    w = round(width_um / DBU)
    s = round(space_um / DBU)
    touched_r = _region(touched)
    all_r = _region(others) + touched_r
    wires_r = _region(wires)
    return {
        "wire_width": wires_r.merged().width_check(w).count(),
        "width": (wires_r + touched_r).merged().width_check(w).count(),
        "space": (wires_r + all_r).merged().space_check(s).count(),
        "width0": touched_r.merged().width_check(w).count(),
        "space0": all_r.merged().space_check(s).count(),
    }


def _clean(c: dict[str, int]) -> bool:
    """No violation that the drawn wires bring (the input's own ones aside)."""
    return c["wire_width"] == 0 and c["width"] <= c["width0"] and c["space"] <= c["space0"]


def _drc_text(c: dict[str, int], width: float) -> str:
    return (f"klayout width<{width:g} {c['wire_width']} (merged with terminals {c['width']}, "
            f"terminals alone {c['width0']}), space<{width:g} {c['space']} "
            f"(input alone {c['space0']})")


def golden_wires(path: Path, lefs, layer: str) -> tuple[list[Polygon], float, int]:
    """Flush-ended rectangles of a golden DEF's routed wires, their length, segment count."""
    d = read_def(path, lefs)
    polys: list[Polygon] = []
    segs = 0
    wires = [w for n in d.special_nets.values() for w in n.wires if w.layer == layer]
    for w in wires:
        h = (w.width_um or 0.0) / 2
        for (x0, y0), (x1, y1) in zip(w.points[:-1], w.points[1:]):
            segs += 1
            if x0 != x1 and y0 != y1:
                polys.append(shapely.buffer(shapely.LineString([(x0, y0), (x1, y1)]), h,
                                            cap_style="flat"))
            else:
                polys.append(shapely.box(min(x0, x1) - (h if x0 == x1 else 0),
                                         min(y0, y1) - (h if y0 == y1 else 0),
                                         max(x0, x1) + (h if x0 == x1 else 0),
                                         max(y0, y1) + (h if y0 == y1 else 0)))
    return polys, wire_length_um(wires), segs


def load_case(def_path: Path, lefs, layer: str, patterns: Sequence[str], *, split: bool
              ) -> tuple[list[Terminal], list[Polygon], Polygon, list[str]]:
    """Terminals, obstacles, boundary and DEF net names of one case."""
    d = read_def(def_path, lefs)
    names = sorted(n for n in set(d.nets) | set(d.special_nets)
                   if any(fnmatch.fnmatchcase(n, p) for p in patterns))
    tt, obstacles = layer_terminals(d, lefs, layer, names)
    terms = [Terminal(n, k, g, net) for n, k, g, net in tt]
    if split:
        terms = pair_pads_with_bumps(terms)
    return terms, obstacles, d.die_area, names


def _touched(result: RouteResult, terms: Sequence[Terminal]) -> list[Polygon]:
    names = {t for rn in result.routed.values() for t in rn.terminals}
    return [t.shape for t in terms if t.name in names]


def _case(label: str, terms: list[Terminal], obstacles: list[Polygon], boundary: Polygon,
          def_nets: list[str], width: float, *, allow45: bool, need_all: bool,
          golden: tuple[list[Polygon], float, int] | None) -> bool:
    t0 = time.perf_counter()
    res = route_rdl(terminals=terms, obstacles=obstacles, boundary=boundary, width_um=width,
                    space_um=width, grid_um=GRID, allow45=allow45, assign=False)
    dt = time.perf_counter() - t0
    nets = {t.net for t in terms if t.net is not None}
    routed_def = [n for n in def_nets
                  if all(s in res.routed for s in nets if s == n or s.startswith(n + "/"))]
    signoff = sum(1 for r in res.unrouted.values() if r.startswith("sign-off"))
    wires = [rn.metal for rn in res.routed.values()]
    touched = _touched(res, terms)
    touched_set = {id(g) for g in touched}
    others = [t.shape for t in terms if id(t.shape) not in touched_set] + list(obstacles)
    counts = drc_counts(wires, touched, others, width, width)
    drawn_ok = _clean(counts)
    print(f"{label}: routed {len(res.routed)}/{len(nets)} connections, "
          f"{len(routed_def)}/{len(def_nets)} DEF nets in {dt:.1f} s; "
          f"length {res.total_length_um:,.1f} um; sign-off failures {signoff}; "
          f"{_drc_text(counts, width)}")
    if res.unrouted and not need_all:
        print(f"  unrouted: {', '.join(sorted(res.unrouted))}")
    ok = drawn_ok and signoff == 0
    if need_all:
        ok = ok and not res.unrouted
    if golden is not None:
        gpolys, glen, gsegs = golden
        gc = drc_counts(gpolys, touched, others, width, width)
        print(f"  golden: length {glen:,.1f} um ({gsegs} segments); {_drc_text(gc, width)}; "
              f"ours/golden length {res.total_length_um / glen:.3f}")
        if res.total_length_um > glen:
            print("  note: longer than the golden")
    return ok


def run(extmat: Path) -> bool:
    """Run the OpenROAD RDL cases; print expected beside measured; False on any failure."""
    base = Path(extmat) / "openroad_pad"
    ok = True
    lp = read_lef([base / "passive_tech__tech.lef", base / "passive_tech__bumps.lef"])
    terms, obst, die, names = load_case(base / "passive_tech__floorplan.def", lp, "topmetal",
                                        ["ios0*"], split=False)
    gold = golden_wires(base / "rdl_route_bump_to_bump_only.defok", lp, "topmetal")
    for allow45 in (False, True):
        ok &= _case(f"passive_tech 4/4 um {'45' if allow45 else 'H/V'} (expect 16/16 nets)",
                    terms, obst, die, names, 4.0, allow45=allow45, need_all=True, golden=gold)
    ln = read_lef([base / "Nangate45__Nangate45.lef", base / "Nangate45_io__dummy_pads.lef"])
    terms, obst, die, names = load_case(base / "Nangate45_blackparrot__floorplan_flipchip.def",
                                        ln, "metal10", ["VDD", "DVDD", "VSS", "DVSS", "p_*"],
                                        split=True)
    gold = golden_wires(base / "rdl_route.defok", ln, "metal10")
    for allow45 in (False, True):
        ok &= _case(f"flipchip 4/4 um {'45' if allow45 else 'H/V'} (expect 139/139 nets, "
                    "golden 110,295 um)", terms, obst, die, names, 4.0, allow45=allow45,
                    need_all=True, golden=gold)
    ok &= _case("flipchip 10/10 um 45 (OpenROAD fails; unrouted nets must be named)", terms,
                obst, die, names, 10.0, allow45=True, need_all=False, golden=None)
    return ok
