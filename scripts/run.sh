#!/usr/bin/env bash
# One command: set everything up, load the synthetic demo returns into an empty store, start the dashboard (serve.py:
# the pages of dashboard.py with the app's own session route and upload guard).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m lgqa_metrics demo --if-empty --create
exec .venv/bin/python -m streamlit run serve.py "$@"
