# csi: every target creates .venv (if missing) and installs what it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
OUT    ?= out

.PHONY: demo test test-pandas2 test-browser lint typecheck unit slow notebooks docs bench clean help

help:
	@echo "make demo   - fit the CSI model on data/samples and write a report to $(OUT)/"
	@echo "make test   - lint, type-check, run the full test suite, notebooks and docs"
	@echo "make test-browser - print the report to PDF in headless Chromium (skips without it)"
	@echo "make bench  - run the benchmarks (docs/benchmarks.md)"
	@echo "make slow   - run the long simulation studies (coverage, recovery)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# One stamp per set of extras, rebuilt when pyproject.toml changes.
$(VENV)/.stamp-demo: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[excel,cjk]"
	@touch $@

$(VENV)/.stamp-all: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[all]"
	@touch $@

demo: $(VENV)/.stamp-demo
	$(BIN)/csi report data/samples/survey.csv --codebook data/samples/codebook.yaml \
		--system data/samples/indicator_system.yaml --segment region -o $(OUT)

lint: $(VENV)/.stamp-all
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.stamp-all
	$(BIN)/mypy

# the test suite, the notebooks (nbmake) and the docstring examples of the package
# (--doctest-modules) in one pytest run
unit: $(VENV)/.stamp-all
	$(BIN)/pytest -n 2 -q -m "not slow" --nbmake --doctest-modules tests notebooks src/csi

# the report in headless Chromium (print to PDF, console, CJK font); skips without one
test-browser: $(VENV)/.stamp-all
	$(BIN)/pytest -q -rs tests/test_report_browser.py

# long simulation studies (interval coverage, recovery at large n): not in every CI run
slow: $(VENV)/.stamp-all
	$(BIN)/pytest -n 2 -q -m slow

notebooks: $(VENV)/.stamp-all
	$(BIN)/pytest -q --nbmake notebooks

docs: $(VENV)/.stamp-all
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -q -d $(VENV)/site

test: lint typecheck docs unit

# the suite again on pandas 2.x (csi supports pandas 2 and 3), in its own environment
VENV2 ?= .venv-pandas2
$(VENV2)/.stamp: pyproject.toml
	$(PYTHON) -m venv $(VENV2)
	$(VENV2)/bin/python -m pip install --quiet --upgrade pip
	$(VENV2)/bin/python -m pip install --quiet "pandas>=2.2,<3" -e ".[dask,excel,spss,test]"
	@touch $@

test-pandas2: $(VENV2)/.stamp
	$(VENV2)/bin/pytest -n 2 -q -m "not slow" -p no:cacheprovider tests

bench: $(VENV)/.stamp-all
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) $(VENV2) $(OUT) build dist src/*.egg-info
