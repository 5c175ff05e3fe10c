"""Query results as pandas frames, for the pages, exports and listings that show tables.

pandas is imported when the first frame is built, not when the store is: a command that only reads and stores
returns (``ingest`` of one file) does not wait the better part of a second for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    import pandas as pd


def read_frame(query: sa.Select[Any], conn: Connection) -> pd.DataFrame:
    """The rows of ``query`` on ``conn`` as a frame, one column per selected column."""
    import pandas as pd

    return pd.read_sql(query, conn)


def frame_of_columns(rows: Sequence[Sequence[Any]], names: Sequence[str]) -> pd.DataFrame:
    """A frame from result rows, built column by column (much faster than row by row for large results)."""
    import pandas as pd

    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return pd.DataFrame(dict(zip(names, (list(c) for c in columns), strict=True)))


def frame_of_records(records: Sequence[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A frame of ``records`` (dicts) with exactly ``columns``, in that order (also when there are none)."""
    import pandas as pd

    return pd.DataFrame(list(records), columns=list(columns))
