# The two commands of README.md. Both set everything up first (scripts/bootstrap.sh, idempotent).
.PHONY: run test bootstrap lint

bootstrap:
	@bash scripts/bootstrap.sh

## Open the desktop application on the embedded demo data (デモ市).
run: bootstrap
	.venv/bin/dxdesk --demo

## Run the whole test suite exactly as CI does (GUI tests run offscreen).
test: bootstrap
	QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q
	.venv/bin/ruff check dxdesk ui tests db
	.venv/bin/mypy

lint: bootstrap
	.venv/bin/ruff check .
	.venv/bin/mypy
