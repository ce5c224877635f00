"""The JSON writer: strict, round-trips, NaN and infinity as null, long lists as tables."""

import json
import math

from wlpmask.io import json_text


def test_round_trip_and_non_finite_numbers_become_null():
    data = {"a": [1, 2.5, (3, 4)], "b": {"nan": math.nan, "inf": [-math.inf, 1e300]},
            "s": "x" * 150, "e": [], "f": {}, "u": "\u00e9\\\"q"}
    text = json_text(data)
    back = json.loads(text)
    assert text.endswith("}\n")
    assert back["b"] == {"nan": None, "inf": [None, 1e300]}
    assert back["a"] == [1, 2.5, [3, 4]] and back["s"] == data["s"] and back["u"] == data["u"]
    assert "NaN" not in text and "Infinity" not in text


def test_short_values_on_one_line_long_objects_one_member_a_line():
    text = json_text({"point": [1.5, 2.5], "record": {"k": "v" * 120, "n": 1}}, indent=2)
    lines = text.splitlines()
    assert '  "point": [1.5, 2.5],' in lines  # fits on a line
    assert '  "record": {' in lines and '    "n": 1' in lines  # too long: expanded


def test_a_long_list_is_a_table_of_one_record_per_line():
    rows = [{"id": f"C{i:05d}", "xy": [i * 150.0, 0.0], "name": "n" * 90} for i in range(51)]
    text = json_text({"contacts": rows})
    lines = text.splitlines()
    assert len(lines) == 1 + 1 + 51 + 1 + 1  # {, "contacts": [, 51 records, ], }
    assert all(json.loads(line.strip().rstrip(",")) == row for line, row in zip(lines[2:], rows))
    assert json.loads(text) == {"contacts": rows}
    # at 50 items or fewer, a long item is expanded member by member
    assert len(json_text({"contacts": rows[:50]}).splitlines()) > 50 * 3
