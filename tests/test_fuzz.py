"""Hostile inputs through the CLI (tests/fuzz.py): never a traceback, exit 0, 1 or 2 within
seconds, one error line and an untouched output directory on exit 2. `make fuzz` runs
thousands of these; here a few run on every test run, from the fast designs."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.designs import ROOT
from tests.fuzz import run_case

FAST = [ROOT / "layouts" / "wlcsp_3x3_paste.toml"]


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31))
def test_mutated_inputs_keep_the_promise(tmp_path, seed):
    o = run_case(seed, tmp_path, examples=FAST)
    assert o.problem is None or o.problem.startswith("unwritable case"), (
        f"{o.label}: {o.problem}\n{o.traceback or ''}")
