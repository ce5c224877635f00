"""The command line: exit codes, one-line errors, files written only on success."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import gdstk
import klayout.rdb as rdb
import pytest
from click.testing import CliRunner

from wlpmask.cli import main
from wlpmask.io.gds import write_cells, write_gds
from wlpmask.tech import load_technology

PDK = Path(__file__).resolve().parent.parent / "pdk"
TECH = PDK / "wlcsp_generic.toml"


def _rect(x0, y0, x1, y1, gds):
    return gdstk.rectangle((x0, y0), (x1, y1), layer=gds[0], datatype=gds[1])


@pytest.fixture
def files(tmp_path):
    """A clean and a violating layout on the RDL layer, plus odd inputs."""
    tech = load_technology(TECH)
    rdl = tech.layers["RDL"].gds
    w, sp = tech.rules["RDL.W"].limit, tech.rules["RDL.S"].limit
    clean = gdstk.Cell("CLEAN")
    gap = 2 * w + 2 * sp
    clean.add(_rect(0, 0, 20 * w, 2 * w, rdl), _rect(0, gap, 20 * w, gap + 2 * w, rdl))
    bad = gdstk.Cell("BAD")
    # one shape 0.8 x the width limit wide, the next 0.5 x the space limit away
    bad.add(_rect(0, 0, 20 * w, 0.8 * w, rdl), _rect(0, 0.8 * w + 0.5 * sp, 20 * w, 4 * w, rdl))
    foreign = gdstk.Cell("FOREIGN")
    foreign.add(_rect(0, 0, 10, 10, (1, 0)))
    out = {"tmp": tmp_path}
    for name, cell in (("clean", clean), ("bad", bad), ("foreign", foreign)):
        out[name] = tmp_path / f"{name}.gds"
        write_gds(out[name], cell, tech=tech)
    out["text"] = tmp_path / "text.gds"
    out["text"].write_text("not a layout\n")
    out["cut"] = tmp_path / "cut.gds"
    out["cut"].write_bytes(out["bad"].read_bytes()[:200])
    out["two"] = tmp_path / "two.gds"
    write_cells(out["two"], [clean, foreign], dbu_um=0.001)
    return out


def _run(args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _assert_bad_input(result, *needles):
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0]


def test_tech_check_and_lyp(tmp_path):
    result = _run(["tech", "check", TECH])
    assert result.exit_code == 0 and "wlcsp_generic" in result.stdout
    out = tmp_path / "w.lyp"
    result = _run(["tech", "lyp", TECH, "-o", out])
    assert result.exit_code == 0, result.output
    assert len(ET.parse(out).getroot().findall("properties")) == len(load_technology(TECH).layers)


def test_tech_lyp_bad_toml_writes_nothing(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[technology\n")
    _assert_bad_input(_run(["tech", "lyp", bad, "-o", tmp_path / "w.lyp"]), str(bad))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_drc_clean(files):
    result = _run(["drc", files["clean"], "--tech", TECH, "--rules", "RDL.W,RDL.S"])
    assert result.exit_code == 0, result.output
    assert "RDL.W" in result.stdout and "0 violations" in result.stdout


def test_drc_violations_and_reports(files):
    js, lyrdb = files["tmp"] / "r.json", files["tmp"] / "r.lyrdb"
    result = _run(["drc", files["bad"], "--tech", TECH, "--rules", "RDL.S,RDL.W",
                   "--json", js, "--lyrdb", lyrdb])
    assert result.exit_code == 1, result.output
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line}
    rules = load_technology(TECH).rules
    w, sp = rules["RDL.W"].limit, rules["RDL.S"].limit
    assert rows["RDL.W"][1:3] == ["width", "RDL"]
    assert rows["RDL.W"][4:8] == [f"{0.8 * w:g}", "um", f"{w:g}", "um"]
    assert rows["RDL.S"][4:8] == [f"{0.5 * sp:g}", "um", f"{sp:g}", "um"]
    data = json.loads(js.read_text())
    assert data["cell"] == "BAD" and data["technology"] == "wlcsp_generic"
    db = rdb.ReportDatabase("")
    db.load(str(lyrdb))
    counts = {c.name(): c.num_items() for c in db.each_category()}
    assert counts == data["summary"] and counts["RDL.W"] >= 1 and counts["RDL.S"] >= 1


def test_drc_json_is_strict_json(files):
    """All rules: RDL lies outside the (absent) die, which has no finite margin."""
    js = files["tmp"] / "all.json"
    result = _run(["drc", files["bad"], "--tech", TECH, "--json", js])
    assert result.exit_code == 1, result.output

    def refuse(name):
        raise ValueError(f"not JSON: {name}")

    data = json.loads(js.read_text(), parse_constant=refuse)
    assert sum(data["summary"].values()) == len(data["violations"]) >= 2


def test_drc_warns_about_unknown_layers(files):
    result = _run(["drc", files["two"], "--tech", TECH, "--cell", "CLEAN",
                   "--rules", "RDL.W"])
    assert result.exit_code == 0 and result.stderr == ""
    # A layout with polygons on foreign layers beside checked ones: a warning, not an error.
    mixed = files["tmp"] / "mixed.gds"
    top = gdstk.Cell("MIXED")
    top.add(_rect(0, 0, 100, 20, (74, 20)), _rect(0, 0, 5, 5, (1, 0)))
    write_cells(mixed, top, dbu_um=0.001)
    result = _run(["drc", mixed, "--tech", TECH, "--rules", "RDL.W"])
    assert result.exit_code == 0 and "warning" in result.stderr and "1/0" in result.stderr


def test_drc_bad_inputs(files, tmp_path):
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text('[technology]\nname = "x\n')
    unknown_layer = tmp_path / "unknown.toml"
    unknown_layer.write_text(TECH.read_text().replace('layer = "RDL"', 'layer = "RDLX"', 1))
    before = set(tmp_path.iterdir())
    outs = ["--json", tmp_path / "o.json", "--lyrdb", tmp_path / "o.lyrdb"]
    cases = [
        (["drc", files["bad"], "--tech", bad_toml], [str(bad_toml), "malformed TOML"]),
        (["drc", files["bad"], "--tech", unknown_layer], [str(unknown_layer), "'RDLX'"]),
        (["drc", tmp_path / "missing.gds", "--tech", TECH], ["missing.gds", "not found"]),
        (["drc", files["text"], "--tech", TECH], ["text.gds", "not a GDSII file"]),
        (["drc", files["cut"], "--tech", TECH], ["cut.gds", "cannot read GDSII"]),
        (["drc", files["foreign"], "--tech", TECH], ["foreign.gds", "no polygons", "1/0"]),
        (["drc", files["bad"], "--tech", TECH, "--cell", "NOPE"], ["NOPE", "BAD"]),
        (["drc", files["two"], "--tech", TECH], ["2 top cells", "CLEAN, FOREIGN"]),
        (["drc", files["bad"], "--tech", TECH, "--rules", "RDL.W,NOPE"], ["'NOPE'"]),
    ]
    for args, needles in cases:
        _assert_bad_input(_run(args + outs), *needles)
    assert set(tmp_path.iterdir()) == before


@pytest.mark.parametrize("where", ["missing_dir", "is_dir"])
def test_drc_unwritable_output(files, where):
    target = files["tmp"] / ("no/r.json" if where == "missing_dir" else "")
    before = set(files["tmp"].iterdir())
    result = _run(["drc", files["bad"], "--tech", TECH, "--json", target])
    _assert_bad_input(result)
    assert set(files["tmp"].iterdir()) == before


def test_console_script_prints_one_line_for_a_truncated_file(files):
    """Through a real process: the GDS reader's own messages stay off the terminal."""
    proc = subprocess.run(
        [sys.executable, "-m", "wlpmask.cli", "drc", str(files["cut"]), "--tech", str(TECH)],
        capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: ")


def test_drc_json_then_unwritable_lyrdb_writes_neither(files, tmp_path):
    """Every output path is checked before any is written (and before the check runs)."""
    (tmp_path / "plain").write_text("a file, not a directory")
    result = _run(["drc", files["bad"], "--tech", TECH, "--json", tmp_path / "a.json",
                   "--lyrdb", tmp_path / "plain" / "r.lyrdb"])
    _assert_bad_input(result, "does not exist")
    assert not (tmp_path / "a.json").exists()
    # a directory that exists but takes no file (even for root): /proc on Linux
    proc = Path("/proc")
    if not (proc / "self").exists():
        pytest.skip("no /proc on this system: no directory that refuses every writer")
    result = _run(["drc", files["bad"], "--tech", TECH, "--json", tmp_path / "a.json",
                   "--lyrdb", proc / "r.lyrdb"])
    _assert_bad_input(result, "cannot write here")
    assert not (tmp_path / "a.json").exists()


def test_families_lists_every_family():
    from wlpmask.families import FAMILIES

    result = _run(["families"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == list(FAMILIES) and "wlcsp" in FAMILIES


def test_drc_hier_reports_what_the_flat_check_reports(files):
    """An array of the violating cell whose rows come within the space rule of each other:
    violations inside each instance and where instances meet, the same in both modes."""
    tech = load_technology(TECH)
    bad = gdstk.read_gds(str(files["bad"])).top_level()[0]
    w = tech.rules["RDL.W"].limit
    top = gdstk.Cell("ARRAY")
    top.add(gdstk.Reference(bad, (0, 0), columns=3, rows=4, spacing=(30 * w, 4.5 * w)))
    gds = files["tmp"] / "array.gds"
    write_cells(gds, [top, bad], dbu_um=tech.grid_um)
    got = {}
    for mode in ("flat", "hier"):
        js = files["tmp"] / f"{mode}.json"
        result = _run(["drc", gds, "--tech", TECH, "--json", js,
                       *(["--hier"] if mode == "hier" else [])])
        assert result.exit_code == 1, result.output
        got[mode] = json.loads(js.read_text())
    assert got["hier"]["summary"] == got["flat"]["summary"]

    def records(data):  # a space pair's two edges in either order (the relation is symmetric)
        return sorted((v["rule"], v["bbox"], v["measured_um"], sorted(v["edge_pair"] or []))
                      for v in data["violations"])

    assert records(got["hier"]) == records(got["flat"])
    assert got["flat"]["summary"]["RDL.S"] > 12  # more than once per instance: where they meet
