# Two commands: `make demo` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DB ?= data/nianbao.db

.PHONY: demo test serve setup clean

demo: $(INSTALLED)
	$(BIN)/nianbao demo --workdir data/demo --db $(DB)

test: $(INSTALLED)
	$(BIN)/python -m pytest

serve: $(INSTALLED)
	$(BIN)/nianbao serve --db $(DB)

setup: $(INSTALLED)

# The editable install in "compat" mode puts the repo on sys.path, so new
# modules are picked up without reinstalling.
$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]' --config-settings editable_mode=compat
	touch $@

clean:
	rm -rf $(VENV) data .pytest_cache
