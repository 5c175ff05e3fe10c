"""The store, on top of intake and the domain: the schema (:mod:`.schema`) and its migrations, the database
(:mod:`.database`, class ``Store``) and where it is (:mod:`.url`), accounts, sign-in throttling and browser sessions,
the append-only audit trail, confirmed layout mappings, the quarantine, backups and whole-store transfers, and
query results as frames (:mod:`.frames`, :mod:`.packed`)."""
