"""Whether a rating is backed by evidence (minh chứng), by a rule the department keeps as data
(``data/catalogue/evidence.toml``): a rating that needs evidence has it when its evidence cell holds more than a
placeholder, or its note cites a document."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.paths import CATALOGUE_DIR
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.textnorm import fold

RULE_FILE = CATALOGUE_DIR / "evidence.toml"


class EvidenceStatus(StrEnum):
    """A rating's evidence: given (có minh chứng), missing where the rule asks for it (thiếu minh chứng), or not
    asked for (không yêu cầu: red, not applicable, not assessed)."""

    EVIDENCED = "evidenced"
    MISSING = "missing"
    NOT_REQUIRED = "not_required"

    def label(self, lang: str) -> str:
        """The status in words (có minh chứng, thiếu minh chứng, không yêu cầu)."""
        return t(f"evidence.{self.value}", lang)


def status_labels(lang: str) -> dict[str, str]:
    """Each status's value → its words, for mapping a column of statuses."""
    return {s.value: s.label(lang) for s in EvidenceStatus}


class EvidenceRuleError(ValueError):
    """The rule file cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class EvidenceRule:
    """Which ratings need evidence, which evidence texts are only placeholders (folded), and which notes cite a
    document (patterns over the folded note)."""

    required: frozenset[Rating]
    placeholders: frozenset[str]
    document_references: tuple[re.Pattern[str], ...]

    def needs_evidence(self, rating: Rating | str) -> bool:
        """Whether ``rating`` needs evidence at all."""
        return Rating(rating) in self.required

    def gives_evidence(self, evidence: str) -> bool:
        """Whether an evidence cell holding ``evidence`` holds more than a placeholder."""
        given = fold(evidence)
        return bool(given) and given not in self.placeholders

    def cites_document(self, note: str) -> bool:
        """Whether a note cites a document (one of the rule's references)."""
        cited = fold(note)
        return bool(cited) and any(pattern.search(cited) for pattern in self.document_references)

    def status(self, rating: Rating | str, evidence: str, note: str = "") -> EvidenceStatus:
        """The evidence status of one rating, given its evidence and its note as read."""
        if not self.needs_evidence(rating):
            return EvidenceStatus.NOT_REQUIRED
        if self.gives_evidence(evidence) or self.cites_document(note):
            return EvidenceStatus.EVIDENCED
        return EvidenceStatus.MISSING

    @property
    def fingerprint(self) -> str:
        """A digest of the rule: stored statuses made under another rule are made again (``Store.open``)."""
        parts = [sorted(r.value for r in self.required), sorted(self.placeholders),
                 [p.pattern for p in self.document_references]]
        return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def load_rule(path: Path = RULE_FILE) -> EvidenceRule:
    """The rule in ``path``; a missing key, an unknown rating or a pattern that is not a regular expression is
    refused with :class:`EvidenceRuleError`, never guessed."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise EvidenceRuleError(f"{path}: {err}") from err
    for key in ("required", "placeholders", "document_references"):
        if not isinstance(raw.get(key), list) or not all(isinstance(v, str) for v in raw[key]):
            raise EvidenceRuleError(f"{path}: '{key}' must be a list of texts")
    scored = {Rating.RED, Rating.YELLOW, Rating.GREEN}
    required = set()
    for name in raw["required"]:
        if name not in {r.value for r in scored}:
            raise EvidenceRuleError(f"{path}: 'required' names '{name}'; use red, yellow or green")
        required.add(Rating(name))
    patterns = []
    for text in raw["document_references"]:
        try:
            patterns.append(re.compile(text))
        except re.error as err:
            raise EvidenceRuleError(f"{path}: 'document_references' holds {text!r}, not a regular expression: {err}") from err
    return EvidenceRule(frozenset(required), frozenset(fold(p) or p.strip() for p in raw["placeholders"]),
                        tuple(patterns))


@cache
def default_rule() -> EvidenceRule:
    """The rule of ``data/catalogue/evidence.toml``, read once per process."""
    return load_rule()
