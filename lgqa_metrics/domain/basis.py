"""Which rating a figure counts: the unit's self-assessment (tự đánh giá), the appraiser's (thẩm định), or the
appraiser's where the return has been appraised and the unit's otherwise (the default). How a table is counted on a
basis is in :mod:`lgqa_metrics.analysis.basis`."""

from __future__ import annotations

from enum import StrEnum

from lgqa_metrics.domain.i18n import t


class Basis(StrEnum):
    """The ratings a figure counts."""

    COMBINED = "combined"
    SELF = "self"
    APPRAISED = "appraised"

    def label(self, lang: str) -> str:
        """The basis in words, for a page's caption, a chart's subtitle and an export's filter sheet."""
        return t(f"basis.{self.value}", lang)
