"""The build pipeline and `wlpmask build`: examples DRC-clean in wlpmask and in KLayout, bad input
(exit 2, one line), violations (exit 1), reproducible and atomic output."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import klayout.db as kdb
import klayout.rdb as krdb
import numpy as np
import pytest
from click.testing import CliRunner

from tests.designs import ROOT, base_design, pad, write_design
from tests.drc.klayout_radius import radius_violations
from tests.test_build_preview import decode_png
from wlpmask import build as build_mod
from wlpmask.build import build
from wlpmask.cli import main
from wlpmask.families.wlcsp import Wlcsp
from wlpmask.io.kdb import rule_count
from wlpmask.tech import load_technology

# The WLCSP examples (each family tests its own examples).
EXAMPLES = sorted(p for p in (ROOT / "layouts").glob("*.toml")
                  if 'family = "wlcsp"' in p.read_text(encoding="utf-8"))


def klayout_counts(gds: Path, tech, skip=()) -> dict[str, int]:
    """Violations per rule, checked by KLayout on the written GDS (the reference DRC)."""
    ly = kdb.Layout()
    ly.read(str(gds))
    top = ly.top_cell()
    dbu = ly.dbu

    def region(name):
        r = kdb.Region(top.begin_shapes_rec(ly.layer(*tech.layers[name].gds)))
        r.merge()
        return r

    out = {}
    for rid, rule in tech.rules.items():
        if rid in skip:
            continue
        L = [region(n) for n in rule.layers]  # noqa: N806
        if rule.kind in ("outer_radius", "inner_radius"):
            d = int(round(rule.limit / dbu))
            n = len(radius_violations(L[0], d, rule.kind == "inner_radius"))
        else:
            n = rule_count(rule, L, dbu_um=dbu)
        out[rid] = n
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = {}
    for f in EXAMPLES:
        d = tmp_path_factory.mktemp(f.stem)
        out[f.stem] = build(f, d)
    return out


def test_there_are_three_examples():
    assert {f.stem for f in EXAMPLES} >= {"wlcsp_5x5_adhesive", "wlcsp_gds_pads",
                                          "wlcsp_3x3_paste"}


@pytest.mark.parametrize("name", [f.stem for f in EXAMPLES])
def test_example_routes_every_net(built, name):
    r = built[name]
    assert r.report.unrouted == {}
    assert len(r.report.routed) == len({p.net_name for p in r.design.part.pads})
    assert r.report.total_length_um > 0


@pytest.mark.parametrize("name", [f.stem for f in EXAMPLES])
def test_example_passes_the_process_checks(built, name):
    r = built[name]
    assert [c.id for c in r.checks if not c.passed] == []


@pytest.mark.parametrize("name", [f.stem for f in EXAMPLES])
def test_example_is_drc_clean_in_wlpmask(built, name):
    r = built[name]
    assert {k: v for k, v in r.drc.summary().items() if v} == {}
    assert r.ok


@pytest.mark.parametrize("name", [f.stem for f in EXAMPLES])
def test_example_is_drc_clean_in_klayout(built, name):
    r = built[name]
    tech = r.design.tech
    counts = klayout_counts(r.out_dir / f"{name}.gds", tech, skip=r.skipped_rules)
    assert {k: v for k, v in counts.items() if v} == {}
    assert len(counts) == len(tech.rules) - len(r.skipped_rules)


@pytest.mark.parametrize("name", [f.stem for f in EXAMPLES])
def test_example_outputs_and_manifest(built, name):
    r = built[name]
    files = {p.name for p in r.out_dir.iterdir()}
    expect = {f"{name}.{ext}" for ext in ("gds", "drc.json", "lyrdb", "lyp", "lys", "svg",
                                          "png", "detail.png")}
    assert expect | {"manifest.json"} <= files
    assert not [f for f in files if f.startswith(".")]  # no temporary leftovers
    m = json.loads((r.out_dir / "manifest.json").read_text())
    assert load_technology(m["technology_file"]).name == r.design.tech.name
    for path, sha in m["inputs"].items():
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == sha
    for f, sha in m["outputs"].items():
        assert hashlib.sha256((r.out_dir / f).read_bytes()).hexdigest() == sha
    assert m["polygons"]["PI2"] == len(r.design.part.bumps.sites)
    assert m["polygons"]["PAD"] == len(r.design.part.pads)
    assert m["routing"]["unrouted"] == r.report.unrouted
    assert set(m["routing"]["assignment"]) == {p.name for p in r.design.part.pads}
    assert m["family"] == "wlcsp"
    assert {role: v["layer"] for role, v in m["roles"].items()} == {
        role: lay.name for role, lay in r.design.part.layers.drawn().items()}
    assert [s["role"] for s in m["masks"]] == [
        role for role in ("PI1", "RDL", "PI2", "UBM", "STENCIL") if role in m["roles"]]
    assert m["checks"]["run"] == len(r.checks) and m["ok"] == r.ok
    report = json.loads((r.out_dir / f"{name}.drc.json").read_text())
    assert [c["id"] for c in report["process_checks"]] == [c.id for c in r.checks]
    assert set(report["summary"]) >= {c.id for c in r.checks}
    rdb = krdb.ReportDatabase("r")
    rdb.load(str(r.out_dir / f"{name}.lyrdb"))
    cats = {c.name(): c.description for c in rdb.each_category()}
    assert {c.id for c in r.checks} <= set(cats)
    for c in r.checks:  # each process check says what it checks, its limit and unit
        bound = "min" if c.comparison == ">=" else "max"
        unit = "" if c.unit == "ratio" else f" {c.unit}"
        assert cats[c.id].startswith(c.description)
        assert cats[c.id].endswith(f"{bound} {c.required:g}{unit})")
    png = (r.out_dir / f"{name}.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    svg = (r.out_dir / f"{name}.svg").read_text()
    assert svg.startswith("<svg") and r.design.tech.layers["RDL"].color in svg


@pytest.mark.parametrize("name", [f.stem for f in EXAMPLES])
def test_example_has_a_teardrop_at_every_capture_pad_junction(built, name):
    r = built[name]
    t = json.loads((r.out_dir / "manifest.json").read_text())["routing"]["teardrops"]
    # every routed net here is one pad and one bump: one trace meets one capture pad
    assert t["capture_pads"]["junctions"] == len(r.report.routed)
    assert t["capture_pads"]["placed"] == t["capture_pads"]["junctions"]
    assert t["missing"] == {} and t["placed"] == r.report.teardrops.placed()


def test_detail_preview_shows_a_corner_at_full_resolution(built):
    r = built["wlcsp_5x5_adhesive"]
    region = r.product.detail.region_um
    assert region[:2] == (0.0, 0.0) and region[2] == region[3] < r.design.part.die.width_um / 4
    full, detail = (decode_png((r.out_dir / f).read_bytes()) for f in (
        "wlcsp_5x5_adhesive.png", "wlcsp_5x5_adhesive.detail.png"))
    rdl = np.array([int(r.design.tech.layers["RDL"].color[i:i + 2], 16) for i in (1, 3, 5)])
    blend = np.round(255 * (1 - 0.45) + rdl * 0.45)

    def rdl_share(img):  # the share of drawing pixels showing bare RDL
        return np.mean(np.all(np.abs(img[36:900, 24:900].astype(int) - blend) <= 1, axis=2))

    # at least 4x the full view's scale: a 10 um trace is 10 px wide instead of 2
    assert full.shape == detail.shape and rdl_share(detail) > 0.05


def test_generated_chip_is_written_beside_the_outputs(built):
    r = built["wlcsp_gds_pads"]
    assert (r.out_dir / "demo_chip.gds").is_file()
    assert json.loads((r.out_dir / "manifest.json").read_text())["generated_inputs"] == [
        "demo_chip.gds"]


def test_build_is_reproducible(built, tmp_path):
    a = built["wlcsp_3x3_paste"]
    b = build(ROOT / "layouts" / "wlcsp_3x3_paste.toml", tmp_path / "b")
    rel = [p.relative_to(a.out_dir) for p in a.files]
    assert rel == [p.relative_to(b.out_dir) for p in b.files]
    assert any(r.parts[0] == "masks" for r in rel)  # the plates are compared too
    for r in rel:
        assert (a.out_dir / r).read_bytes() == (b.out_dir / r).read_bytes(), r


def _small(tmp_path, **changes) -> Path:
    doc = base_design()
    doc["assignment"] = {"mode": "given", "table": {"P1": "C2", "P2": "B3"}}
    for k, v in changes.items():
        doc[k] = v
    return write_design(tmp_path, doc)


def test_failure_leaves_nothing_half_written(tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(_small(tmp_path), out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_mod, "write_preview", boom)
    with pytest.raises(RuntimeError):
        build(_small(tmp_path, rdl={"teardrops": "none"}), out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.toml", "out"]  # no staging left


def test_detail_preview_can_be_turned_off(tmp_path):
    r = build(_small(tmp_path, preview={"detail_corner": "none"}), tmp_path / "out")
    assert r.ok and not (r.out_dir / "t.detail.png").exists()
    assert json.loads((r.out_dir / "manifest.json").read_text())["detail_preview"] is None


def test_unrouted_nets_are_named_and_fail(tmp_path):
    r = build(_small(tmp_path), tmp_path / "out", families={"wlcsp": Wlcsp(router=None)})
    assert not r.ok and set(r.report.unrouted) == {"P1", "P2"}
    assert all("router" in why for why in r.report.unrouted.values())
    m = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert m["routing"]["unrouted"] == r.report.unrouted and m["ok"] is False


def run_cli(*args):
    return CliRunner().invoke(main, list(args))


def test_cli_build_clean_exit_0(tmp_path):
    ok = run_cli("build", str(_small(tmp_path)), "-o", str(tmp_path / "ok"))
    assert ok.exit_code == 0, ok.output
    assert "2/2 routed" in ok.output


def test_cli_build_process_check_failure_exit_1(tmp_path):
    bad = _small(tmp_path, stencil={"enabled": True, "thickness_um": 70.0})
    res = run_cli("build", str(bad), "-o", str(tmp_path / "bad"))
    assert res.exit_code == 1
    assert "process check failed: PROC.STENCIL_AREA_RATIO" in res.output
    assert (tmp_path / "bad" / "t.gds").is_file()  # violations still give the files


def _bad_inputs(tmp_path):
    base = base_design()
    overl = copy.deepcopy(base)
    overl["pads"]["pads"][1].update(x_um=1040.0, y_um=110.0)
    off = copy.deepcopy(base)
    off["pads"]["pads"].append(pad("P3", 1995.0, 1000.0))
    big = copy.deepcopy(base)
    big["bumps"].update(rows=4, columns=4)
    tight = copy.deepcopy(base)
    tight["bumps"]["pitch_um"] = 200.0
    (tmp_path / "bad.csv").write_text("name,x_um,y_um,w_um,h_um\nP1,1000,110,60,60\nP2,1890\n")
    csv = copy.deepcopy(base)
    csv["pads"] = {"source": "csv", "path": "bad.csv"}
    huge = copy.deepcopy(base)  # a fixed array on a 300 mm die: more lattice than the router's
    huge["die"].update(width_um=3e5, height_um=3e5)
    huge["bumps"].update(rows=3, columns=3)
    return {"overlapping pads": (overl, "overlaps"), "pad off the die": (off, "off the die"),
            "bump array larger than the die": (big, "larger than the die"),
            "pitch below the rules": (tight, "below the rules"),
            "malformed CSV": (csv, "bad.csv: row 3: expected 5 or 6 fields"),
            "die too large to route": (huge, "d.toml: die: the routing lattice would have")}


@pytest.mark.parametrize("case", ["overlapping pads", "pad off the die",
                                  "bump array larger than the die", "pitch below the rules",
                                  "malformed CSV", "die too large to route"])
def test_cli_bad_input_exit_2_one_line(tmp_path, case):
    doc, text = _bad_inputs(tmp_path)[case]
    f = write_design(tmp_path, doc)
    out = tmp_path / "out"
    res = run_cli("build", str(f), "-o", str(out))
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and text in lines[0], lines
    assert not out.exists()  # nothing written on bad input


def test_cli_bad_toml_and_missing_file(tmp_path):
    (tmp_path / "x.toml").write_text("[die\n")
    res = run_cli("build", str(tmp_path / "x.toml"))
    assert res.exit_code == 2 and "malformed TOML" in res.stderr
    res = run_cli("build", str(tmp_path / "missing.toml"))
    assert res.exit_code == 2 and "file not found" in res.stderr


@pytest.mark.parametrize("broken", [
    ("chip.def", "DIEAREA ( 0 0 ) ( 1000 ;\n"),      # truncated statement
    ("chip.def", "COMPONENTS 1 ;\n - u_a NOPE + FIXED ( 1 2 ) N ;\nEND COMPONENTS\n"),
])
def test_cli_malformed_def_exit_2_one_line(tmp_path, broken):
    from tests.families.wlcsp.test_design import DEF, LEF

    name, tail = broken
    (tmp_path / "pads.lef").write_text(LEF)
    (tmp_path / name).write_text(DEF.split("DIEAREA")[0] + tail)
    doc = base_design()
    doc["pads"] = {"source": "def", "path": name, "lef": ["pads.lef"], "layer": "metal10"}
    f = write_design(tmp_path, doc)
    out = tmp_path / "out"
    res = run_cli("build", str(f), "-o", str(out))
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "chip.def" in lines[0], lines
    assert not out.exists()
