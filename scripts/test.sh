#!/usr/bin/env bash
# One command: set everything up (with test tools) and run the whole test suite, plus lint and types.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
