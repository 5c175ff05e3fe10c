"""``python -m lgqa_metrics quarantine``: the rejected files, newest first, with the first error of each."""

from __future__ import annotations

import argparse
import datetime as dt
import json

import pandas as pd

from lgqa_metrics.domain.formatting import number, stored_time
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.store.database import Store
from lgqa_metrics.store.quarantine import quarantine_frame


def _stamp(value: object) -> pd.Timestamp | None:
    """A stored time as an aware timestamp (the store writes UTC; SQLite hands it back without a zone)."""
    stamp = pd.Timestamp(value) if isinstance(value, (dt.datetime, str, pd.Timestamp)) else None
    if stamp is None or pd.isna(stamp):
        return None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp


def render(store: Store, lang: str = "vi", *, as_json: bool = False) -> str:
    """The quarantine as text for the command line: a table (hash shortened to 12 characters), or with
    ``as_json`` one JSON array with the full hash and both messages."""
    frame = quarantine_frame(store)
    if as_json:
        records = [{"file": r.file_name, "sha256": r.file_sha256, "at": (stamp.isoformat() if (stamp := _stamp(r.at)) is not None else ""),
                    "uploader": r.uploader, "sheet": r.sheet, "code": r.code if isinstance(r.code, str) else "",
                    "message": (r.message_en if lang == "en" else r.message_vi) if isinstance(r.code, str) else "",
                    "message_en": r.message_en if isinstance(r.code, str) else ""}
                   for r in frame.itertuples(index=False)]
        return json.dumps(records, ensure_ascii=False, indent=1)
    if frame.empty:
        return t("quarantine.empty", lang)
    shown = pd.DataFrame({
        "at": [stored_time(v, lang) for v in frame["at"]],
        "file": frame["file_name"].astype(str),
        "sha256": [str(h)[:12] for h in frame["file_sha256"]],
        "uploader": frame["uploader"].astype(str),
        "sheet": frame["sheet"].astype(str),
        "code": [c if isinstance(c, str) else "" for c in frame["code"]],
        "error": [str(m if lang != "en" else e)[:120] if isinstance(c, str) else ""
                  for c, m, e in zip(frame["code"], frame["message_vi"], frame["message_en"], strict=True)],
    })
    shown = shown.rename(columns={c: t(f"quarantine.col_{c}", lang) for c in shown.columns})
    return f"{t('quarantine.count', lang, n=number(len(frame), lang))}\n{shown.to_string(index=False)}"


def run(args: argparse.Namespace, lang: str) -> int:
    """Print the quarantine (newest first); 0."""
    print(render(Store.open(args.db, create=False), lang, as_json=args.json))
    return 0
