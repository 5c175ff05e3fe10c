#!/usr/bin/env bash
# One command: set everything up, load the synthetic demo returns into an empty store, start the dashboard (serve.py:
# the pages of dashboard.py with the app's own session route and upload guard). Extra arguments go to Streamlit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
printf '%s\n' "• Nạp dữ liệu minh họa nếu kho còn trống / Loading the demo returns if the store is empty" >&2
.venv/bin/python -m lgqa_metrics demo --if-empty --create
port=8501
args=("$@")
for i in "${!args[@]}"; do
  case "${args[$i]}" in
    --server.port=*) port=${args[$i]#*=} ;;
    --server.port) port=${args[$((i + 1))]:-$port} ;;
  esac
done
printf '%s\n' "• Mở bảng điều khiển tại / Open the dashboard at http://localhost:$port  (Ctrl+C: dừng / stop)" >&2
exec .venv/bin/python -m streamlit run serve.py "$@"
