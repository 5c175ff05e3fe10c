"""Numbers, percentages and dates in the reader's language (Vietnamese: 1.234,5 and 24/11/2026)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def number(value: float | int | None, lang: str = "vi", decimals: int = 0) -> str:
    """``1234.5`` → ``1.234,5`` (vi) or ``1,234.5`` (en); '–' for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def percent(share: float | None, lang: str = "vi", decimals: int = 1, signed: bool = False) -> str:
    """``0.453`` → ``45,3 %`` (vi) or ``45.3%`` (en); ``signed`` adds + for gains (in points)."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    text = number(abs(share) * 100 if signed else share * 100, lang, decimals)
    if signed:
        sign = "+" if share > 0 else "-" if share < 0 else "±"
        unit = " điểm %" if lang == "vi" else " pp"
        return f"{sign}{text}{unit}"
    return f"{text} %" if lang == "vi" else f"{text}%"


#: The name of Vietnam's time zone in the IANA database.
LOCAL_TZ_NAME: Final = "Asia/Ho_Chi_Minh"


def _local_zone() -> dt.tzinfo:
    """Vietnam's time zone from the IANA database (the system's, or the ``tzdata`` package's); a fixed UTC+7
    when neither holds it (Vietnam has kept UTC+7 without daylight saving since 1975, so the times agree)."""
    try:
        return ZoneInfo(LOCAL_TZ_NAME)
    except ZoneInfoNotFoundError:
        return dt.timezone(dt.timedelta(hours=7), "ICT")


#: Hai Phong's time zone, Asia/Ho_Chi_Minh (UTC+7, no daylight saving), whatever the server's own zone is.
LOCAL_TZ: Final = _local_zone()


def utc_now() -> dt.datetime:
    """The time now, in UTC: the one clock the dates below read (a test may set it)."""
    return dt.datetime.now(dt.UTC)


def local_now(now: dt.datetime | None = None) -> dt.datetime:
    """The time in Vietnam now (or at the aware ``now``), whatever zone the server runs in."""
    return (now or utc_now()).astimezone(LOCAL_TZ)


def local_today(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Vietnam: the date of file names and of the current year (at 06:00 in Hai Phong the
    server's UTC may still be on yesterday)."""
    return local_now(now).date()


def stored_time(value: object, lang: str = "vi", *, seconds: bool = False) -> str:
    """A time read back from the store (written in UTC; SQLite returns it without a zone) in local time,
    in the reader's format; '' when there is none."""
    import pandas as pd  # here: the reader (and its worker process) use this module without pandas

    if not isinstance(value, (dt.datetime, str, pd.Timestamp)):
        return ""
    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        return ""
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    local = stamp.to_pydatetime().astimezone(LOCAL_TZ)
    return local.strftime(("%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M") + (":%S" if seconds else ""))


def date_time(value: dt.datetime | dt.date | None, lang: str = "vi") -> str:
    """``24/11/2026 15:30`` (vi) or ``2026-11-24 15:30`` (en), in local time for aware datetimes."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(LOCAL_TZ)
        return value.strftime("%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M")
    return value.strftime("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d")


def file_size(size: int, lang: str = "vi") -> str:
    """A byte count for people: ``512 B``, ``340 kB``, ``25,3 MB`` (vi) / ``25.3 MB`` (en)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{number(size / 1024, lang)} kB"
    unit, scale = ("MB", 1024**2) if size < 1024**3 else ("GB", 1024**3)
    value = size / scale
    return f"{number(value, lang, 0 if value.is_integer() else 1)} {unit}"
