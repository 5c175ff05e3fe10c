#!/usr/bin/env bash
# Creates .venv and installs the requirements (runtime, plus test tools with --dev). Re-runs are quick:
# nothing is reinstalled while the requirements files are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
want=requirements.txt
[ "${1:-}" = "--dev" ] && want=requirements-dev.txt
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
stamp=.venv/.installed-$(cat requirements.txt "$want" | sha256sum | cut -c1-16)-$(basename "$want" .txt)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$want"
  touch "$stamp"
fi
