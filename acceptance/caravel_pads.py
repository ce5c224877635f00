"""The real caravel chip_io pad ring (sky130, extmat/openroad_pad/sky130_caravel_padring) read
through `[pads] source = "def"` and built into a fan-in WLCSP with pdk/wlcsp_generic.toml.

The pads are the signal pins PAD of the pad cells on met5 (`pins = ["PAD"]`); every corner,
filler and power cell also has pins on met5 (its power rails), which are not pads. A pad too
small for a PI1 opening is left out (`too_small = "skip"`) and must be named in the manifest.
Expected: the 45 PAD pins of the corpus's derived pad list, one of them (resetb_pad, 12.3 x
18.5 um) too small; the other 44 all routed to a bump; zero DRC violations from wlpmask and zero
from klayout.db's width and space checks on the merged RDL layer of the GDS written.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from pathlib import Path

import klayout.db as kdb

from wlpmask.build import build
from wlpmask.tech import load_technology

ROOT = Path(__file__).resolve().parent.parent
TECH = ROOT / "pdk" / "wlcsp_generic.toml"
FOUND = 45  # PAD pins on met5 (extmat derived_caravel_pad_openings.csv)
TOO_SMALL = ["resetb_pad"]  # its PAD pin is 12.295 x 18.51 um
# Pads sit 33 um from the die edge: half lane + seal ring + RDL.SEAL (15 um) must stay below.
DIE_BANDS = {"dicing_lane_um": 10.0, "seal_ring_um": 10.0, "keepout_um": 200.0}


def die_area_um(def_path: Path) -> tuple[float, float]:
    """Width and height of the DEF's DIEAREA rectangle, um."""
    text = def_path.read_text(encoding="utf-8", errors="replace")
    units = float(re.search(r"UNITS\s+DISTANCE\s+MICRONS\s+(\S+)\s*;", text).group(1))
    x0, y0, x1, y1 = (float(v) for v in re.search(
        r"DIEAREA\s*\(\s*(\S+)\s+(\S+)\s*\)\s*\(\s*(\S+)\s+(\S+)\s*\)", text).groups())
    return (x1 - x0) / units, (y1 - y0) / units


def design_text(def_path: Path, lefs: list[Path]) -> str:
    """The design file: the DEF's die, its met5 PAD pins, 0.4 mm bumps."""
    w, h = die_area_um(def_path)
    lef_list = ", ".join(json.dumps(str(p)) for p in lefs)
    bands = "\n".join(f"{k} = {v}" for k, v in DIE_BANDS.items())
    return f"""[design]
name = "caravel_padring"
technology = {json.dumps(str(TECH))}
family = "wlcsp"

[die]
width_um = {w}
height_um = {h}
{bands}

[pads]
source = "def"
path = {json.dumps(str(def_path))}
lef = [{lef_list}]
layer = "met5"
pins = ["PAD"]
too_small = "skip"

[bumps]
pitch_um = 400.0

[fill]
material = "conductive_adhesive"
largest_particle_um = 20.0

[ball]
diameter_um = 250.0
core = "polystyrene"
coating_um = 2.0
"""


def klayout_rdl(gds: Path, *, width_um: float, space_um: float) -> dict[str, int]:
    """Violations of klayout.db's width and space checks on the merged RDL layer of a GDS.

    Args:
        gds: the built layout (one top cell).
        width_um, space_um: the limits (violations are below them).
    """
    layer, datatype = load_technology(TECH).layers["RDL"].gds
    ly = kdb.Layout()
    ly.read(str(gds))
    rdl = kdb.Region(ly.top_cell().begin_shapes_rec(ly.layer(layer, datatype))).merged()
    return {"width": rdl.width_check(round(width_um / ly.dbu)).count(),
            "space": rdl.space_check(round(space_um / ly.dbu)).count(),
            "polygons": rdl.count()}


def run(extmat: Path) -> bool:
    """Build the caravel pad ring; print expected beside measured; False on any difference."""
    base = Path(extmat) / "openroad_pad" / "sky130_caravel_padring"
    def_path = base / "skywater130_caravel.defok"
    lefs = sorted(base.glob("*.lef"))
    with tempfile.TemporaryDirectory() as tmp:
        design = Path(tmp) / "caravel_padring.toml"
        design.write_text(design_text(def_path, lefs), encoding="utf-8")
        t0 = time.perf_counter()
        result = build(design, Path(tmp) / "out")
        dt = time.perf_counter() - t0
        m = result.manifest
        rules = load_technology(TECH).rules
        width, space = rules["RDL.W"].limit, rules["RDL.S"].limit
        kl = klayout_rdl(Path(tmp) / "out" / "caravel_padring.gds", width_um=width,
                         space_um=space)
    skipped = m["pads_skipped"]
    kept = m["pads"]["count"]
    r = m["routing"]
    routed, nets = len(r["routed"]), r["nets"]
    print(f"caravel chip_io ({m['die']['width_um']:g} x {m['die']['height_um']:g} um, "
          f"{len(lefs)} LEF files): PAD pins on met5 {kept + len(skipped)} (expect {FOUND}); "
          f"skipped {len(skipped)} (expect {', '.join(TOO_SMALL)})")
    for s in skipped:
        print(f"  skipped {s['name']}: {s['reason']}")
    print(f"  bumps {m['bumps']['rows']} x {m['bumps']['columns']} at "
          f"{m['bumps']['pitch_um']:g} um; nets {routed}/{nets} routed, pads assigned "
          f"{len(r['assignment'])}/{kept}; RDL {r['total_length_um']:,.1f} um; "
          f"wlpmask DRC {m['drc']['violations']}; klayout width<{width:g} "
          f"{kl['width']}, space<{space:g} {kl['space']} on {kl['polygons']} "
          f"merged RDL polygons; build {dt:.1f} s")
    for net, why in sorted(r["unrouted"].items()):
        print(f"  unrouted {net}: {why}")
    return (kept + len(skipped) == FOUND and [s["name"] for s in skipped] == TOO_SMALL
            and all(s["reason"] for s in skipped) and routed == nets and not r["unrouted"]
            and len(r["assignment"]) == kept and m["drc"]["violations"] == 0
            and kl["width"] == 0 and kl["space"] == 0 and m["ok"])

