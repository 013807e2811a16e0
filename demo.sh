#!/usr/bin/env bash
# Installs Samatcha into .venv and starts the demo assembly (SQLite, one process) on port 8000.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/samatcha demo "$@"
