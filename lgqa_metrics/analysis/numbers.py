"""Numbers in tables and figures written the reader's way: one rule per language, the rule of
:mod:`lgqa_metrics.domain.formatting` (Vietnamese ``1.234,5`` and ``48,2 %``, English ``1,234.5`` and ``48.2%``).
No Streamlit here.

Tables keep their numbers as numbers (they still sort by value) and carry the text to show in a pandas
``Styler``, which ``st.dataframe`` draws. Figures get plotly's separators for every number plotly writes itself,
and percentages as text written by :func:`~lgqa_metrics.domain.formatting.percent` (a d3 ``%`` format puts no
space before the sign, which Vietnamese wants).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Final

import pandas as pd

from lgqa_metrics.domain.formatting import number, percent

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

#: plotly's ``layout.separators`` of each language: the decimal mark, then the thousands separator.
SEPARATORS: Final = {"vi": ",.", "en": ".,"}
#: Decimals of a fractional number in a table (an index of 0–100: ``84,2``) and of a percentage.
DECIMALS: Final = 1


def separators(lang: str) -> str:
    """plotly's ``layout.separators`` for ``lang``."""
    return SEPARATORS["en" if lang == "en" else "vi"]


def _whole(values: pd.Series) -> bool:
    """True when every value of a float column is a whole number (a count that became float)."""
    present = values.dropna()
    return bool(((present % 1) == 0).all())


def styled(frame: pd.DataFrame, lang: str, *, percents: Collection[str] = (), plain: Collection[str] = ()) -> Styler:
    """``frame`` with each number written the ``lang`` way, its values untouched: counts with thousands
    separators (``1.234``), fractions with one decimal (``84,2``), the columns in ``percents`` (shares from 0
    to 1) as percentages (``48,2 %``), missing values as a dash. Whole numbers in ``plain`` (years, version
    numbers) are written as they are; text is left alone."""
    formats: dict[str, object] = {}
    for column in frame.columns:
        values = frame[column]
        if column in percents:
            formats[column] = lambda v: percent(float(v), lang, DECIMALS)
        elif pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            continue
        elif pd.api.types.is_integer_dtype(values) or _whole(values):
            formats[column] = str if column in plain else (lambda v: number(int(v), lang))
        else:
            formats[column] = lambda v: number(float(v), lang, DECIMALS)
    return frame.style.format(formats, na_rep="–")  # type: ignore[arg-type]


def percent_ticks(lang: str, step: float = 0.2) -> dict[str, Sequence[object]]:
    """The ticks of an axis of shares from 0 to 1, written as percentages (``0 %``, ``20 %`` … ``100 %``)."""
    values = [round(i * step, 10) for i in range(round(1 / step) + 1)]
    return {"tickvals": values, "ticktext": [percent(v, lang, 0) for v in values]}
