"""Small chip-on-chip designs for tests, and running their checks without writing files."""

from __future__ import annotations

import copy
from pathlib import Path

from tests.designs import ROOT, write_design
from wlpmask.cells import CellCache
from wlpmask.design import load_design
from wlpmask.io.gds import flatten_layers

PDK = ROOT / "pdk" / "coc_leadframe.toml"


def lead_nets(n: int) -> list[str]:
    """n lead nets: VDD, signals, VSS on each side."""
    k = n // 4
    out, s = [], 1
    for _ in range(4):
        out += ["VDD", *[f"S{s + i}" for i in range(k - 2)], "VSS"]
        s += k - 2
    return out


def two_chip() -> dict:
    """A 5 x 5 mm chip 1 and a 2 x 2 mm chip 2 on a 6 x 6 field, 16 leads, one heat sink."""
    return {
        "design": {"name": "t", "technology": str(PDK), "family": "coc"},
        "chip1": {"width_um": 5000.0, "height_um": 5000.0},
        "first": {"kind": "FLIPCHIP", "pitch_um": 250.0},
        "upper": {"chip2": {"width_um": 2000.0, "height_um": 2000.0}},
        "netlist": {"second": lead_nets(16),
                    "first": {"chip2": ["VDD", *[f"S{i}" for i in range(1, 34)], "VSS", ""]}},
        "frame": {"width_um": 9000.0, "height_um": 9000.0, "package_um": [7000.0, 7000.0],
                  "leads": 16, "lead_pitch_um": 500.0},
        "heat_sinks": {"HS1": {"chip": "chip2", "voltage_v": 0.0}},
    }


def three_chip() -> dict:
    """An 8 x 8 mm chip 1 with two 2 x 2 mm upper chips on heat sinks at 0 V and 3.3 V."""
    doc = two_chip()
    doc["chip1"].update(width_um=8000.0, height_um=8000.0)
    doc["upper"] = {"chip2": {"width_um": 2000.0, "height_um": 2000.0,
                              "place_um": [1500.0, 3000.0]},
                    "chip3": {"width_um": 2000.0, "height_um": 2000.0,
                              "place_um": [4800.0, 3000.0]}}
    doc["netlist"]["first"] = {"chip2": {"prefix": "A", "count": 36},
                               "chip3": {"prefix": "B", "count": 30}}
    doc["frame"].update(width_um=12000.0, height_um=12000.0, package_um=[10000.0, 10000.0])
    doc["heat_sinks"] = {
        "HS2": {"chip": "chip2", "voltage_v": 0.0, "ties": ["upper_left", "lower_left"]},
        "HS3": {"chip": "chip3", "voltage_v": 3.3, "ties": ["top", "bottom"]}}
    return doc


def tech_copy(tmp_path: Path, *swaps: tuple[str, str]) -> str:
    """A copy of the technology with text replaced (each old text must be there)."""
    text = PDK.read_text()
    for old, new in swaps:
        assert old in text, old
        text = text.replace(old, new)
    p = tmp_path / "tech.toml"
    p.write_text(text)
    return str(p)


def generated(tmp_path: Path, doc: dict, name: str = "d.toml"):
    """(design, family, product, shapes) of a design, drawn but not written."""
    design, fam = load_design(write_design(tmp_path, copy.deepcopy(doc), name))
    product = fam.generate(design.part, tech=design.tech, cache=CellCache())
    shapes = flatten_layers(product.top, design.tech, dbu_um=design.tech.grid_um)
    return design, fam, product, shapes


def checks_of(tmp_path: Path, doc: dict) -> dict:
    """The design's process checks by id."""
    design, fam, product, shapes = generated(tmp_path, doc)
    return {c.id: c for c in fam.checks(design.part, product, shapes, design.tech)}


def assert_plates_cover(metal, top, bottom, *, width_dbu: int, grow_dbu: int) -> None:
    """Etch plates against the metal they make (klayout.db regions of one frame, dbu).

    The bottom plate, drawn as seen from below, is mirrored back (x -> width - x); it keeps
    only metal, the two plates together keep all of it (every part is protected from one side
    at least), and the top plate, the wider one, reaches past the metal by its growth only.
    """
    import klayout.db as kdb

    unmirrored = bottom.transformed(kdb.Trans(kdb.Trans.M90, width_dbu, 0))
    assert not unmirrored.is_empty() and (unmirrored - metal).is_empty()
    assert (metal - (top | unmirrored)).is_empty()
    assert (top - metal.sized(grow_dbu + 2)).is_empty()  # 2 dbu: rounding along the arcs
    assert not (top - metal).is_empty()
