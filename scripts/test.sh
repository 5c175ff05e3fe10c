#!/usr/bin/env bash
# One command: set everything up (with test tools) and run the whole test suite, plus lint and types. The
# PostgreSQL tests start (and remove) a private throwaway cluster themselves: tests/postgres.py.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
