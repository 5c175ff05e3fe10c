"""The message catalogue: complete, bilingual, and holding every key the code asks for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lgqa_metrics.domain.i18n import CatalogueKeyError, load_messages, messages, t
from lgqa_metrics.domain.issues import ISSUE_CODES

ROOT = Path(__file__).resolve().parents[2]
_LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")


def test_every_literal_key_used_in_code_exists() -> None:
    sources = [*ROOT.glob("lgqa_metrics/**/*.py"), *ROOT.glob("app_pages/*.py"), ROOT / "dashboard.py"]
    used = {key for path in sources for key in _LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    assert used, "the scan found no keys at all"
    assert sorted(used - set(messages())) == []


def test_every_issue_code_has_a_message_in_both_languages() -> None:
    for code in ISSUE_CODES:
        vi, en = messages()[f"issue.{code}"]
        assert vi and en and vi != en


def test_a_key_defined_twice_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('["x.y"]\nvi = "một"\nen = "one"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('["x.y"]\nvi = "hai"\nen = "two"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="twice"):
        load_messages(tmp_path)


def test_a_message_without_english_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('["x.y"]\nvi = "một"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="'en'"):
        load_messages(tmp_path)


def test_unknown_key_raises_a_typed_error_and_fields_are_filled() -> None:
    with pytest.raises(CatalogueKeyError):
        t("no.such.key")
    assert "2023" in t("cli.no_history", "en", unit="q-le-chan", year=2023)
