"""The typed TOML reader: its bounds, unit-suffixed numbers, quoted keys and the file reader."""

from __future__ import annotations

import pytest

from wlpmask.errors import WlpmaskError
from wlpmask.validate import Reader, dotted, read_toml


def _fails(call) -> WlpmaskError:
    with pytest.raises(WlpmaskError) as info:
        call()
    assert info.value.file == "f.toml"
    return info.value


def test_dotted_quotes_names_that_are_no_bare_keys():
    assert dotted("", "die") == "die"
    assert dotted("rules", "RDL_W-2") == "rules.RDL_W-2"
    assert dotted("rules", "RDL.W") == 'rules."RDL.W"'
    assert dotted("layers", "a b") == 'layers."a b"'


def test_num_upper_bound():
    r = Reader("f.toml")
    assert r.num({"x_um": 5}, "t", "x_um", maximum=5) == 5.0
    err = _fails(lambda: r.num({"x_um": 5.5}, "t", "x_um", maximum=5))
    assert err.key == "t.x_um" and "<= 5," in err.message and "5.5" in err.message


def test_integer_range():
    r = Reader("f.toml")
    assert r.integer({"n": 45}, "t", "n", maximum=45) == 45
    err = _fails(lambda: r.integer({"n": 46}, "t", "n", maximum=45))
    assert err.key == "t.n" and "0..45" in err.message


@pytest.mark.parametrize(("name", "value"), [("w_um", 1e6), ("w_um", -1e6), ("a_um2", 1e12),
                                             ("w_nm", 1e9), ("w_mm", 1e3), ("n_ratio", 1e30)])
def test_quantity_in_range(name, value):
    assert Reader("f.toml").quantity({name: value}, "t", name) == value


@pytest.mark.parametrize(("name", "value", "says"),
                         [("w_um", 1.5e6, "<= 1e+06"), ("w_um", -1.5e6, ">= -1e+06"),
                          ("a_um2", 2e12, "<= 1e+12"), ("w_mm", 1001, "<= 1000"),
                          ("width", 1.0, "unit suffix"), ("w_um", True, "expected a number")])
def test_quantity_refused(name, value, says):
    err = _fails(lambda: Reader("f.toml").quantity({name: value}, "t", name))
    assert err.key == f"t.{name}" and says in err.message


def test_quantity_minimum_replaces_the_lower_size_bound():
    r = Reader("f.toml")
    err = _fails(lambda: r.quantity({"t_um": 0}, "s", "t_um", minimum=0.0, strict=True))
    assert "> 0" in err.message
    assert r.quantity({"t_um": 1e6}, "s", "t_um", minimum=0.0) == 1e6


def test_xy_bounded_by_its_unit():
    """A coordinate of 1e300 um (found by the fuzzer: an overflow when the chip was placed)
    is refused naming the key."""
    r = Reader("f.toml")
    assert r.xy({"place_um": [-1e6, 1e6]}, "t", "place_um") == (-1e6, 1e6)
    err = _fails(lambda: r.xy({"place_um": [0, 1e300]}, "upper.chip2", "place_um"))
    assert err.key == "upper.chip2.place_um" and "within +-1e+06" in err.message


def test_pair_message_without_names():
    r = Reader("f.toml")
    assert r.pair([1, 65535], "k", named=False) == (1, 65535)
    err = _fails(lambda: r.pair([1, 65536], "k", named=False))
    assert "layer name" not in err.message and "0..65535" in err.message
    assert "layer name" in _fails(lambda: r.pair("x", "k")).message


def test_read_toml_skips_a_byte_order_mark(tmp_path):
    path = tmp_path / "d.toml"
    path.write_bytes(b"\xef\xbb\xbf[design]\nname = \"x\"\n")
    data, raw = read_toml(path)
    assert data == {"design": {"name": "x"}} and raw.startswith(b"\xef\xbb\xbf")

