"""The Streamlit layer: session-state keys, cached loaders and components. Only this package, app_pages/
and dashboard.py import streamlit."""
