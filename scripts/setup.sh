#!/usr/bin/env bash
# Creates .venv and installs the requirements (runtime, plus test tools with --dev). Re-runs are quick:
# nothing is reinstalled while the requirements files are unchanged. Says what it is doing, in both languages.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
want=requirements.txt
[ "${1:-}" = "--dev" ] && want=requirements-dev.txt
say() { printf '%s\n' "$*" >&2; }
if [ ! -x .venv/bin/python ]; then
  say "• Tạo môi trường Python .venv / Creating the Python environment .venv"
  "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
stamp=.venv/.installed-$(cat requirements.txt "$want" | sha256sum | cut -c1-16)-$(basename "$want" .txt)
if [ ! -f "$stamp" ]; then
  say "• Cài các gói từ $want (lần đầu mất khoảng một phút) / Installing the packages of $want (about a minute the first time)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$want"
  touch "$stamp"
fi
say "• Môi trường đã sẵn sàng / The environment is ready"
