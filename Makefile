# Every entry point of wlpmask. A bare `python3` is enough: the first target that needs the
# package creates .venv and installs wlpmask with its dev extras into it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
EXTMAT ?= ../shared/extmat
LAYOUTS := $(wildcard layouts/*.toml)
OUT    ?= layouts/out

.DEFAULT_GOAL := layouts
.PHONY: layouts test acceptance fuzz drc bench bench-route bench-contacts bench-coc bench-wafer lint clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## layouts: build every layouts/*.toml into layouts/out/<name>/ with DRC sign-off
layouts: $(STAMP)
	@set -e; for f in $(LAYOUTS); do \
	  n=$$(basename $$f .toml); \
	  echo "== $$f"; \
	  $(BIN)/wlpmask build $$f -o $(OUT)/$$n; \
	done

## test: the self-contained test suite
test: $(STAMP)
	$(BIN)/python -m pytest

## acceptance: checks against the third-party corpus in $(EXTMAT)
acceptance: $(STAMP)
	$(BIN)/python acceptance/run.py --extmat $(EXTMAT) $(ACCEPTANCE_ARGS)

## fuzz: 2,000 hostile inputs (mutated example designs and technologies) through the CLI
fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz --cases $(or $(FUZZ_CASES),2000) $(FUZZ_ARGS)

## drc: re-run the DRC on every built layout with the rules its build ran (make layouts first)
drc: $(STAMP)
	@set -e; for f in $(LAYOUTS); do \
	  n=$$(basename $$f .toml); m=$(OUT)/$$n/manifest.json; \
	  tech=$$($(BIN)/python -c "import json,sys; print(json.load(open(sys.argv[1]))['technology_file'])" $$m); \
	  rules=$$($(BIN)/python -c "import json,sys; print(','.join(json.load(open(sys.argv[1]))['drc']['rules']))" $$m); \
	  echo "== $(OUT)/$$n/$$n.gds"; \
	  $(BIN)/wlpmask drc $(OUT)/$$n/$$n.gds --tech $$tech --rules $$rules; \
	done

## bench: benchmarks against KLayout on the same input (BENCH_ARGS to pass options)
bench: $(STAMP)
	$(BIN)/python bench/drc_vs_klayout.py $(BENCH_ARGS)

## bench-route, bench-contacts, bench-coc, bench-wafer: the router, the 50,000-pin probe card,
## the 40 um micro-bump chip on chip and the 300 mm mask set, each beside KLayout/OpenROAD
bench-route: $(STAMP)
	$(BIN)/python bench/route.py $(BENCH_ARGS)
bench-contacts: $(STAMP)
	$(BIN)/python bench/contacts.py $(BENCH_ARGS)
bench-coc: $(STAMP)
	$(BIN)/python bench/coc.py $(BENCH_ARGS)
bench-wafer: $(STAMP)
	$(BIN)/python bench/wafer.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench acceptance

clean:
	rm -rf $(OUT) bench/out .pytest_cache .ruff_cache build src/*.egg-info
