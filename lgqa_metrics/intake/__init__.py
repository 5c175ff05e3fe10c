"""Intake: reading a return from a workbook. Cell judgements (:mod:`.cells`), header phrases (:mod:`.phrases`),
layout inference (:mod:`.layout`), row reading (:mod:`.rows`), unit and year (:mod:`.provenance`), the records
handed on (:mod:`.records`) and the entry point (:mod:`.reader`)."""
