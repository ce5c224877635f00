"""Technology loading: the shipped files load, and each kind of bad input names file and key."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from wlpmask.errors import WlpmaskError
from wlpmask.geometry import snap_value
from wlpmask.tech import METRICS, RULE_KINDS, load_technology

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
    assert snap_value(1.0031, t.grid_um) == 1.005  # the one grid snap, on the file's grid


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
        ("[technology]", "bogus = 1\n[technology]", "bogus"),
    ],
)
def test_other_bad_values_name_their_key(tmp_path, old, new, key):
    err = _error(tmp_path, BASE.replace(old, new))
    assert err.key == key


def test_missing_file():
    with pytest.raises(WlpmaskError) as info:
        load_technology("/nonexistent/tech.toml")
    assert info.value.file == "/nonexistent/tech.toml" and "not found" in info.value.message


def test_typo_of_a_rule_parameter_is_refused(tmp_path):
    # "metrc" used to be kept as a parameter nobody reads: the rule ran euclidian, unasked
    err = _error(tmp_path, BASE.replace('min_um = 2.0\n', 'min_um = 2.0\nmetrc = "projection"\n'))
    assert err.key == 'rules."A.W".metrc' and "metric" in err.message


def test_a_rule_kind_without_a_metric_refuses_one(tmp_path):
    text = BASE.replace('kind = "width"', 'kind = "min_area"').replace(
        "min_um = 2.0\n", 'min_um2 = 4.0\nmetric = "projection"\n')
    err = _error(tmp_path, text)
    assert err.key == 'rules."A.W".metric' and "unknown key" in err.message


@pytest.mark.parametrize("metric", ["euclidian", "euclidean", "projection", "square"])
def test_metric_values(tmp_path, metric):
    text = BASE.replace("min_um = 1.0\n", f'min_um = 1.0\nmetric = "{metric}"\n')
    assert load_technology(_write(tmp_path, text)).rules["AB.S"].params == {"metric": metric}
    err = _error(tmp_path, text.replace(metric, metric + "x"))
    assert err.key == 'rules."AB.S".metric' and f"'{metric}x'" in err.message


def test_metric_vocabulary_matches_the_drc():
    from wlpmask.drc.edges import METRICS as DRC_METRICS
    from wlpmask.drc.kinds import METRIC_KINDS

    assert set(METRICS) == {*DRC_METRICS, "euclidean"}
    assert {k for k, spec in RULE_KINDS.items() if "metric" in spec.params} == set(METRIC_KINDS)


STACK = '\n[stack.M]\nthickness_um = 3.0\nmaterial = "Cu"\n'


def test_stack_constants(tmp_path):
    text = BASE + STACK + 'cte_ppm_per_k = 17.0\nrefractive_index = 1.6\ncore = "PS"\n'
    stack = load_technology(_write(tmp_path, text)).stack["M"]
    assert stack.constants == {"cte_ppm_per_k": 17.0, "refractive_index": 1.6, "core": "PS"}


@pytest.mark.parametrize(
    ("line", "key", "says"),
    [
        ("cte = 17.0", "stack.M.cte", "unit suffix"),
        ("plated = true", "stack.M.plated", "number or string"),
        ("description = 3", "stack.M.description", "string"),
        ('coating_um = "thick"', "stack.M.coating_um", "expected a number"),
    ],
)
def test_bad_stack_constants(tmp_path, line, key, says):
    err = _error(tmp_path, BASE + STACK + line + "\n")
    assert err.key == key and says in err.message


@pytest.mark.parametrize(
    ("old", "new", "key", "bound"),
    [
        ("grid_um = 0.005", "grid_um = 1e9", "technology.grid_um", "<= 1,"),
        ("min_um = 2.0", "min_um = 1e9", 'rules."A.W".min_um', "<= 1e+06"),
        ("min_um = 2.0", "min_um2 = 1e13", 'rules."A.W".min_um2', "<= 1e+12"),
        ('color = "#112233"', "bias_um = -2e6", "layers.A.bias_um", ">= -1e+06"),
        ("[rules", "[stack.M]\nthickness_um = 2e6\n[rules", "stack.M.thickness_um", "<= 1e+06"),
        ("[rules", "[stack.M]\nthickness_um = 2.0\ncoat_um = 2e6\n[rules", "stack.M.coat_um",
         "<= 1e+06"),
        ("[rules", "[process]\nreach_um = 1e7\n[rules", "process.reach_um", "<= 1e+06"),
    ],
)
def test_sizes_have_an_upper_bound(tmp_path, old, new, key, bound):
    text = BASE.replace(old, new, 1)
    if "min_um2" in new:
        text = text.replace('kind = "width"', 'kind = "min_area"')
    err = _error(tmp_path, text)
    assert err.key == key and bound in err.message


def test_sizes_at_their_bound_load(tmp_path):
    text = (BASE.replace("grid_um = 0.005", "grid_um = 1.0").replace("min_um = 2.0", "min_um = 1e6")
            + STACK.replace("3.0", "1e6"))
    t = load_technology(_write(tmp_path, text))
    assert (t.grid_um, t.rules["A.W"].limit, t.stack["M"].thickness_um) == (1.0, 1e6, 1e6)


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "tech.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    t = load_technology(path)
    assert t.name == "t" and t.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_missing_technology_table(tmp_path):
    err = _error(tmp_path, BASE.replace('[technology]\nname = "t"\ngrid_um = 0.005\n', ""))
    assert err.key == "technology" and "missing" in err.message


def test_limit_as_a_multiple_of_a_stack_thickness(tmp_path):
    """A photo-etch rule scales with its sheet: the limit is times x the film's thickness."""
    text = BASE.replace("min_um = 2.0", "min_um = { times = 0.8, thickness = \"M\" }") + STACK
    rule = load_technology(_write(tmp_path, text)).rules["A.W"]
    assert rule.limit == pytest.approx(2.4) and rule.basis == "0.8 x stack M thickness"
    thicker = text.replace("thickness_um = 3.0", "thickness_um = 50.0")
    assert load_technology(_write(tmp_path, thicker)).rules["A.W"].limit == pytest.approx(40.0)


@pytest.mark.parametrize(
    ("value", "key", "says"),
    [
        ('{ times = 0.8, thickness = "X" }', 'rules."A.W".min_um.thickness', "no stack film 'X'"),
        ('{ times = 0, thickness = "M" }', 'rules."A.W".min_um.times', "> 0"),
        ('{ times = 0.8 }', 'rules."A.W".min_um.thickness', "missing"),
        ('{ times = 0.8, thickness = "M", plus = 1 }', 'rules."A.W".min_um.plus', "unknown key"),
    ],
)
def test_relative_limit_errors(tmp_path, value, key, says):
    err = _error(tmp_path, BASE.replace("min_um = 2.0", f"min_um = {value}") + STACK)
    assert err.key == key and says in err.message, err.one_line()


def test_a_process_value_named_with_a_unit_is_a_number(tmp_path):
    err = _error(tmp_path, BASE + '\n[process]\nmargin_um = "/tmp"\n')
    assert err.key == "process.margin_um" and "expected a number" in err.message
