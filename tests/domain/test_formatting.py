"""Numbers, percentages and times in Vietnamese and English."""

from __future__ import annotations

import datetime as dt

from lgqa_metrics.domain.formatting import date_time, number, percent, stored_time


def test_numbers_and_percentages_follow_the_language() -> None:
    assert number(1234.5, "vi", 1) == "1.234,5" and number(1234.5, "en", 1) == "1,234.5"
    assert percent(0.453, "vi") == "45,3 %" and percent(0.453, "en") == "45.3%"
    assert percent(-0.012, "vi", signed=True) == "-1,2 điểm %" and percent(0.02, "en", signed=True) == "+2.0 pp"
    assert number(None) == "–" and percent(float("nan")) == "–"


def test_stored_utc_times_are_shown_in_hai_phong_time() -> None:
    naive_utc = dt.datetime(2026, 11, 24, 20, 30, 5)  # as SQLite returns it
    assert stored_time(naive_utc, "vi") == "25/11/2026 03:30"
    assert stored_time(naive_utc, "en", seconds=True) == "2026-11-25 03:30:05"
    assert stored_time("2026-11-24T20:30:05+00:00") == "25/11/2026 03:30"
    assert stored_time(None) == "" and stored_time(float("nan")) == ""
    assert date_time(dt.date(2026, 1, 2)) == "02/01/2026"


def test_local_time_is_vietnam_time_from_the_zone_database() -> None:
    from zoneinfo import ZoneInfo

    from lgqa_metrics.domain.formatting import LOCAL_TZ, LOCAL_TZ_NAME

    assert LOCAL_TZ_NAME == "Asia/Ho_Chi_Minh" and ZoneInfo("Asia/Ho_Chi_Minh") == LOCAL_TZ
    summer, winter = dt.datetime(2026, 7, 1, tzinfo=dt.UTC), dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert summer.astimezone(LOCAL_TZ).utcoffset() == winter.astimezone(LOCAL_TZ).utcoffset() == dt.timedelta(hours=7)


def test_today_is_the_date_in_vietnam_not_the_servers() -> None:
    from lgqa_metrics.domain.formatting import local_now, local_today

    late_utc = dt.datetime(2026, 12, 31, 18, 30, tzinfo=dt.UTC)  # 01:30 on New Year's Day in Hai Phong
    assert local_today(late_utc) == dt.date(2027, 1, 1)
    assert local_now(late_utc).strftime("%Y-%m-%d %H:%M") == "2027-01-01 01:30"
    assert local_today(dt.datetime(2026, 12, 31, 16, 59, tzinfo=dt.UTC)) == dt.date(2026, 12, 31)
