# gt-tui: `make demo`, `make test`, `make lint`. Each bootstraps .venv first (idempotent:
# it installs once, and again only when pyproject.toml is newer than the stamp).
# PYTHON=/path/to/python3.11 picks the interpreter that creates .venv.

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.gt-tui-installed
MIN_PYTHON := 3.11

.PHONY: demo test faults lint bootstrap

demo: $(STAMP)
	$(VENV)/bin/gt-tui --demo

# pytest exits 5 when it collected no tests: say so, and fail.
test: $(STAMP)
	@$(VENV)/bin/pytest -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; \
	exit $$rc

# The fault suite alone (it also runs in `make test`): servers killed, stalled and capped,
# hostile files and rows, secrets, read-only everywhere.
faults: $(STAMP)
	$(VENV)/bin/pytest -q -m faults

# Style first (fast), then the types (mypy --strict, pyproject [tool.mypy]) and the layers
# (import-linter, pyproject [tool.importlinter]); any failure fails the target.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bootstrap: $(STAMP)

$(STAMP): pyproject.toml
	@py="$(PYTHON)"; [ -x $(VENV)/bin/python ] && py=$(VENV)/bin/python; \
	command -v "$$py" >/dev/null 2>&1 || { echo "error: $$py not found (need Python $(MIN_PYTHON)+; set PYTHON=...)" >&2; exit 1; }; \
	"$$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "error: gt-tui needs Python $(MIN_PYTHON)+, $$py is $$("$$py" -V 2>&1) (set PYTHON=..., or remove $(VENV))" >&2; exit 1; }
	@[ -x $(VENV)/bin/python ] || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -e '.[test]'
	@touch $(STAMP)
