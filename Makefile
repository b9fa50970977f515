# The README's two commands. `make demo`: install and render the samples to every format; `make test`: install and test.
PY ?= python3
OUT ?= out

.PHONY: install demo test
install:
	bash scripts/install.sh

demo: install
	budgetgen render samples/julu-2023 --out $(OUT)
	budgetgen render samples/wei-2021 --out $(OUT)

test:
	BUDGETGEN_WITH_OFFICE=1 bash scripts/install.sh
	$(PY) -m pytest -q
