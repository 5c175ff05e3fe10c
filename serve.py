"""The server: the dashboard (``dashboard.py``) as Streamlit serves it, with the app's own session route and upload
guard beside Streamlit's routes (:mod:`lgqa_metrics.ui.web`). Start it with ``streamlit run serve.py`` (what
``scripts/run.sh`` does); ``streamlit run dashboard.py`` would serve the pages without them: no sign-in would
survive a reload, and uploads would be open to anyone."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.domain.settings import load_settings
from lgqa_metrics.ui import web

load_settings()  # settings the app cannot use (data/settings.toml, LGQA_*) stop the server here, with their message
app = st.App("dashboard.py", routes=web.routes(), middleware=web.middleware())
