# The two commands of README.md. Both set everything up first (scripts/bootstrap.sh, idempotent).
.PHONY: run run-central test bootstrap lint bundle-test wheelhouse-test

bootstrap:
	@bash scripts/bootstrap.sh

## Open the desktop application on the embedded demo data (デモ市).
run: bootstrap
	.venv/bin/dxdesk --demo

## The central office's window on its demo (デモ市, most sections' submissions merged; built on first use).
run-central: bootstrap
	.venv/bin/dxdesk --central-demo

## Run the whole test suite exactly as CI does (GUI tests run offscreen), then build the PyInstaller
## bundle and smoke-test it.
test: bootstrap
	QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q
	.venv/bin/ruff check dxdesk ui tests db packaging scripts
	.venv/bin/ruff format --check dxdesk ui tests db packaging scripts
	.venv/bin/mypy
	$(MAKE) --no-print-directory bundle-test wheelhouse-test

## Build the Linux bundle (dist/dxdesk, portable zip) and smoke-test it (scripts/build_bundle.sh).
bundle-test: bootstrap
	bash scripts/build_bundle.sh

## Offline wheelhouse, for real: download this platform's wheels of constraints.txt, install them into a
## fresh virtual environment with pip --no-index and check dxdesk runs; download the win_amd64/cp311 set
## too (proves every pin has a Windows wheel and the set is complete).
WH = .venv/bin/python packaging/wheelhouse.py --quiet
wheelhouse-test: bootstrap
	rm -rf build/wheelhouse build/wheelhouse-venv
	$(WH) download --target native --dest build/wheelhouse/native
	$(WH) install build/wheelhouse/native --venv build/wheelhouse-venv
	$(WH) download --target win_amd64 --dest build/wheelhouse/win_amd64

lint: bootstrap
	.venv/bin/ruff check .
	.venv/bin/mypy
