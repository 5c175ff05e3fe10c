"""Every session-state key the app uses, in one place. Keys hold user choices only; derived tables
come from cached loaders keyed by their inputs and the data version."""

from __future__ import annotations

from typing import Final

import streamlit as st

from lgqa_metrics.domain.i18n import DEFAULT_LANG

LANG: Final = "lang"  # "vi" | "en", sidebar switch
YEAR: Final = "year"  # int: the year shown by Overview, Compare and Indicator
YEARS: Final = "filter_years"  # list[int]: Data & export
UNITS: Final = "filter_units"  # list[str] unit ids: Compare, Trends, Data & export
UNIT_TYPES: Final = "filter_unit_types"  # list[str] unit types: Compare, Data & export
QUADRANTS: Final = "filter_quadrants"  # list[int]: Data & export
INDICATORS: Final = "filter_indicators"  # list[str] codes: Data & export
RATINGS: Final = "filter_ratings"  # list[str] rating words: Data & export
YEAR_FROM: Final = "trend_year_from"  # int: Trends, comparison start
YEAR_TO: Final = "trend_year_to"  # int: Trends, comparison end
INDICATOR: Final = "indicator_code"  # str: Indicator page
LINEAGE_FOLLOW: Final = "lineage_follow"  # bool: Trends, show a new unit's earlier years through its predecessors
LINEAGE_RULE: Final = "lineage_rule"  # str BaselineRule value: Trends, how predecessors' ratings become one
LINEAGE_UNIT: Final = "lineage_unit"  # str unit id: Data administration, the unit whose lineage is drawn
BASIS: Final = "rating_basis"  # str Basis value: which ratings the figures and exports count (analysis pages, Data)
APPRAISE_ID: Final = "appraise_id"  # int: Appraisal, the submission chosen from the queue
APPRAISE_EDITS: Final = "appraise_edits"  # data_editor widget: Appraisal, the appraiser's ratings and reasons
APPRAISE_COMMENT: Final = "appraise_comment"  # str: Appraisal, the comment of the decision
APPRAISE_NOTICE: Final = "appraise_notice"  # dict: outcome of the last appraisal step, shown once
APPRAISE_ALL: Final = "appraise_all"  # bool: Appraisal, the queue shows appraised returns too
REPORT_COMPARE: Final = "report_compare"  # int | None: Report, the year the changes are counted from
REPORT_FORMAT: Final = "report_format"  # str: Report, "docx" or "pdf"
REPORT_FILE: Final = "report_file"  # dict: Report, the last report made (name, kind, bytes), for its download
UNLOCK_UNIT: Final = "unlock_unit"  # str: Data administration, the locked unit-year to unlock ("unit/year")
UNLOCK_REASON: Final = "unlock_reason"  # str: Data administration, why (mandatory)
PROVINCE: Final = "scope_province"  # str province id ("" = the whole country): analysis pages at national scale
DISTRICT: Final = "scope_district"  # str district id ("" = the whole province): analysis pages at national scale
TREND_FIND: Final = "trend_find"  # str: Trends at national scale, text searched among unit names to follow
TREND_UNITS: Final = "trend_units"  # list[str] unit ids: Trends at national scale, the units followed one by one
UNIT_SEARCH: Final = "unit_search"  # str: text searched among unit names, analysis pages at national scale
UPLOAD_FILES: Final = "upload_files"  # file_uploader widget: key prefix, see uploader_key()
UPLOAD_NONCE: Final = "upload_nonce"  # int: bumped to clear the uploader after a confirmation
UPLOAD_DONE: Final = "upload_done"  # list[dict]: outcomes of the last confirmation, shown once
UPLOAD_CONFIRM: Final = "upload_confirm"  # button: store the checked batch
MAPPING_DONE: Final = "mapping_done"  # str: message key of the last column-mapping confirmation, shown once
MAPPING_PICK: Final = "mapping_pick"  # str: Data administration, the mapping chosen for deletion
# (the column-mapping form's widgets are keyed per file: map_sheet_<i>, map_row_<i>, map_<role>_<i>, …)
TEMPLATE_UNIT: Final = "template_unit"  # str: Upload, template download
TEMPLATE_YEAR: Final = "template_year"  # int: Upload, template download
HISTORY_UNIT: Final = "history_unit"  # str: Submissions
HISTORY_YEAR: Final = "history_year"  # int: Submissions
INTAKE_ID: Final = "intake_id"  # int: Submissions, the rejected file whose issues are shown
AUTH_USER: Final = "auth_user"  # str: the signed-in built-in account
AUTH_SESSION: Final = "auth_session"  # str: the key of its web session (lgqa_metrics.store.web_sessions)
AUTH_CONNECTION: Final = "auth_connection"  # str: the connection the password was typed on (binding.connection_key)
AUTH_GRANT: Final = "auth_grant"  # str: the one-time grant still to hand to the browser for its session cookie
AUTH_DROP_COOKIE: Final = "auth_drop_cookie"  # bool: the browser's session cookie is still to be cleared
AUTH_STALE: Final = "auth_stale"  # str: the key of an ended session whose cookie this connection still carries
AUTH_REFUSED: Final = "auth_refused"  # str: the account a run from another connection was refused (audited once)
AUTH_EXPIRED: Final = "auth_expired"  # bool: the last session ended by expiry (shown once)
AUTH_WAIT: Final = "auth_wait"  # int: seconds to wait after failed sign-ins
SIGNIN_NAME: Final = "signin_name"  # sign-in form: user name
SIGNIN_PASSWORD: Final = "signin_password"  # sign-in form: password
SIGNIN_RESULT: Final = "signin_result"  # str: outcome of the last sign-in attempt
OWN_PASSWORD: Final = "own_password"  # Account, change-password form: the current password
OWN_PASSWORD_NEW: Final = "own_password_new"  # Account, change-password form: the new password
OWN_PASSWORD_NEW2: Final = "own_password_new2"  # Account, change-password form: the new password again
LANG_SAVE: Final = "lang_save"  # bool: the language just chosen is still to be kept in the browser (its cookie)
ADMIN_NOTICE: Final = "admin_notice"  # dict: outcome of the last administration action, shown once
ACCOUNT_NAME: Final = "account_name"  # Accounts, add form: user name
ACCOUNT_DISPLAY: Final = "account_display"  # Accounts, add form: display name
ACCOUNT_EMAIL: Final = "account_email"  # Accounts, add form: e-mail
ACCOUNT_ROLE: Final = "account_role"  # Accounts, add form: role
ACCOUNT_PASSWORD: Final = "account_password"  # Accounts, add form: password
ACCOUNT_PASSWORD2: Final = "account_password2"  # Accounts, add form: password again
ROLE_USER: Final = "role_user"  # Accounts, change-role form: the account
ROLE_NEW: Final = "role_new"  # Accounts, change-role form: the new role
PASSWORD_USER: Final = "password_user"  # Accounts, set-password form: the account
PASSWORD_NEW: Final = "password_new"  # Accounts, set-password form: password
PASSWORD_NEW2: Final = "password_new2"  # Accounts, set-password form: password again
STATUS_USER: Final = "status_user"  # Accounts: the account to disable or enable
AUDIT_ACTIONS: Final = "audit_actions"  # list[str]: Audit trail, actions shown (empty: all)
AUDIT_ACTORS: Final = "audit_actors"  # list[str]: Audit trail, actors shown (empty: all)
AUDIT_FROM: Final = "audit_from"  # date | None: Audit trail, first day
AUDIT_TO: Final = "audit_to"  # date | None: Audit trail, last day
AUDIT_PAGE: Final = "audit_page"  # int: the page of the Audit trail shown
WITHDRAW_UNIT: Final = "withdraw_unit"  # str: Data administration, unit of the version to withdraw
WITHDRAW_YEAR: Final = "withdraw_year"  # int: Data administration, year of the version to withdraw
WITHDRAW_ID: Final = "withdraw_id"  # int: Data administration, submission id of the version to withdraw
WITHDRAW_REASON: Final = "withdraw_reason"  # str: Data administration, why (mandatory)
WITHDRAW_SURE: Final = "withdraw_sure"  # bool: Data administration, the confirmation box
REFERENCE_UPLOAD: Final = "reference_upload"  # file_uploader: key prefix, see reference_key()
REFERENCE_NONCE: Final = "reference_nonce"  # int: bumped to clear the reference uploaders after a replacement

#: Keys kept when the user moves between pages (Streamlit drops widget state of unrendered widgets).
PERSISTENT: Final = (LANG, YEAR, YEARS, UNITS, UNIT_TYPES, QUADRANTS, INDICATORS, RATINGS, YEAR_FROM, YEAR_TO,
                     INDICATOR, BASIS, LINEAGE_FOLLOW, LINEAGE_RULE)


def lang() -> str:
    """The chosen language."""
    return str(st.session_state.get(LANG, DEFAULT_LANG))


def uploader_key() -> str:
    """The file uploader's widget key: a new key after each confirmation empties the uploader."""
    return f"{UPLOAD_FILES}_{int(st.session_state.get(UPLOAD_NONCE, 0))}"


def clear_uploader() -> None:
    """Bump the nonce so the next run draws an empty uploader."""
    st.session_state[UPLOAD_NONCE] = int(st.session_state.get(UPLOAD_NONCE, 0)) + 1


def reference_key(kind: str) -> str:
    """The uploader key of one reference file: a new key after each replacement empties the uploader."""
    return f"{REFERENCE_UPLOAD}_{kind}_{int(st.session_state.get(REFERENCE_NONCE, 0))}"


def clear_reference_uploads() -> None:
    """Bump the nonce so the next run draws empty reference uploaders."""
    st.session_state[REFERENCE_NONCE] = int(st.session_state.get(REFERENCE_NONCE, 0)) + 1


def keep_filters() -> None:
    """Re-assign the persistent keys so widget values survive a page switch (call once per run)."""
    for key in PERSISTENT:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
