#!/usr/bin/env bash
# Installs everything the tests need into .venv and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
# axe-core for the accessibility tests (package-lock.json); without npm those tests skip.
if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund; fi
# One worker per core (pytest-xdist), whole files per worker: see tests/conftest.py.
# `./test.sh -n 0` runs in one process; PYTEST_XDIST_AUTO_NUM_WORKERS=N sets how many for auto.
exec .venv/bin/python -m pytest -n auto --dist loadgroup "$@"
