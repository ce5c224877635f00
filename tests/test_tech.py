"""Technology loading: the shipped files load, and each kind of bad input names file and key."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from wlpmask.errors import WlpmaskError
from wlpmask.tech import RULE_KINDS, load_technology

PDK = Path(__file__).resolve().parent.parent / "pdk"

BASE = """\
[technology]
name = "t"
grid_um = 0.005

[layers.A]
gds = [1, 0]
color = "#112233"

[layers.B]
gds = [2, 0]

[rules."A.W"]
kind = "width"
layer = "A"
min_um = 2.0
description = "A width"

[rules."AB.S"]
kind = "separation"
layers = ["A", "B"]
min_um = 1.0
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tech.toml"
    path.write_text(text)
    return path


def _error(tmp_path: Path, text: str) -> WlpmaskError:
    path = _write(tmp_path, text)
    with pytest.raises(WlpmaskError) as info:
        load_technology(path)
    err = info.value
    assert err.file == str(path)
    assert str(path) in err.one_line() and "\n" not in err.one_line()
    return err


def test_base_loads(tmp_path):
    path = _write(tmp_path, BASE)
    t = load_technology(path)
    assert t.name == "t" and t.grid_um == 0.005
    assert t.layers["A"].gds == (1, 0) and t.layers["A"].color == "#112233"
    assert t.rules["A.W"].layers == ("A",) and t.rules["A.W"].limit == 2.0
    assert t.rules["AB.S"].layers == ("A", "B")
    assert t.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert t.layer_by_gds() == {(1, 0): "A", (2, 0): "B"}
    assert t.snap(1.0031) == 1.005


@pytest.mark.parametrize("path", sorted(PDK.glob("*.toml")), ids=lambda p: p.name)
def test_shipped_technologies_load(path):
    t = load_technology(path)
    assert t.layers and t.rules
    pairs = [lay.gds for lay in t.layers.values()]
    assert len(pairs) == len(set(pairs))
    for rule in t.rules.values():
        assert rule.kind in RULE_KINDS
        assert all(name in t.layers for name in rule.layers)


def test_malformed_toml_names_file_and_line(tmp_path):
    err = _error(tmp_path, BASE + '\n[layers.C\ngds = [3, 0]\n')
    assert "malformed TOML" in err.message and "line" in err.message


def test_unknown_layer_in_rule(tmp_path):
    err = _error(tmp_path, BASE.replace('layer = "A"', 'layer = "NOPE"'))
    assert err.key == 'rules."A.W"'
    assert "'NOPE'" in err.message and "A, B" in err.message


def test_duplicate_gds_pair(tmp_path):
    err = _error(tmp_path, BASE.replace("gds = [2, 0]", "gds = [1, 0]"))
    assert err.key == "layers.B.gds" and "'A'" in err.message


def test_unknown_kind(tmp_path):
    err = _error(tmp_path, BASE.replace('kind = "width"', 'kind = "wdith"'))
    assert err.key == 'rules."A.W".kind' and "'wdith'" in err.message
    assert all(k in err.message for k in RULE_KINDS)


def test_missing_limit(tmp_path):
    err = _error(tmp_path, BASE.replace("min_um = 2.0\n", ""))
    assert err.key == 'rules."A.W".min_um' and "missing" in err.message


def test_area_rule_given_a_length_limit(tmp_path):
    text = BASE.replace('kind = "width"', 'kind = "min_area"')
    err = _error(tmp_path, text)
    assert err.key == 'rules."A.W".min_um2' and "min_um" in err.message


def test_negative_limit(tmp_path):
    err = _error(tmp_path, BASE.replace("min_um = 2.0", "min_um = -2.0"))
    assert err.key == 'rules."A.W".min_um' and "-2.0" in err.message


def test_bad_colour(tmp_path):
    err = _error(tmp_path, BASE.replace('"#112233"', '"red"'))
    assert err.key == "layers.A.color" and "'red'" in err.message


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("grid_um = 0.005", "grid_um = 0", "technology.grid_um"),
        ("gds = [1, 0]", "gds = [1, 70000]", "layers.A.gds"),
        ('color = "#112233"', "pattern = 99", "layers.A.pattern"),
        ("[technology]", "bogus = 1\n[technology]", "(top level).bogus"),
    ],
)
def test_other_bad_values_name_their_key(tmp_path, old, new, key):
    err = _error(tmp_path, BASE.replace(old, new))
    assert err.key == key


def test_missing_file():
    with pytest.raises(WlpmaskError) as info:
        load_technology("/nonexistent/tech.toml")
    assert info.value.file == "/nonexistent/tech.toml" and "not found" in info.value.message
