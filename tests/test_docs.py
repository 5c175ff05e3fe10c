"""The documentation holds together: the README stays short and leads to every page under docs/, and every
relative link, image and heading anchor in README.md and docs/*.md points at something that exists."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = sorted((ROOT / "docs").glob("*.md"))
DOCUMENTS = [README, *PAGES]
README_MAX_WORDS = 1500

#: An inline link or image, ``[text](target "title")`` / ``![alt](<target>)``: the target.
INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^()\s<>]+)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
#: A reference definition, ``[name]: target``.
DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
#: ``src=`` and ``href=`` of inline HTML.
HTML = re.compile(r"""<(?:img|a|source)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.I)
HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Target:
    """Where a link of ``source`` points: a path relative to it (empty: the same file) and an anchor."""

    source: Path
    path: str
    anchor: str

    def __str__(self) -> str:
        return f"{self.source.relative_to(ROOT)} → {self.path}{'#' + self.anchor if self.anchor else ''}"


def prose(text: str) -> str:
    """``text`` without fenced code blocks and code spans (a `[--db URL](…)` in code is no link)."""
    lines, fence = [], ""
    for line in text.splitlines():
        stripped = line.lstrip()
        if fence:
            if stripped.startswith(fence):
                fence = ""
            lines.append("")
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            lines.append("")
            continue
        lines.append(re.sub(r"`[^`\n]*`", "", line))
    return "\n".join(lines)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text lower-cased, punctuation dropped (letters with their diacritics,
    digits, ``_`` and ``-`` kept), spaces made hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
    text = re.sub(r"<[^>]+>", "", text).lower()
    kept = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LNM")
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a Markdown file, repeated headings numbered as GitHub numbers them (-1, -2, …)."""
    seen: dict[str, int] = {}
    found = set()
    for line in prose(path.read_text(encoding="utf-8")).splitlines():
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(1))
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return found


def targets(path: Path) -> list[Target]:
    """Every relative link, image and reference target of a Markdown file (web addresses left out)."""
    text = prose(path.read_text(encoding="utf-8"))
    raw = [*INLINE.findall(text), *DEFINITION.findall(text), *HTML.findall(text)]
    found = []
    for target in raw:
        if SCHEME.match(target):
            continue
        where, _, anchor = unquote(target).partition("#")
        found.append(Target(path, where, unicodedata.normalize("NFC", anchor)))
    return found


def broken(target: Target) -> str | None:
    """Why ``target`` leads nowhere, or None when it leads to an existing file (and heading)."""
    file = (target.source.parent / target.path).resolve() if target.path else target.source
    if not file.exists():
        return "no such file"
    if target.anchor:
        if file.suffix != ".md":
            return "an anchor into a file that is not Markdown"
        if target.anchor not in anchors(file):
            return "no such heading"
    return None


def test_the_readme_is_under_1500_words() -> None:
    words = len(README.read_text(encoding="utf-8").split())  # as `wc -w` counts
    assert words < README_MAX_WORDS, f"README.md has {words} words; move detail into docs/"


def test_the_readme_shows_two_screenshots() -> None:
    images = [t for t in targets(README) if t.path.endswith(".png")]
    assert len(images) >= 2, "the README shows the dashboard"


def test_every_page_under_docs_is_linked_from_the_readme() -> None:
    linked = {(README.parent / t.path).resolve() for t in targets(README) if t.path}
    missing = [p.name for p in PAGES if p.resolve() not in linked]
    assert PAGES, "the documentation lives in docs/"
    assert not missing, f"not reachable from README.md: {missing}"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_image_and_anchor_points_at_something_that_exists(document: Path) -> None:
    found = targets(document)
    problems = [f"{t}: {why}" for t in found if (why := broken(t))]
    assert not problems, "\n".join(problems)


def test_every_screenshot_is_shown_somewhere() -> None:
    shown = {(t.source.parent / t.path).resolve() for doc in DOCUMENTS for t in targets(doc) if t.path}
    unused = [p.name for p in sorted((ROOT / "docs" / "screenshots").glob("*.png")) if p.resolve() not in shown]
    assert not unused, f"screenshots no page shows: {unused}"


def test_a_broken_link_image_or_anchor_is_reported(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# Hướng dẫn\n\n## Nhiều máy chủ / Multi-instance\n", encoding="utf-8")
    (tmp_path / "shot.png").write_bytes(b"")
    page = tmp_path / "README.md"
    page.write_text(
        "# Title\n\n## A section\n\n"
        "[fine](docs/guide.md#nhiều-máy-chủ--multi-instance) ![fine](shot.png) [here](#a-section) "
        "[web](https://example.org/missing.md)\n\n"
        "[gone](docs/missing.md) ![gone](missing.png) [bad anchor](docs/guide.md#no-such-heading) [bad](#nowhere)\n\n"
        "```\n[code](not-a-link.md)\n```\n", encoding="utf-8")
    found = targets(page)
    assert [t.path for t in found] == ["docs/guide.md", "shot.png", "", "docs/missing.md", "missing.png",
                                      "docs/guide.md", ""]
    assert [broken(t) for t in found] == [None, None, None, "no such file", "no such file", "no such heading",
                                          "no such heading"]


def test_anchors_are_the_ones_github_makes() -> None:
    assert slug("Nhiều máy chủ / Multi-instance deployment") == "nhiều-máy-chủ--multi-instance-deployment"
    assert slug("3.2. Tải tệp lên và kiểm tra") == "32-tải-tệp-lên-và-kiểm-tra"
    assert slug("Demo data (synthetic)") == "demo-data-synthetic"
    assert slug("Accounts, roles and the audit trail") == "accounts-roles-and-the-audit-trail"
