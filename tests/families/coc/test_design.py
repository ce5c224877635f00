"""Bad chip-on-chip design files: exit 2 with one line naming the file and key, nothing
written."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.designs import write_design
from tests.families.coc.designs import PDK, tech_copy, three_chip, two_chip
from wlpmask.cli import main


def _set(path: str, value):
    def edit(doc):
        keys = path.split(".")
        t = doc
        for k in keys[:-1]:
            t = t.setdefault(k, {})
        if value is None:
            del t[keys[-1]]
        else:
            t[keys[-1]] = value
    return edit


def _many(*edits):
    def edit(doc):
        for e in edits:
            e(doc)
    return edit


CASES = [
    ("unknown kind", _set("first.kind", "PILLAR"), "first.kind", "FLIPCHIP, MICRO"),
    ("pitch below the kind", _set("first.pitch_um", 200.0), "first.pitch_um", "250"),
    ("leads not on four sides", _set("frame.leads", 18), "frame.leads", "multiple of 4"),
    ("a net per lead", _set("netlist.second", ["VDD"] * 15), "netlist.second", "16 leads"),
    ("a net with a comma", _set("netlist.second", ["A,B"] * 16), "netlist.second[0]", "comma"),
    ("field too large", _set("netlist.first.chip2", {"prefix": "N", "count": 65}),
     "netlist.first.chip2", "need 8 x 9; chip chip2 holds 8 x 8"),
    ("capacitor net", _set("capacitors.C1", {"box_um": [100.0, 100.0, 600.0, 300.0],
                                             "nets": ["VDD", "GND"], "target_nf": 1.0}),
     "capacitors.C1.nets", "'GND' is not in the netlist"),
    ("capacitor outside chip 1", _set("capacitors.C1", {"box_um": [100.0, 100.0, 6000.0, 300.0],
                                                        "nets": ["VDD", "VSS"],
                                                        "target_nf": 1.0}),
     "capacitors.C1.box_um", "inside chip 1"),
    ("die section", _set("die", {"width_um": 1000.0, "height_um": 1000.0}), "die",
     "does not read"),
    ("heat sink of an unknown chip", _set("heat_sinks.HS1.chip", "chip9"),
     "heat_sinks.HS1.chip", "chip2"),
    ("chip without heat sink", _set("heat_sinks", {}), "heat_sinks", "'chip2' has no heat sink"),
    ("unknown tie", _set("heat_sinks.HS1.ties", ["north"]), "heat_sinks.HS1.ties", "upper_left"),
    ("no room for a corner tie", _set("frame.package_um", [7800.0, 7800.0]),
     "heat_sinks.HS1.ties", "meets the rail"),
    ("leads do not fit", _set("frame.lead_pitch_um", 1300.0), "frame.lead_pitch_um",
     "do not fit"),
    ("negative recess", _set("heat_sinks.HS1.recess_um", -5.0), "heat_sinks.HS1.recess_um",
     ">= 0"),
    ("lead as wide as its pitch", _set("frame.lead_width_um", 500.0), "frame.lead_width_um",
     "no space"),
]


def _run_bad(tmp_path, doc, *needles):
    path = write_design(tmp_path, doc)
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert not (tmp_path / "out").exists()
    return lines[0]


@pytest.mark.parametrize("what, edit, key, text", CASES, ids=[c[0] for c in CASES])
def test_bad_design_exits_2_naming_file_and_key(tmp_path, what, edit, key, text):
    doc = two_chip()
    edit(doc)
    _run_bad(tmp_path, doc, str(tmp_path / "d.toml"), f": {key}: ", text)


def test_a_capacitor_target_too_high_names_the_area_it_needs(tmp_path):
    doc = two_chip()
    doc["capacitors"] = {"C1": {"box_um": [100.0, 100.0, 600.0, 300.0], "nets": ["VDD", "VSS"],
                                "target_nf": 40.0}}
    line = _run_bad(tmp_path, doc, "capacitors.C1.target_nf")
    # 40 nF / 1.175584 pF = 34,026 pores, x 6.25 um2 = 0.213 mm2; the region is 0.1 mm2
    assert "34,026 pores" in line and "0.213 mm2" in line and "region is 0.1 mm2" in line


def test_a_missing_stack_film_names_the_technology(tmp_path):
    doc = three_chip()
    doc["design"]["technology"] = tech_copy(tmp_path, ("[stack.PORE_DIELECTRIC]",
                                                       "[stack.DIELECTRIC]"))
    _run_bad(tmp_path, doc, "tech.toml: stack.PORE_DIELECTRIC: missing stack film")


def test_two_heat_sinks_on_one_chip(tmp_path):
    doc = three_chip()
    doc["heat_sinks"]["HS3"]["chip"] = "chip2"
    _run_bad(tmp_path, doc, "heat_sinks.HS3.chip", "already sits on 'HS2'")


def test_the_shipped_technology_loads():
    assert PDK.is_file()
    result = CliRunner().invoke(main, ["tech", "check", str(PDK)])
    assert result.exit_code == 0 and "1.1 x stack FRAME thickness" in result.stdout


def test_a_permittivity_of_zero_names_the_technology(tmp_path):
    doc = two_chip()
    doc["design"]["technology"] = tech_copy(tmp_path, ("relative_permittivity_ratio = 7.0",
                                                       "relative_permittivity_ratio = 0.0"))
    _run_bad(tmp_path, doc, "stack.PORE_DIELECTRIC.relative_permittivity_ratio", "> 0")
