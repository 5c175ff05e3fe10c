"""Analysis, on top of the store: aggregates over the long ratings table (:mod:`.analytics`), national scope
(:mod:`.scope`), the Data page filters (:mod:`.filters`), plotly figures (:mod:`.charts`), CSV and Excel exports
(:mod:`.export`) and the preview of a return before it is stored (:mod:`.preview`). No Streamlit."""
