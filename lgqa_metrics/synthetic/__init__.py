"""Synthetic data, on top of the services: the one writer of return forms (:mod:`.forms`), the pilot demo (its
content :mod:`.demo_content`, its workbooks :mod:`.demo_layouts`, its sample folders :mod:`.demo`, LibreOffice
conversions :mod:`.office`) and the national synthetic dataset (:mod:`.synth`, written by :mod:`.synth_write`).
Every unit and rating made here is labelled synthetic."""
