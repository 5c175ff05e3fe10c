"""Every table of the store, in one place (SQLAlchemy Core). A store is created and upgraded by the migrations
(``lgqa_metrics/store/migrations``, run by :meth:`Store.open`), which must match these tables exactly (a test compares
them); a change here needs a new migration."""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa

STATUS_CURRENT: Final = "current"
STATUS_SUPERSEDED: Final = "superseded"
STATUS_WITHDRAWN: Final = "withdrawn"

metadata = sa.MetaData()

units_t = sa.Table(
    "units", metadata,
    sa.Column("id", sa.String(80), primary_key=True),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=False, default=""),
    sa.Column("parent_id", sa.String(80)),
    sa.Column("aliases", sa.Text, nullable=False, default=""),
    sa.Column("valid_from", sa.Date),
    sa.Column("valid_to", sa.Date),
    sa.Column("successor_ids", sa.Text, nullable=False, default=""),
)
unit_links_t = sa.Table(  # the lineage crosswalk (data/lineage.csv, or written by synth): old unit → new unit
    "unit_links", metadata,
    sa.Column("from_id", sa.String(80), sa.ForeignKey("units.id"), primary_key=True),
    sa.Column("to_id", sa.String(80), sa.ForeignKey("units.id"), primary_key=True),
    sa.Column("effective_date", sa.Date, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("share", sa.Float, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
)
indicators_t = sa.Table(
    "indicators", metadata,
    sa.Column("code", sa.String(8), primary_key=True),
    sa.Column("quadrant", sa.Integer, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("name_vi", sa.String(300), nullable=False),
    sa.Column("name_en", sa.String(300), nullable=False),
)
files_t = sa.Table(
    "files", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
)
submissions_t = sa.Table(
    "submissions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("unit_id", sa.String(80), sa.ForeignKey("units.id"), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("file_sha256", sa.String(64), sa.ForeignKey("files.sha256"), nullable=False),
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("sheet", sa.String(200), nullable=False),
    sa.Column("uploader", sa.String(200), nullable=False),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.UniqueConstraint("unit_id", "year", "version", name="uq_submission_version"),
    sa.Index("ix_submissions_unit_year", "unit_id", "year", "status"),
)
ratings_t = sa.Table(
    "ratings", metadata,
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), primary_key=True),
    sa.Column("indicator_code", sa.String(8), sa.ForeignKey("indicators.code"), primary_key=True),
    sa.Column("rating", sa.String(8), nullable=False),
    sa.Column("raw", sa.Text, nullable=False, default=""),
    sa.Column("evidence", sa.Text, nullable=False, default=""),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("cell", sa.String(16), nullable=False, default=""),
    # derived from rating, evidence and note by the evidence rule (data/catalogue/evidence.toml); made again
    # whenever the rule changes (meta "evidence_rule" holds the digest of the rule it was made under)
    sa.Column("evidence_status", sa.String(16), nullable=False, default="", server_default=""),
)
appraisals_t = sa.Table(  # one row per submission an appraiser has taken up; none: submitted (nộp), not yet taken up
    "appraisals", metadata,
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),  # in_review | accepted | returned
    sa.Column("appraiser", sa.String(200), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
    sa.Column("comment", sa.Text, nullable=False, default=""),
    sa.Column("locked", sa.Boolean, nullable=False, default=False),  # accepted: no new version until an admin unlocks
    sa.Index("ix_appraisals_status", "status"),
)
appraised_ratings_t = sa.Table(  # the appraiser's rating where it differs from the self-assessment, with the reason
    "appraised_ratings", metadata,
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), primary_key=True),
    sa.Column("indicator_code", sa.String(8), sa.ForeignKey("indicators.code"), primary_key=True),
    sa.Column("rating", sa.String(8), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("appraiser", sa.String(200), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)
intake_t = sa.Table(
    "intake", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("uploader", sa.String(200), nullable=False),
    sa.Column("file_sha256", sa.String(64), sa.ForeignKey("files.sha256"), nullable=False),
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("sheet", sa.String(200), nullable=False),
    sa.Column("unit_id", sa.String(80)),
    sa.Column("year", sa.Integer),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id")),
)
issues_t = sa.Table(
    "issues", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("intake_id", sa.Integer, sa.ForeignKey("intake.id"), nullable=False, index=True),
    sa.Column("severity", sa.String(8), nullable=False),
    sa.Column("code", sa.String(40), nullable=False),
    sa.Column("sheet", sa.String(200), nullable=False),
    sa.Column("cell", sa.String(16), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("message_vi", sa.Text, nullable=False),
    sa.Column("message_en", sa.Text, nullable=False),
)
meta_t = sa.Table(
    "meta", metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
users_t = sa.Table(
    "users", metadata,
    sa.Column("username", sa.String(80), primary_key=True),
    sa.Column("display_name", sa.String(200), nullable=False, default=""),
    sa.Column("email", sa.String(200), nullable=False, default=""),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("failed_count", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
    sa.Column("last_login", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
audit_t = sa.Table(
    "audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("actor", sa.String(200), nullable=False, index=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("action", sa.String(40), nullable=False, index=True),
    sa.Column("target", sa.Text, nullable=False, default=""),
    sa.Column("file_sha256", sa.String(64), nullable=False, default=""),
    sa.Column("details", sa.Text, nullable=False, default="{}"),
)

layout_mappings_t = sa.Table(
    "layout_mappings", metadata,
    sa.Column("fingerprint", sa.String(64), primary_key=True),
    sa.Column("headers", sa.Text, nullable=False),  # the header row's titles, a JSON list
    sa.Column("mapping", sa.Text, nullable=False),  # role -> column and colour columns, JSON
    sa.Column("confirmed_by", sa.String(200), nullable=False),
    sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
)

#: Failed sign-ins counted per account-and-client and per client (keys are keyed hashes: no typed text is kept).
sign_in_throttle_t = sa.Table(
    "sign_in_throttle", metadata,
    sa.Column("key", sa.String(64), primary_key=True),  # "p:" account-and-client, "c:" client
    sa.Column("account", sa.String(64), nullable=False, index=True),  # the account name's hash ("" for a client)
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure", sa.DateTime(timezone=True), nullable=False),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
)

#: Server secrets shared by every instance on the store (the keyed hashes of sign-in throttling).
server_secrets_t = sa.Table(
    "server_secrets", metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.String(128), nullable=False),
)

#: Signed-in browser sessions (lgqa_metrics/store/web_sessions.py): the ``lgqa_session`` cookie's token and the one-time
#: grant that sets it are kept only as SHA-256 digests.
web_sessions_t = sa.Table(
    "web_sessions", metadata,
    sa.Column("key", sa.String(64), primary_key=True),  # digest of the cookie's token
    sa.Column("username", sa.String(80), nullable=False, index=True),
    sa.Column("grant_digest", sa.String(64), nullable=False, unique=True, index=True),  # digest of the one-time grant
    sa.Column("grant_expires", sa.DateTime(timezone=True), nullable=False),
    sa.Column("cookie_set", sa.DateTime(timezone=True)),  # when the grant was exchanged for the cookie
    sa.Column("browser", sa.String(64), nullable=False),  # digest of the signing-in browser's XSRF token
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires", sa.DateTime(timezone=True), nullable=False),  # the latest end, whatever the activity
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_why", sa.String(20), nullable=False, default=""),
)

# The audit trail is append-only, enforced by the database itself.
for _op in ("UPDATE", "DELETE"):
    sa.event.listen(audit_t, "after_create", sa.DDL(  # type: ignore[no-untyped-call]
        f"CREATE TRIGGER audit_no_{_op.lower()} BEFORE {_op} ON audit "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END").execute_if(dialect="sqlite"))
sa.event.listen(audit_t, "after_create", sa.DDL(  # type: ignore[no-untyped-call]
    "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$; "
    "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()").execute_if(dialect="postgresql"))
