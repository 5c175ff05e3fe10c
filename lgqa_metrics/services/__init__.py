"""Services, on top of analysis: what staff and admins do with returns and the registry. Ingest and batch dry
runs, marked-up rejected returns (:mod:`.annotate`), the blank template, completeness and version history
(:mod:`.submissions`), the administration tables, the audit trail for people, reference-file edits, what a
dashboard process shares (:mod:`.shared`) and what binds a sign-in to its browser (:mod:`.binding`)."""
