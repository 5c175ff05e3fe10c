"""Validation reports: frozen issue records with a stable code, a place and a bilingual message."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from lgqa_metrics.domain.i18n import both

if TYPE_CHECKING:  # pandas only for issues_frame: the reader's worker process never loads it
    import pandas as pd


class Severity(StrEnum):
    """How bad an issue is: errors reject the return, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


#: Every stable issue code and its severity. Messages live in :mod:`lgqa_metrics.domain.i18n`.
ISSUE_CODES: Final[dict[str, Severity]] = {
    "file_empty": Severity.ERROR,
    "file_not_spreadsheet": Severity.ERROR,
    "file_truncated": Severity.ERROR,
    "file_encrypted": Severity.ERROR,
    "file_unreadable": Severity.ERROR,
    "file_too_large": Severity.ERROR,
    "zip_bomb": Severity.ERROR,
    "read_timeout": Severity.ERROR,
    "read_crashed": Severity.ERROR,
    "sheet_too_large": Severity.ERROR,
    "no_table": Severity.ERROR,
    "layout_ambiguous": Severity.ERROR,
    "unit_missing": Severity.ERROR,
    "unit_unknown": Severity.ERROR,
    "year_missing": Severity.ERROR,
    "year_implausible": Severity.ERROR,
    "unit_not_in_year": Severity.ERROR,
    "rating_unknown": Severity.ERROR,
    "rating_multiple": Severity.ERROR,
    "indicator_unknown": Severity.ERROR,
    "indicator_conflict": Severity.ERROR,
    "return_empty": Severity.ERROR,
    "unit_conflict": Severity.WARNING,
    "rating_blank": Severity.WARNING,
    "fill_unrecognised": Severity.WARNING,
    "fill_conflict": Severity.WARNING,
    "indicator_repeated": Severity.WARNING,
    "indicator_missing": Severity.WARNING,
    "name_mismatch": Severity.WARNING,
    "layout_assumed": Severity.WARNING,
    "column_unread": Severity.WARNING,
    "indicator_by_position": Severity.WARNING,
    "legend_assumed": Severity.WARNING,
    "layout_mapped": Severity.WARNING,
    "evidence_missing": Severity.WARNING,
    "return_locked": Severity.ERROR,
}
#: Issues the store raises when it records a return (the reader never does): a return for a unit-year whose current
#: version has been appraised and locked.
STORE_ISSUE_CODES: Final = frozenset({"return_locked"})

ISSUE_COLUMNS: Final = ("severity", "code", "file", "sheet", "cell", "value", "message_vi", "message_en")


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in a file, at a sheet and cell where it has one."""

    severity: Severity
    code: str
    file: str
    sheet: str
    cell: str
    value: str
    message_vi: str
    message_en: str

    def message(self, lang: str = "vi") -> str:
        """The message in ``lang``."""
        return self.message_en if lang == "en" else self.message_vi

    def to_dict(self) -> dict[str, str]:
        """A plain dict (severity as its string value)."""
        out = asdict(self)
        out["severity"] = str(self.severity)
        return out


def make_issue(
    issue_code: str, /, *, file: str = "", sheet: str = "", cell: str = "", value: object = "", **fields: object
) -> Issue:
    """Build the issue ``code`` with its catalogue messages; ``fields`` fill the message template."""
    severity = ISSUE_CODES[issue_code]
    text = "" if value is None else str(value)
    vi, en = both(f"issue.{issue_code}", value=text, cell=cell, sheet=sheet, **fields)
    return Issue(severity, issue_code, file, sheet, cell, text, vi, en)


def has_errors(issues: list[Issue] | tuple[Issue, ...]) -> bool:
    """True when any issue is an error."""
    return any(i.severity is Severity.ERROR for i in issues)


def issues_frame(issues: list[Issue] | tuple[Issue, ...]) -> pd.DataFrame:
    """The issues as a DataFrame with :data:`ISSUE_COLUMNS`."""
    import pandas as pd

    return pd.DataFrame([i.to_dict() for i in issues], columns=list(ISSUE_COLUMNS))
