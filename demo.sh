#!/usr/bin/env bash
# Starts the demo assembly (SQLite, one process) on http://127.0.0.1:8000, installing Samatcha
# into .venv first when needed: on the first run, and again only when pyproject.toml changed
# (the install is editable, so changes to the code need no reinstall). Options go to
# `samatcha demo`, e.g. ./demo.sh --host 0.0.0.0 --port 8080 (phones on the same Wi-Fi).
set -euo pipefail
cd "$(dirname "$0")"
stamp=.venv/.samatcha-install-stamp
wanted="$(python3 -c 'import hashlib, sys; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')"
if [[ ! -x .venv/bin/samatcha || ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
  echo "Installing Samatcha into .venv (first run, or pyproject.toml changed) ..." >&2
  [[ -x .venv/bin/python ]] || python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e .
  echo "$wanted" > "$stamp"
fi
exec .venv/bin/samatcha demo "$@"
