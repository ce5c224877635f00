"""The output directory of a build: replaced as a whole, never half-written, never a stranger's.

Each kind of hole a hostile user found has a case here: stale files of an earlier build, a
directory holding other files, an output name that a generated file would overwrite, an
interrupt or a termination in the middle of writing.
"""

from __future__ import annotations

import json
import os
import signal

import pytest
from click.testing import CliRunner

from tests.designs import base_design, write_design
from wlpmask import build as build_mod
from wlpmask.build import build
from wlpmask.cli import EXIT_INTERRUPTED, EXIT_TERMINATED, main
from wlpmask.families import FAMILIES


def _design(tmp_path, **changes):
    doc = base_design()
    doc["assignment"] = {"mode": "given", "table": {"P1": "C2", "P2": "B3"}}
    doc.update(changes)
    return write_design(tmp_path, doc)


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _leftovers(tmp_path):
    return sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))


def test_rebuild_replaces_the_directory_as_a_whole(tmp_path):
    out = tmp_path / "out"
    build(_design(tmp_path), out)
    assert (out / "t.detail.png").is_file()
    (out / "stale.txt").write_text("from an earlier build")
    r = build(_design(tmp_path, preview={"detail_corner": "none"}), out)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in r.files)
    assert "stale.txt" not in names and "t.detail.png" not in names
    assert sorted(json.loads((out / "manifest.json").read_text())["outputs"]) == sorted(
        n for n in names if n != "manifest.json")
    assert _leftovers(tmp_path) == []


def test_a_directory_no_build_wrote_is_never_replaced(tmp_path):
    out = tmp_path / "home"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    res = _cli("build", _design(tmp_path), "-o", out)
    assert res.exit_code == 2 and "no build wrote" in res.stderr, res.output
    assert sorted(p.name for p in out.iterdir()) == ["thesis.tex"]


@pytest.mark.parametrize("clash", ["t.gds", "manifest.json", "t.drc.json"])
def test_a_generated_file_named_like_an_output_is_refused(tmp_path, clash):
    doc = base_design()
    doc["die"].update(width_um=3000.0, height_um=3000.0, keepout_um=155.0)
    doc["bumps"] = {"pitch_um": 400.0}
    doc["pads"] = {"source": "gds", "path": clash, "cell": "CHIP", "layer": "PAD",
                   "label_layer": [76, 5],
                   "generate": {"pads_per_side": 2, "pad_um": 70.0, "pitch_um": 300.0,
                                "edge_um": 110.0}}
    out = tmp_path / "out"
    res = _cli("build", write_design(tmp_path, doc), "-o", out)
    assert res.exit_code == 2, res.output
    assert f"{clash!r} collides with an output" in res.stderr
    assert not out.exists() and _leftovers(tmp_path) == []


def test_an_interrupt_exits_130_and_leaves_nothing(tmp_path, monkeypatch):
    def interrupt(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(build_mod, "write_lyp", interrupt)  # in the middle of writing
    out = tmp_path / "out"
    res = _cli("build", _design(tmp_path), "-o", out)
    assert res.exit_code == EXIT_INTERRUPTED, res.output
    assert not out.exists() and _leftovers(tmp_path) == []


def test_a_termination_unwinds_and_leaves_nothing(tmp_path, monkeypatch):
    def terminate(*a, **k):
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(build_mod, "write_lyp", terminate)
    out = tmp_path / "out"
    previous = signal.getsignal(signal.SIGTERM)
    try:
        res = _cli("build", _design(tmp_path), "-o", out)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert res.exit_code == EXIT_TERMINATED, res.output
    assert not out.exists() and _leftovers(tmp_path) == []


def test_an_unknown_family_names_the_valid_ones(tmp_path):
    doc = base_design()
    doc["design"]["family"] = "nope"
    res = _cli("build", write_design(tmp_path, doc), "-o", tmp_path / "out")
    assert res.exit_code == 2
    assert res.stderr.strip().endswith("design.family: unknown family 'nope'; valid families: "
                                       + ", ".join(sorted(FAMILIES)))


def test_an_unwritable_output_location_fails_before_routing(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(build_mod, "CellCache", lambda: calls.append(1))
    (tmp_path / "file").write_text("x")
    res = _cli("build", _design(tmp_path), "-o", tmp_path / "file" / "out")
    assert res.exit_code == 2 and calls == [], res.output
