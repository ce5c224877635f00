"""Contacts designs for tests: a small array on a 4 x 4 mm die, and what the tests read back."""

from __future__ import annotations

import copy
from pathlib import Path

import klayout.db as kdb
import tomllib
from click.testing import CliRunner

from tests.designs import ROOT, write_design
from wlpmask.cli import main

PDK = ROOT / "pdk" / "microcontact.toml"


def pins(**sections) -> dict:
    """6 x 6 pins at 500 um on a 4 x 4 mm die, 45 deg in air, fixed lean; sections replace
    (or, as None, drop) tables."""
    doc = {
        "design": {"name": "t", "technology": str(PDK), "family": "contacts"},
        "die": {"width_um": 4000.0, "height_um": 4000.0, "dicing_lane_um": 100.0,
                "seal_ring_um": 20.0, "keepout_um": 100.0},
        "array": {"rows": 6, "columns": 6, "pitch_um": 500.0, "w_um": 120.0, "h_um": 120.0},
        "contacts": {"element": "pin", "pin_diameter_um": 60.0},
        "exposure": {"medium": "air", "tilt_deg": 45.0},
        "lean": {"policy": "fixed", "azimuth_deg": 0.0},
    }
    for k, v in sections.items():
        if v is None:
            doc.pop(k, None)
        else:
            doc[k] = copy.deepcopy(v)
    return doc


def springs(**sections) -> dict:
    """The same array with leaf springs pointing inward."""
    base = {"contacts": {"element": "leaf_spring"}, "exposure": None,
            "lean": {"policy": "radial", "free_end": "inward"}}
    return pins(**{**base, **sections})


def sheet(**sections) -> dict:
    """The same array as a breakaway-tab sheet, springs along +y."""
    base = {"contacts": {"method": "sheet"}, "exposure": None,
            "lean": {"policy": "fixed", "azimuth_deg": 90.0}}
    return pins(**{**base, **sections})


def technology() -> dict:
    """The shipped technology as TOML data (read here, not through wlpmask)."""
    return tomllib.loads(PDK.read_text(encoding="utf-8"))


def tech_variant(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    """The shipped technology file with text edits (old, new), each applied once."""
    text = PDK.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    p = tmp_path / "tech.toml"
    p.write_text(text, encoding="utf-8")
    return p


def run_cli(*args):
    return CliRunner().invoke(main, list(args))


def build_cli(tmp_path: Path, doc: dict, name: str = "d.toml"):
    """`wlpmask build` of a design: the result and the output directory."""
    f = write_design(tmp_path, doc, name)
    out = tmp_path / f"out_{Path(name).stem}"
    return run_cli("build", str(f), "-o", str(out)), out


def product(tmp_path: Path, doc: dict, name: str = "d.toml"):
    """A design loaded and drawn (no files written but its GDS): the design, the product, its
    process checks by id and the family's manifest keys."""
    from wlpmask.cells import CellCache
    from wlpmask.design import load_design
    from wlpmask.io.gds import flatten_layers, write_gds

    design, fam = load_design(write_design(tmp_path, doc, name))
    tech = design.tech
    prod = fam.generate(design.part, tech=tech, cache=CellCache())
    shapes = flatten_layers(prod.top, tech, dbu_um=tech.grid_um)
    checks = {c.id: c for c in fam.checks(design.part, prod, shapes, tech)}
    gds = tmp_path / f"{Path(name).stem}.gds"
    write_gds(gds, prod.top, tech=tech)
    return design, prod, checks, fam.manifest(design.part, prod), gds


def region(gds: Path, gds_layer: tuple[int, int], cell: str | None = None) -> kdb.Region:
    """A layer of a GDS file, flattened and merged by klayout.db."""
    ly = kdb.Layout()
    ly.read(str(gds))
    top = ly.cell(cell) if cell else ly.top_cell()
    r = kdb.Region(top.begin_shapes_rec(ly.layer(*gds_layer)))
    r.merge()
    return r
