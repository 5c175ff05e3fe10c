"""Intake: reading a return from a workbook, on top of the domain only. What a file is and whether its archive is
safe (:mod:`.sniff`); opening a workbook (:mod:`.workbook`: its sheets as grids, :mod:`.sheets`, from the archive's
parts, :mod:`.parts`, measured first, :mod:`.extents`, with fills on demand, :mod:`.fills`); cell judgements
(:mod:`.cells`), header phrases (:mod:`.phrases`), layout inference (:mod:`.layout`) and confirmed mappings
(:mod:`.mapping`), row reading (:mod:`.rows`), unit and year (:mod:`.provenance`), the records handed on
(:mod:`.records`), the entry point (:mod:`.reader`) and the reader run in a worker process (:mod:`.safety`, on
the pool of :mod:`.workers`)."""
