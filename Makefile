# Two commands: `make demo` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DB ?= data/nianbao.db
# Debian packages, installed (as root, only those missing) by the target that needs them:
# the demo's PDFs embed a CJK TrueType font; OCR's OpenCV (rapidocr-onnxruntime pulls in the
# non-headless wheel too) loads libGL and GLib; the tests also drive Chromium and LibreOffice.
DEMO_PACKAGES := fonts-wqy-zenhei libgl1 libglib2.0-0
TEST_PACKAGES := $(DEMO_PACKAGES) chromium libreoffice-writer-nogui poppler-utils

.PHONY: demo test serve setup demo-packages test-packages clean

demo: $(INSTALLED) demo-packages
	$(BIN)/nianbao demo --workdir data/demo --db $(DB)

test: $(INSTALLED) test-packages
	$(BIN)/python -m pytest

serve: $(INSTALLED)
	$(BIN)/nianbao serve --db $(DB)

setup: $(INSTALLED)

# Installs only what is missing, so a set-up machine pays nothing.
install_missing = missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing system packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

demo-packages:
	@$(call install_missing,$(DEMO_PACKAGES))

test-packages:
	@$(call install_missing,$(TEST_PACKAGES))

# The editable install in "compat" mode puts the repo on sys.path, so new
# modules are picked up without reinstalling.
$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]' --config-settings editable_mode=compat
	touch $@

clean:
	rm -rf $(VENV) data .pytest_cache
