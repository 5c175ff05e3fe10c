#!/usr/bin/env bash
# One command: set everything up (with test tools) and run the whole test suite, plus lint and types. The
# PostgreSQL tests start (and remove) a private throwaway cluster themselves: tests/support/postgres.py.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/lint-imports --no-cache
# Tests run in parallel on every core (pytest-xdist), a file's tests together (their module fixtures are shared).
# --fast: the inner loop, without the slow tests (LibreOffice, Chromium, PostgreSQL, long property runs).
fast=()
if [ "${1:-}" = "--fast" ]; then
  shift
  fast=(-m "not slow")
fi
.venv/bin/python -m pytest -n "${LGQA_TEST_WORKERS:-auto}" --dist loadfile "${fast[@]}" "$@"
