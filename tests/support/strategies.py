"""Hypothesis strategies for return workbooks: layouts a clerk might send and what the return holds.

A drawn :class:`Form` carries a layout description (:class:`lgqa_metrics.synthetic.forms.FormLayout`) and the content
(:class:`lgqa_metrics.synthetic.forms.FormContent`); what a test expects to read back comes from the content drawn
here, never from the reader. Header titles are drawn from the synonyms a unit may write, the ambiguous
pairs among them ("Chỉ số" over codes or over names, "Mục" over row numbers, "Nội dung đánh giá" over
names, "Căn cứ đánh giá" over evidence).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import strategies as st

from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.synthetic import forms
from lgqa_metrics.synthetic.forms import Column, Entry, FormContent, FormLayout
from tests.support.builders import CODES

#: Titles a unit writes over each column (Vietnamese, PAR-index and English wording).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "stt": ("STT", "TT", "Số TT", "Mục", "No."),
    "code": ("Mã chỉ số", "Mã", "Chỉ số", "Mã số", "Code", "Ký hiệu"),
    "name": ("Tên chỉ số", "Nội dung chỉ số", "Nội dung đánh giá", "Tiêu chí", "Chỉ số", "Indicator", "Nội dung"),
    "code_name": ("Chỉ số", "Tên chỉ số", "Nội dung", "Tiêu chí"),
    "rating": ("Kết quả tự đánh giá", "Mức đánh giá", "Tự chấm", "Kết quả", "Đánh giá", "Rating", "Xếp loại"),
    "evidence": ("Minh chứng", "Tài liệu kiểm chứng", "Căn cứ đánh giá", "Minh chứng kèm theo", "Evidence"),
    "note": ("Ghi chú", "Giải trình", "Notes", "Ghi chú / giải trình", "Lý do"),
}
#: Columns a form may carry besides the indicator's: their title and what they hold.
EXTRA_COLUMNS: tuple[tuple[str, object], ...] = (("Phòng chủ trì", "Văn phòng HĐND-UBND"), ("Trọng số", 1),
                                                 ("Đơn vị phối hợp", "Phòng Nội vụ"))
EVIDENCE: tuple[str, ...] = (
    "QĐ số 112/QĐ-UBND ngày 12/3/2023", "Kế hoạch số 45/KH-UBND", "Báo cáo số 201/BC-UBND ngày 5/12/2023",
    "Biên bản kiểm tra ngày 20/9/2023", "Nghị quyết số 09/NQ-HĐND; Thông báo số 17/TB-UBND", "Cổng TTĐT của quận",
    "Biên bản xác nhận của UBND xã", "Sổ theo dõi 2023 (bản scan)")
NOTES: tuple[str, ...] = (
    "Chưa ban hành kế hoạch triển khai", "Nguồn lực, kinh phí còn hạn chế", "Đang hoàn thiện hồ sơ",
    "Địa bàn không có điểm du lịch", "Chưa tổ chức khảo sát sự hài lòng của người dân", "Một số tiêu chí chưa đạt")
COLOURS = (Rating.RED, Rating.YELLOW, Rating.GREEN, Rating.NA)


@dataclass(frozen=True)
class Form:
    """A drawn return: its layout and content, and what reading it must give (code → rating, evidence, note)."""

    layout: FormLayout
    content: FormContent

    def expected(self) -> dict[str, tuple[Rating, str, str]]:
        """Each of the 39 indicators as the return holds it (an indicator without a row is missing)."""
        roles = {c.role for c in self.layout.columns}
        out: dict[str, tuple[Rating, str, str]] = {}
        for code in CODES:
            entry = self.content.entries.get(code)
            if entry is None:
                out[code] = (Rating.MISSING, "", "")
            else:
                out[code] = (entry.rating, entry.evidence.strip() if "evidence" in roles else "",
                             entry.note.strip() if "note" in roles else "")
        return out

    def data(self) -> bytes:
        """The workbook's bytes."""
        return forms.write_return(self.layout, self.content)


@st.composite
def columns(draw: st.DrawFn, *, code_style: str, rating_style: str) -> tuple[Column, ...]:
    """The table's columns in a drawn order, each under a drawn synonym."""
    def title(role: str) -> str:
        return draw(st.sampled_from(SYNONYMS[role]))

    key: list[Column] = []
    if code_style in ("text", "number"):
        key.append(Column("code", title("code")))
        if draw(st.booleans()) or code_style == "number":
            key.append(Column("name", title("name")))
    elif code_style == "in_name":
        key.append(Column("code_name", title("code_name")))
    else:
        key.append(Column("name", title("name")))
    if len(key) == 2 and draw(st.booleans()):  # "Chỉ số" over "Mã" | "Tên"
        key = [Column("code", draw(st.sampled_from(("Mã", "Mã số"))), "Chỉ số"),
               Column("name", draw(st.sampled_from(("Tên", "Nội dung"))), "Chỉ số")]
    if rating_style == "mark":
        group = draw(st.sampled_from(("Kết quả tự đánh giá", "Mức đánh giá", "Kết quả")))
        rating = [Column("mark", forms.WORDS_VI[r], group, r) for r in COLOURS]
    else:
        rating = [Column("rating", title("rating"))]
    rest = [Column(role, title(role)) for role in ("evidence", "note") if draw(st.booleans())]
    if draw(st.booleans()):
        rest.insert(0, Column("stt", title("stt")))
    extras = draw(st.lists(st.sampled_from(EXTRA_COLUMNS), max_size=1, unique=True))
    rest += [Column("extra", t, value=v) for t, v in extras]
    blocks = [key, rating, *([c] for c in rest)]
    order = draw(st.permutations(range(len(blocks))))
    return tuple(c for i in order for c in blocks[i])


@st.composite
def layouts(draw: st.DrawFn) -> FormLayout:
    """A layout: columns, code and rating styles, rows around the table, Unicode form, sheets."""
    code_style = draw(st.sampled_from(("text", "text", "number", "in_name", "absent")))
    rating_style = draw(st.sampled_from(("word", "word", "mark", "fill")))
    cols = draw(columns(code_style=code_style, rating_style=rating_style))
    english = draw(st.booleans())
    return FormLayout(
        cols,
        code_style=code_style,
        code_form=draw(st.sampled_from(("{code}", "{code}", "CS {code}"))),
        code_name_form=draw(st.sampled_from(forms.CODE_NAME_FORMS)),
        words=dict(forms.WORDS_EN if english else forms.WORDS_VI),
        mark=draw(st.sampled_from(("x", "X", "✓"))),
        fills=dict(draw(st.sampled_from((forms.LIGHT_FILLS, forms.STANDARD_FILLS)))),
        rating_by_fill=rating_style == "fill",
        groups=draw(st.booleans()) or code_style == "number",
        numbering_row=draw(st.booleans()),
        summary=draw(st.booleans()) and rating_style == "word",
        signature=draw(st.booleans()),
        blank_after=tuple(draw(st.lists(st.integers(0, 38), max_size=3, unique=True))),
        hidden_after=tuple(draw(st.lists(st.integers(0, 38), max_size=2, unique=True))),
        nfd=draw(st.booleans()),
        trailing_space=draw(st.booleans()),
        per_quadrant=draw(st.integers(0, 5)) == 0,
        block_sheet=draw(st.integers(0, 3)),
    )


@st.composite
def contents(draw: st.DrawFn, layout: FormLayout, *, deleted: int = 3) -> FormContent:
    """What the return holds: a rating per indicator (a few not assessed), evidence and notes, up to
    ``deleted`` indicators whose rows were deleted."""
    allowed = [Rating.RED, Rating.YELLOW, Rating.GREEN, Rating.MISSING]
    if not layout.rating_by_fill:
        allowed.append(Rating.NA)
    gone = set(draw(st.lists(st.sampled_from(CODES), max_size=deleted, unique=True)))
    # One draw of three bytes per indicator (rating, evidence, note) rather than three to five draws each: the
    # drawing, not the reading, was most of a property's time; bytes shrink towards the first choice of each.
    picks = draw(st.binary(min_size=3 * len(CODES), max_size=3 * len(CODES)))
    entries: dict[str, Entry] = {}
    for i, code in enumerate(CODES):
        if code in gone:
            continue
        rating_pick, evidence_pick, note_pick = picks[3 * i:3 * i + 3]
        rating = allowed[rating_pick % len(allowed)]
        evidence = EVIDENCE[evidence_pick // 2 % len(EVIDENCE)] if evidence_pick % 2 else ""
        note = NOTES[note_pick // 2 % len(NOTES)] if rating in (Rating.RED, Rating.YELLOW) and note_pick % 2 else ""
        entries[code] = Entry(rating, evidence, note)
    if all(e.rating is Rating.MISSING for e in entries.values()):
        first = next(iter(entries))
        entries[first] = replace(entries[first], rating=Rating.GREEN)
    return FormContent(entries)


@st.composite
def forms_(draw: st.DrawFn) -> Form:
    """A drawn return."""
    layout = draw(layouts())
    return Form(layout, draw(contents(layout)))
