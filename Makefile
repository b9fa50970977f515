# The README's two commands. `make demo`: install and render the samples to every format; `make test`: install, lint
# (ruff, mypy) and test.
PY ?= python3
OUT ?= out

# Tests needing a PDF render, LibreOffice or Chromium carry these markers (pyproject.toml); test-fast leaves them out.
SLOW_MARKERS = not pdf and not libreoffice and not chromium

.PHONY: install demo test lint test-fast
install:
	bash scripts/install.sh

demo: install
	budgetgen render samples/julu-2023 --out $(OUT)
	budgetgen render samples/wei-2021 --out $(OUT)

test:
	BUDGETGEN_WITH_OFFICE=1 bash scripts/install.sh
	$(MAKE) lint
	$(PY) -m pytest -q

# ruff and mypy on the package, configured in pyproject.toml; any finding fails
lint:
	$(PY) -m ruff check budgetgen
	$(PY) -m mypy

# The tests without PDF rendering, LibreOffice or Chromium, on what is installed (no install, no lint): minutes less
test-fast:
	$(PY) -m pytest -q -m "$(SLOW_MARKERS)"
