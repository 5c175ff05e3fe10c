"""Synthetic demo returns: a deterministic generator of self-assessment workbooks for the pilot units.

Everything here is **synthetic** (made up from a fixed seed); each workbook says so in its document
properties and in a visible cell of its header block ("DỮ LIỆU MINH HỌA / SYNTHETIC DEMO DATA").

The generator writes the returns of the first three units of each type in the registry (quận,
huyện, phường, xã) valid in 2022 and 2023, in several layouts typical of Vietnamese administrative
forms, so that the reader is exercised on each of them:

* ``A`` — the project's own template (:func:`lgqa_metrics.services.template.build_template`) filled in with
  openpyxl (one variant typed on a Mac: NFD Unicode and trailing spaces);
* ``B`` — an administrative form: issuing body and national motto, merged title, a two-row header
  with one column per colour marked with "x", quadrant rows in Roman numerals, a signature block;
* ``C`` — ratings shown only by cell fill, codes typed into numeric cells (1.10 becomes 1.1), an
  instructions sheet first, a hidden column and COUNTIF summary rows under the table;
* ``D`` — one workbook with the three xã returns of a year, one sheet per unit;
* ``E`` — English headers and words (Red/Amber/Green/N/A).

Some returns are converted to ``.xls`` and ``.ods`` by LibreOffice headless (``soffice``) when it is
installed; the committed ``data/samples`` were made that way (see the README written next to them).
Regenerate with ``python -m lgqa_metrics.synthetic.demo [folder]``; :func:`expected_ratings` gives what the
files hold, so tests compare what was ingested with what was generated.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import io
import random
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import openpyxl
from openpyxl.packaging.custom import BoolProperty, StringProperty
from openpyxl.styles import Alignment, Font

from lgqa_metrics.domain.catalogue import Catalogue, Indicator, default_catalogue
from lgqa_metrics.domain.paths import SAMPLES_DIR
from lgqa_metrics.domain.ratings import COLOURS, Rating
from lgqa_metrics.domain.textnorm import fold
from lgqa_metrics.domain.units import REPORTING_TYPES, TYPE_LABELS, Unit, UnitRegistry, UnitType, default_registry
from lgqa_metrics.services.template import DATA_SHEET, HEADER_ROW, build_template
from lgqa_metrics.synthetic.forms import (
    STANDARD_FILLS,
    WORDS_VI,
    Column,
    FormContent,
    FormLayout,
    Group,
    Line,
    Row,
    Span,
    Total,
    write_returns,
)

SEED: Final = 18091
YEARS: Final = (2022, 2023)
UNITS_PER_TYPE: Final = 3
BANNER: Final = "DỮ LIỆU MINH HỌA / SYNTHETIC DEMO DATA"
SOFFICE_TIMEOUT: Final = 240.0
#: Fixed timestamp written into every generated file so that regenerating gives the same bytes.
_STAMP: Final = dt.datetime(2024, 1, 15, 8, 0, 0)
_README: Final = "README.md"
_README_HEAD: Final = "# Synthetic demo returns"
_MOTTO: Final = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
_TITLE: Final = "BÁO CÁO KẾT QUẢ TỰ ĐÁNH GIÁ CHẤT LƯỢNG QUẢN LÝ TOÀN DIỆN THEO 39 CHỈ SỐ TCVN ISO 18091:2020"

# --- the synthetic content ------------------------------------------------------------------------

#: Chance of green and of yellow in a 2022 return, by unit type (the rest is red).
LEVELS: Final[dict[UnitType, tuple[float, float]]] = {
    UnitType.QUAN: (0.62, 0.30),
    UnitType.HUYEN: (0.47, 0.38),
    UnitType.PHUONG: (0.45, 0.40),
    UnitType.XA: (0.27, 0.45),
}
#: Indicators a unit type marks not applicable: always, and sometimes (a coin toss per unit).
NOT_APPLICABLE: Final[dict[UnitType, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    UnitType.QUAN: ((), ("2.7",)),
    UnitType.HUYEN: ((), ()),
    UnitType.PHUONG: (("1.4", "2.7"), ("2.5",)),
    UnitType.XA: (("1.4", "2.5", "4.5"), ("3.3",)),
}
NA_REASONS: Final = {
    "1.4": "Ngân sách do cấp trên phân bổ, đơn vị không tự chủ tài khóa",
    "2.5": "Địa bàn không có điểm du lịch, không phát sinh hoạt động du lịch",
    "2.7": "Địa bàn không còn đất sản xuất nông nghiệp",
    "3.3": "Địa bàn không có người di cư, đồng bào dân tộc thiểu số",
    "4.5": "Quy hoạch đô thị do cấp huyện thực hiện",
}
EVIDENCE_FORMS: Final = (
    "QĐ số {n}/QĐ-UBND ngày {d}/{m}/{y}",
    "Kế hoạch số {n}/KH-UBND ngày {d}/{m}/{y}",
    "Báo cáo số {n}/BC-UBND ngày {d}/{m}/{y}",
    "Nghị quyết số {n}/NQ-HĐND ngày {d}/{m}/{y}",
    "Thông báo số {n}/TB-UBND ngày {d}/{m}/{y}",
    "Biên bản kiểm tra ngày {d}/{m}/{y}",
)
NOTES: Final[dict[Rating, tuple[str, ...]]] = {
    Rating.RED: (
        "Chưa ban hành kế hoạch triển khai; dự kiến hoàn thành trong quý II/{next}",
        "Chưa có cơ sở dữ liệu theo dõi, chưa đánh giá được kết quả",
        "Kinh phí chưa được bố trí trong dự toán năm {y}",
        "Chưa tổ chức khảo sát sự hài lòng của người dân",
    ),
    Rating.YELLOW: (
        "Một số tiêu chí thành phần chưa đạt",
        "Nguồn lực, kinh phí còn hạn chế",
        "Đang hoàn thiện hồ sơ, số liệu chưa đầy đủ",
        "Tỷ lệ hồ sơ trực tuyến toàn trình còn thấp",
        "Đã triển khai nhưng chưa kiểm tra, đánh giá định kỳ",
    ),
}
MISSING_NOTE: Final = "Chưa tổng hợp được số liệu"
#: How each unit's ratings move from 2022 to 2023, by its position within its type.
_TRENDS: Final[dict[UnitType, tuple[str, str, str]]] = {
    UnitType.QUAN: ("improve", "same", "decline"),
    UnitType.HUYEN: ("improve", "decline", "improve"),
    UnitType.PHUONG: ("same", "improve", "decline"),
    UnitType.XA: ("improve", "improve", "decline"),
}
#: Returns left partly blank: (unit type, position, year) -> how many indicators are not rated.
_BLANKS: Final[dict[tuple[UnitType, int, int], int]] = {
    (UnitType.XA, 2, 2022): 2,
    (UnitType.PHUONG, 2, 2023): 1,
}


@dataclass(frozen=True, slots=True)
class DemoEntry:
    """One indicator of a synthetic return as generated."""

    code: str
    rating: Rating
    evidence: str = ""
    note: str = ""


@dataclass(frozen=True)
class DemoReturn:
    """One synthetic return (one unit, one year), its entries in catalogue order."""

    unit: Unit
    year: int
    entries: tuple[DemoEntry, ...]

    def ratings(self) -> dict[str, str]:
        """Code -> rating word (red/yellow/green/na/missing)."""
        return {e.code: e.rating.value for e in self.entries}

    def greens(self) -> int:
        """How many indicators are green."""
        return sum(1 for e in self.entries if e.rating is Rating.GREEN)


def pilot_units(registry: UnitRegistry | None = None) -> list[Unit]:
    """The first :data:`UNITS_PER_TYPE` registered units of each type valid in every demo year."""
    registry = registry or default_registry()
    chosen: list[Unit] = []
    for utype in REPORTING_TYPES:
        pool = [u for u in registry.units if u.type is utype and all(u.valid_in(y) for y in YEARS)]
        if len(pool) < UNITS_PER_TYPE:
            raise ValueError(f"the registry holds {len(pool)} units of type {utype} valid in {YEARS}, "
                             f"the demo needs {UNITS_PER_TYPE}")
        chosen.extend(pool[:UNITS_PER_TYPE])
    return chosen


def _position(unit: Unit, units: Sequence[Unit]) -> int:
    return [u.id for u in units if u.type is unit.type].index(unit.id)


def _step(rating: Rating, delta: int) -> Rating:
    return COLOURS[max(0, min(2, COLOURS.index(rating) + delta))]


def _draw(rng: random.Random, green: float, yellow: float) -> Rating:
    x = rng.random()
    return Rating.GREEN if x < green else Rating.YELLOW if x < green + yellow else Rating.RED


def _evolve(before: Mapping[str, Rating], trend: str, rng: random.Random) -> dict[str, Rating]:
    """Next year's ratings: ``improve`` lifts a few (at least two yellows to green) and lets one slip,
    ``decline`` the reverse, ``same`` keeps every rating."""
    after = dict(before)
    if trend == "same":
        return after
    up = 1 if trend == "improve" else -1
    edge = Rating.YELLOW if up > 0 else Rating.GREEN
    limit = Rating.GREEN if up > 0 else Rating.RED
    movable = [c for c, r in before.items() if r in COLOURS and r is not limit]
    crossing = [c for c in movable if before[c] is edge]
    chosen = rng.sample(crossing, min(2, len(crossing)))
    rest = [c for c in movable if c not in chosen]
    chosen += rng.sample(rest, min(len(rest), rng.randint(2, 4)))
    for code in chosen:
        after[code] = _step(before[code], up)
    floor = Rating.RED if up > 0 else Rating.GREEN  # the counter-move goes the other way
    against = [c for c, r in before.items() if r in COLOURS and c not in chosen and r is not floor]
    if against:
        code = rng.choice(against)
        after[code] = _step(before[code], -up)
    return after


def _evidence(rng: random.Random, year: int, rating: Rating) -> str:
    if rating is Rating.RED and rng.random() < 0.5:
        return ""
    docs = []
    for _ in range(2 if rating is Rating.GREEN and rng.random() < 0.3 else 1):
        form = rng.choice(EVIDENCE_FORMS)
        docs.append(form.format(n=rng.randint(12, 480), d=rng.randint(1, 28), m=rng.randint(1, 12), y=year))
    return "; ".join(docs)


def _note(rng: random.Random, year: int, code: str, rating: Rating, level: str) -> str:
    if rating is Rating.NA:
        return NA_REASONS.get(code, f"Không thuộc thẩm quyền của cấp {level}")
    pool = NOTES.get(rating)
    return rng.choice(pool).format(y=year, next=year + 1) if pool else ""


def _unit_returns(unit: Unit, position: int, catalogue: Catalogue) -> list[DemoReturn]:
    rng = random.Random(f"{SEED}/{unit.id}")
    green, yellow = LEVELS[unit.type]
    green += rng.uniform(-0.07, 0.07)
    always, sometimes = NOT_APPLICABLE[unit.type]
    na = set(always) | {c for c in sometimes if rng.random() < 0.5}
    ratings = {c: Rating.NA if c in na else _draw(rng, green, yellow) for c in catalogue.codes}
    level = TYPE_LABELS[unit.type][0].lower()
    out: list[DemoReturn] = []
    for i, year in enumerate(YEARS):
        if i:
            ratings = _evolve(ratings, _TRENDS[unit.type][position], rng)
        blanks = set(rng.sample([c for c, r in ratings.items() if r is not Rating.NA],
                                _BLANKS.get((unit.type, position, year), 0)))
        entries = []
        for code, rating in ratings.items():
            if code in blanks:
                entries.append(DemoEntry(code, Rating.MISSING, "", MISSING_NOTE if rng.random() < 0.5 else ""))
            else:
                entries.append(DemoEntry(code, rating, _evidence(rng, year, rating) if rating in COLOURS else "",
                                         _note(rng, year, code, rating, level)))
        out.append(DemoReturn(unit, year, tuple(entries)))
    return out


@functools.cache
def demo_returns() -> tuple[DemoReturn, ...]:
    """All synthetic returns (pilot units × :data:`YEARS`), from the default registry and catalogue."""
    units = pilot_units()
    catalogue = default_catalogue()
    return tuple(r for u in units for r in _unit_returns(u, _position(u, units), catalogue))


def expected_ratings() -> dict[tuple[str, int], dict[str, str]]:
    """(unit_id, year) -> {code: red/yellow/green/na/missing}: what the generated files hold."""
    return {(r.unit.id, r.year): r.ratings() for r in demo_returns()}


# --- shared workbook helpers ----------------------------------------------------------------------


def _properties(what: str) -> dict[str, str]:
    return {
        "title": f"{BANNER} – {what}",
        "subject": "SYNTHETIC DEMO DATA – TCVN ISO 18091:2020 self-assessment (not a real return)",
        "author": "lgqa_metrics.synthetic.demo",
        "keywords": "SYNTHETIC; demo; dữ liệu minh họa; ISO 18091",
        "comments": f"Synthetic demo data generated by lgqa_metrics.synthetic.demo (seed {SEED}). Not a real return.",
    }


def _reproducible(data: bytes) -> bytes:
    """Rewrite an xlsx zip with fixed entry times and fixed created/modified properties."""
    stamp = _STAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = body.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rf"\g<1>{stamp}\g<2>", text)
                body = text.encode("utf-8")
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=_STAMP.timetuple()[:6]), body,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _ascii_camel(text: str) -> str:
    """"Quận Hồng Bàng" -> "QuanHongBang"."""
    return "".join(w.capitalize() for w in fold(text).replace("-", " ").split())


def _on_mac(text: str) -> str:
    """Text as a Mac user leaves it: NFD Unicode and a trailing space."""
    return unicodedata.normalize("NFD", text) + " " if text else text


def _upper(text: str) -> str:
    return unicodedata.normalize("NFC", text.upper())


def _book(forms: Sequence[tuple[FormLayout, FormContent]], what: str, instructions: Sequence[str] = ()) -> bytes:
    """The returns written by the layout generator into one workbook marked as synthetic, with reproducible bytes."""
    return _reproducible(write_returns(
        forms, properties={**_properties(what), "created": _STAMP}, instructions=instructions,
        custom={"Synthetic": True, "Generator": f"lgqa_metrics.synthetic.demo seed={SEED}"}))


def _lines(ret: DemoReturn, row: Callable[[Indicator, DemoEntry], Row], *, english: bool = False) -> list[Line]:
    """A quadrant's group row, then one row per indicator (as ``row`` types it), quadrant by quadrant."""
    cat = default_catalogue()
    by_code = {e.code: e for e in ret.entries}
    out: list[Line] = []
    for number in cat.quadrants:
        out.append(Group(number, english))
        out.extend(row(ind, by_code[ind.code]) for ind in cat.in_quadrant(number))
    return out


def _national_block(ret: DemoReturn, split: int, width: int, title: str) -> list[Span]:
    """Issuing body left of ``split`` (superior body first, the unit itself bold and underlined), the motto right
    of it, the document number, place and date, the synthetic-data notice, ``title`` and the year."""
    body, last = _issuing_body(ret.unit), width - 1
    spans = [Span(row, 0, split - 1, line, "bold_u" if row == len(body) - 1 else "plain_c")
             for row, line in enumerate(body)]
    return [*spans, Span(2, 0, split - 1, _doc_number(ret), "plain_c"), Span(0, split, last, _MOTTO[0], "bold_c"),
            Span(1, split, last, _MOTTO[1], "bold_u"), Span(2, split, last, _dated(ret.unit, ret.year), "italic_c"),
            Span(3, 0, last, BANNER, "banner"), Span(4, 0, last, title, "title"),
            Span(5, 0, last, f"Năm {ret.year}", "italic_c")]


def _signatures(left: tuple[int, int], right: tuple[int, int]) -> list[Span]:
    """The signature block: the preparer on the left, the chair on the right."""
    return [Span(0, *left, "NGƯỜI LẬP BIỂU", "bold_c"), Span(0, *right, "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", "bold_c"),
            Span(1, *left, "(Ký, ghi rõ họ tên)", "italic_c"), Span(1, *right, "(Ký tên, đóng dấu)", "italic_c"),
            Span(5, *left, "Nguyễn Văn Minh Họa", "bold_c"), Span(5, *right, "Trần Thị Mẫu", "bold_c")]


def _dated(unit: Unit, year: int) -> str:
    return f"{unit.bare_name}, ngày 15 tháng 01 năm {year + 1}"


def _issuing_body(unit: Unit) -> tuple[str, ...]:
    """("UBND HUYỆN AN LÃO", "UBND XÃ AN THẮNG") under a superior unit, else ("UBND QUẬN LÊ CHÂN",)."""
    parent = default_registry().get(unit.parent_id) if unit.parent_id else None
    own = f"UBND {_upper(unit.name)}"
    return (f"UBND {_upper(parent.name)}", own) if parent else (own,)


def _doc_number(ret: DemoReturn) -> str:
    return f"Số: {17 + sum(map(ord, ret.unit.id)) % 80}/BC-UBND"


def _what(ret: DemoReturn) -> str:
    return f"{ret.unit.name} – năm {ret.year}"


# --- layout A: the project template, filled in with openpyxl -----------------------------------------


def _banner_in_first_empty_row(ws: Any, first: int, last: int) -> None:
    """Write :data:`BANNER` across the first empty row between ``first`` and ``last`` (1-based)."""
    row = next((r for r in range(first, last + 1) if all(c.value in (None, "") for c in ws[r])), None)
    if row is None:
        raise ValueError(f"no empty row for the synthetic-data notice in sheet {ws.title!r}")
    cell = ws.cell(row, 1, BANNER)
    cell.font = Font(name="Times New Roman", size=12, bold=True, italic=True, color="C00000")
    cell.alignment = Alignment(horizontal="center" if ws.max_column > 1 else "left")
    if ws.max_column > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ws.max_column)


def layout_template(ret: DemoReturn, *, mac: bool = False) -> bytes:
    """Layout A: the project's template filled in with openpyxl (``mac``: NFD text, trailing spaces)."""
    cat = default_catalogue()
    book = openpyxl.load_workbook(io.BytesIO(build_template(ret.unit, ret.year, cat)))
    ws = book[DATA_SHEET]
    header = {fold(c.value): c.column for c in ws[HEADER_ROW + 1] if c.value}
    cols = {role: next(col for title, col in header.items() if title.startswith(prefix))
            for role, prefix in (("code", "ma chi so"), ("rating", "ket qua"), ("evidence", "minh chung"),
                                 ("note", "ghi chu"))}
    for sheet in book.worksheets:  # the data sheet's header block and the instructions sheet
        _banner_in_first_empty_row(sheet, 3 if sheet is ws else 2, HEADER_ROW)
    rows = {ws.cell(r, cols["code"]).value: r for r in range(HEADER_ROW + 2, ws.max_row + 1)}
    words = {r: cat.scale[r].label_vi for r in (*COLOURS, Rating.NA)}
    typed = _on_mac if mac else str
    for entry in ret.entries:
        r = rows[entry.code]
        if entry.rating is not Rating.MISSING:
            ws.cell(r, cols["rating"], typed(words[entry.rating]))
        for role, text in (("evidence", entry.evidence), ("note", entry.note)):
            if text:
                ws.cell(r, cols[role], typed(text))
    props = _properties(_what(ret))
    book.properties.title = props["title"]
    book.properties.subject = props["subject"]
    book.properties.creator = props["author"]
    book.properties.keywords = props["keywords"]
    book.properties.description = props["comments"]
    book.properties.created = _STAMP
    book.custom_doc_props.append(BoolProperty(name="Synthetic", value=True))
    book.custom_doc_props.append(StringProperty(name="Generator", value=f"lgqa_metrics.synthetic.demo seed={SEED}"))
    buf = io.BytesIO()
    book.save(buf)
    return _reproducible(buf.getvalue())


# --- layout B: administrative form with one column per colour ------------------------------------------

_B_COLOURS: Final = (Rating.RED, Rating.YELLOW, Rating.GREEN, Rating.NA)
_B_LAYOUT: Final = FormLayout(
    (Column("stt", "STT", width=6), Column("code", "Mã chỉ số", width=9), Column("name", "Tên chỉ số", width=46),
     *(Column("mark", WORDS_VI[rating], "Kết quả tự đánh giá", rating, width=width)
       for rating, width in zip(_B_COLOURS, (7, 7, 8, 11), strict=True)),
     Column("evidence", "Minh chứng (tài liệu kiểm chứng)", width=42),
     Column("note", "Ghi chú (giải trình)", width=34)),
    sheet_name="Báo cáo", summary=False)


def layout_admin_form(ret: DemoReturn) -> bytes:
    """Layout B: motto block, merged title, two-row header with an "x" per colour, Roman quadrant rows,
    signature block."""
    lines = _lines(ret, lambda ind, e: Row(ind.code, ind.name_vi, evidence=e.evidence, note=e.note,
                                           marks={e.rating: "x"}))
    content = FormContent({}, lines=lines, block=_national_block(ret, 3, len(_B_LAYOUT.columns), _TITLE),
                          footer=_signatures((0, 2), (6, 8)))
    return _book([(_B_LAYOUT, content)], _what(ret))


# --- layout C: ratings by fill only, numeric codes, instructions first, hidden column, COUNTIF rows -------

_C_INSTRUCTIONS: Final = (
    "HƯỚNG DẪN ĐIỀN BIỂU 01-TĐG (TỰ ĐÁNH GIÁ THEO TCVN ISO 18091:2020)",
    "1. Tại cột kết quả, tô màu nền ô theo mức tự đánh giá của đơn vị: đỏ, vàng hoặc xanh lá; không ghi chữ vào ô.",
    "2. Chỉ số không thuộc thẩm quyền của đơn vị thì ghi chữ \"Không áp dụng\" và không tô màu ô đó.",
    "3. Cột minh chứng ghi số, ký hiệu, ngày ban hành của văn bản, tài liệu chứng minh kết quả tự đánh giá.",
    "4. Không sửa công thức ở các dòng tổng hợp phía dưới biểu; cột phòng chủ trì dùng nội bộ, được ẩn khi gửi.",
    BANNER,
)
_C_OFFICES: Final = ("Văn phòng HĐND-UBND", "Phòng Nội vụ", "Phòng Tài chính - Kế hoạch", "Phòng Văn hóa - Thông tin",
                     "Phòng Tài nguyên và Môi trường", "Phòng Kinh tế", "Phòng Lao động - TB&XH")
_C_LAYOUT: Final = FormLayout(
    (Column("stt", "TT", width=6), Column("code", "Mã số", width=8), Column("name", "Tên chỉ số", width=46),
     Column("rating", "Kết quả (tô màu)", width=14), Column("extra", "Phòng chủ trì", hidden=True, width=26),
     Column("evidence", "Minh chứng", width=42), Column("note", "Ghi chú", width=34)),
    sheet_name="Biểu 01-TĐG", header_row=6, group_upper=False, summary=False)


def layout_fill_only(ret: DemoReturn) -> bytes:
    """Layout C: instructions sheet first; colours as cell fills only; codes as numbers; a hidden column;
    COUNTIF summary rows under the table."""
    scale = default_catalogue().scale
    na_word = scale[Rating.NA].label_vi
    last = len(_C_LAYOUT.columns) - 1
    block = [Span(0, 0, last, "BIỂU 01-TĐG: TỰ ĐÁNH GIÁ 39 CHỈ SỐ THEO TCVN ISO 18091:2020", "title"),
             Span(1, 0, last, BANNER, "banner"), Span(2, 0, 0, "Tên đơn vị:", "bold"),
             Span(2, 1, 2, ret.unit.name, "bold"), Span(3, 0, 0, "Năm báo cáo:", "bold"), Span(3, 1, 1, ret.year),
             Span(4, 0, 0, "Chú thích màu:", "bold"),
             *(Span(4, col, col, scale[rating].label_vi, f"fill:{STANDARD_FILLS[rating]}")
               for col, rating in enumerate(COLOURS, start=1))]
    rng = random.Random(f"{SEED}/C/{ret.unit.id}")

    def row(ind: Indicator, e: DemoEntry) -> Row:  # the code typed as a number: 1.10 becomes 1.1
        return Row(float(ind.code), ind.name_vi, na_word if e.rating is Rating.NA else None, e.evidence, e.note,
                   STANDARD_FILLS.get(e.rating), extra=rng.choice(_C_OFFICES))

    total = len(ret.entries)
    na = sum(1 for e in ret.entries if e.rating is Rating.NA)
    totals = [Total("Tổng số chỉ số", "=COUNT(B{first}:B{last})", total, 3),
              Total("Số chỉ số không áp dụng", f'=COUNTIF(D{{first}}:D{{last}},"{na_word}")', na, 3),
              Total("Tỷ lệ chỉ số không áp dụng", "=D{previous}/D{first_total}", na / total, 3, percent=True)]
    content = FormContent({}, lines=_lines(ret, row), block=block, totals=totals,
                          footer=[Span(0, 0, 0, "Người lập biểu: Nguyễn Văn Minh Họa", "bold")])
    return _book([(_C_LAYOUT, content)], _what(ret), _C_INSTRUCTIONS)


# --- layout D: one workbook, one sheet per xã ------------------------------------------------------------

_D_WORDS: Final = {Rating.RED: "Đỏ", Rating.YELLOW: "Vàng", Rating.GREEN: "Xanh", Rating.NA: "KAD", Rating.MISSING: ""}
_D_COLUMNS: Final = (Column("stt", "STT", width=6), Column("code", "Mã số", width=8),
                     Column("name", "Nội dung chỉ số", width=46), Column("rating", "Mức đánh giá", width=12),
                     Column("evidence", "Tài liệu kiểm chứng", width=42), Column("note", "Giải trình", width=34))


def layout_commune_book(rets: Sequence[DemoReturn]) -> bytes:
    """Layout D: the returns of several units (the xã of one year), one sheet named after each unit."""
    forms = []
    for ret in rets:
        layout = FormLayout(_D_COLUMNS, sheet_name=ret.unit.name, group_from=2, summary=False)
        lines = _lines(ret, lambda ind, e: Row(ind.code, ind.name_vi, _D_WORDS[e.rating], e.evidence, e.note))
        block = _national_block(ret, 3, len(_D_COLUMNS), "KẾT QUẢ TỰ ĐÁNH GIÁ THEO TCVN ISO 18091:2020")
        forms.append((layout, FormContent({}, lines=lines, block=block, footer=_signatures((0, 2), (3, 5)))))
    return _book(forms, f"{len(rets)} xã – năm {rets[0].year}")


# --- layout E: English headers and words ------------------------------------------------------------------

_E_WORDS: Final = {Rating.RED: "Red", Rating.YELLOW: "Amber", Rating.GREEN: "Green", Rating.NA: "N/A",
                   Rating.MISSING: ""}
_E_LAYOUT: Final = FormLayout(
    (Column("code", "Code", width=8), Column("name", "Indicator", width=50), Column("rating", "Rating", width=10),
     Column("evidence", "Evidence", width=42), Column("note", "Notes", width=34)),
    sheet_name="Self-assessment", header_row=6, group_upper=False, summary=False)


def layout_english(ret: DemoReturn) -> bytes:
    """Layout E: an English form, "Code | Indicator | Rating | Evidence | Notes", Red/Amber/Green/N/A."""
    last = len(_E_LAYOUT.columns) - 1
    block = [Span(0, 0, last, f"People's Committee of {ret.unit.name_en}", "bold"),
             Span(1, 0, last, "TCVN ISO 18091:2020 self-assessment return (39 indicators)", "title"),
             Span(2, 0, last, BANNER, "banner"), Span(3, 0, 0, "Unit:", "bold"), Span(3, 1, 2, ret.unit.name_en),
             Span(4, 0, 0, "Year:", "bold"), Span(4, 1, 1, ret.year)]
    lines = _lines(ret, lambda ind, e: Row(ind.code, ind.name_en, _E_WORDS[e.rating], e.evidence, e.note),
                   english=True)
    content = FormContent({}, lines=lines, block=block,
                          footer=[Span(0, 0, 0, "Prepared by: Nguyen Van Minh Hoa (synthetic)", "bold")])
    return _book([(_E_LAYOUT, content)], f"{ret.unit.name_en} – {ret.year}")


# --- the plan: which unit gets which layout, file name and conversion -------------------------------------


@dataclass(frozen=True, slots=True)
class _Slot:
    layout: str
    name: str  # format: {id} {camel} {bare} {name_en} {year}
    convert: Mapping[int, str] = field(default_factory=dict)


_SINGLE: Final[dict[str, Callable[[DemoReturn], bytes]]] = {
    "A": layout_template,
    "A-mac": functools.partial(layout_template, mac=True),
    "B": layout_admin_form,
    "C": layout_fill_only,
    "E": layout_english,
}
_LAYOUT_NOTES: Final = {
    "A": "project template filled in with openpyxl",
    "A-mac": "project template, typed on a Mac (NFD Unicode, trailing spaces)",
    "B": "administrative form: motto block, two-row header, one column per colour marked x, signature",
    "C": "colours as cell fills only, numeric codes, instructions sheet first, hidden column, COUNTIF rows",
    "D": "one workbook, one sheet per xã",
    "E": "English headers and words (Red/Amber/Green/N/A)",
}
#: Slot of each unit by type and position within its type.
_PLAN: Final[dict[UnitType, tuple[_Slot, _Slot, _Slot]]] = {
    UnitType.QUAN: (_Slot("B", "BaoCao_ISO18091_{camel}_{year}.xlsx"),
                    _Slot("A", "{id}_{year}.xlsx", {2022: "xls"}),
                    _Slot("E", "{name_en} - ISO 18091 self-assessment {year}.xlsx", {2023: "ods"})),
    UnitType.HUYEN: (_Slot("C", "Bieu01_TuDanhGia_{camel}_{year}.xlsx", {2022: "xls"}),
                     _Slot("A", "TDG-ISO18091_{camel}_{year}.xlsx"),
                     _Slot("B", "BaoCao_ISO18091_{camel}_{year}.xlsx", {2023: "ods"})),
    UnitType.PHUONG: (_Slot("A-mac", "{bare}_TDG_{year}.xlsx"),
                      _Slot("E", "{name_en} ISO18091 {year}.xlsx"),
                      _Slot("C", "Bieu01_TuDanhGia_{camel}_{year}.xlsx")),
    UnitType.XA: (_Slot("D", "TuDanhGia {year} - cac xa.xlsx"), _Slot("D", "TuDanhGia {year} - cac xa.xlsx"),
                  _Slot("D", "TuDanhGia {year} - cac xa.xlsx")),
}


@dataclass
class _File:
    name: str
    layout: str
    returns: list[DemoReturn]
    convert: str | None = None

    def render(self) -> bytes:
        if self.layout == "D":
            return layout_commune_book(self.returns)
        (ret,) = self.returns
        return _SINGLE[self.layout](ret)


def _files() -> list[_File]:
    units = pilot_units()
    files: dict[str, _File] = {}
    for ret in demo_returns():
        slot = _PLAN[ret.unit.type][_position(ret.unit, units)]
        name = slot.name.format(id=ret.unit.id, camel=_ascii_camel(ret.unit.name), bare=_ascii_camel(ret.unit.bare_name),
                                name_en=ret.unit.name_en, year=ret.year)
        file = files.setdefault(name, _File(name, slot.layout, [], slot.convert.get(ret.year)))
        if file.layout != "D" and file.returns:
            raise ValueError(f"two returns would be written to {name}")
        file.returns.append(ret)
    return list(files.values())


# --- LibreOffice ------------------------------------------------------------------------------------------


def find_soffice() -> str | None:
    """The LibreOffice executable, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_version(soffice: str | None = None) -> str:
    """``soffice --version`` (first line), or '' when unavailable."""
    exe = soffice or find_soffice()
    if not exe:
        return ""
    try:
        done = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""


def convert_with_soffice(sources: Sequence[Path], fmt: str, outdir: Path, *, soffice: str | None = None,
                         timeout: float = SOFFICE_TIMEOUT) -> list[Path]:
    """Convert ``sources`` to ``fmt`` (``xls``, ``ods``, …) with LibreOffice headless into ``outdir``.

    Uses a private, throw-away user profile (``-env:UserInstallation``) so it neither needs nor
    disturbs a running LibreOffice, and a timeout. Raises :class:`RuntimeError` when it fails.
    """
    exe = soffice or find_soffice()
    if not exe:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lgqa-soffice-") as profile:
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--convert-to", fmt, "--outdir", str(outdir), *map(str, sources)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"soffice did not finish within {timeout:.0f} s") from exc
    made = [outdir / f"{src.stem}.{fmt}" for src in sources]
    missing = [p.name for p in made if not p.exists()]
    if done.returncode != 0 or missing:
        raise RuntimeError(f"soffice failed (exit {done.returncode}), missing {missing}: {done.stderr.strip()[:300]}")
    return made


# --- writing the samples ----------------------------------------------------------------------------------


def _clear_previous(folder: Path) -> None:
    """Remove the workbooks of a previous run, only from a folder this module generated."""
    readme = folder / _README
    if readme.exists() and readme.read_text(encoding="utf-8").startswith(_README_HEAD):
        for path in folder.iterdir():
            if path.suffix.lower() in {".xlsx", ".xls", ".ods"} and path.is_file():
                path.unlink()


def generate_samples(folder: Path, *, convert: bool = True) -> list[Path]:
    """Write the synthetic returns into ``folder``; return the workbook paths, sorted.

    With ``convert`` and LibreOffice installed, the returns planned as ``.xls``/``.ods`` are converted
    from the generated ``.xlsx`` by ``soffice --headless``; otherwise they stay ``.xlsx`` (same
    content). A ``README.md`` listing each file, its layout and how it was made is written too.
    """
    folder.mkdir(parents=True, exist_ok=True)
    _clear_previous(folder)
    soffice = find_soffice() if convert else None
    written: list[Path] = []
    made_by: dict[str, str] = {}
    pending: dict[str, list[tuple[_File, Path]]] = {}
    with tempfile.TemporaryDirectory(prefix="lgqa-demo-") as tmp:
        for file in _files():
            data = file.render()
            if file.convert and soffice:
                src = Path(tmp) / file.name
                src.write_bytes(data)
                pending.setdefault(file.convert, []).append((file, src))
                continue
            path = folder / file.name
            path.write_bytes(data)
            written.append(path)
            made_by[path.name] = "openpyxl" if file.layout.startswith("A") else "xlsxwriter"
        version = soffice_version(soffice) if pending else ""
        for fmt, items in sorted(pending.items()):
            outputs = convert_with_soffice([src for _, src in items], fmt, Path(tmp) / "out", soffice=soffice)
            for (file, _), out in zip(items, outputs, strict=True):
                path = folder / f"{Path(file.name).stem}.{fmt}"
                shutil.move(out, path)
                written.append(path)
                made_by[path.name] = f"{version or 'LibreOffice'} headless, from the generated .xlsx"
    _write_readme(folder, written, made_by)
    return sorted(written)


def _write_readme(folder: Path, written: Sequence[Path], made_by: Mapping[str, str]) -> None:
    layouts = {}
    for file in _files():
        stem = Path(file.name).stem
        layouts[stem] = (file.layout, ", ".join(f"{r.unit.id} {r.year}" for r in file.returns))
    lines = [
        f"{_README_HEAD} (generated)",
        "",
        f"**SYNTHETIC DEMO DATA / DỮ LIỆU MINH HỌA** — made up by `lgqa_metrics.synthetic.demo` (seed {SEED}); not real",
        "returns. Regenerate with `python -m lgqa_metrics.synthetic.demo` (needs LibreOffice `soffice` for the .xls and",
        ".ods files; without it those returns are written as .xlsx). Do not edit these files by hand.",
        "",
        "| File | Layout | Returns | Made by |",
        "|---|---|---|---|",
    ]
    for path in sorted(written):
        layout, returns = layouts[path.stem]
        lines.append(f"| {path.name} | {layout}: {_LAYOUT_NOTES[layout]} | {returns} | {made_by[path.name]} |")
    (folder / _README).write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- deliberately broken returns ------------------------------------------------------------------------


def _edit(data: bytes, code: str, header: str, value: object) -> bytes:
    """Set the cell of indicator ``code`` under the column headed ``header`` in the first sheet holding it."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    key = fold(header)
    for ws in book.worksheets:
        row = next((c.row for line in ws.iter_rows() for c in line if c.value == code), None)
        if row is None:
            continue
        col = next(c.column for line in ws.iter_rows(max_row=row - 1) for c in line
                   if isinstance(c.value, str) and (fold(c.value) == key or fold(c.value).startswith(key + " ")))
        ws.cell(row, col, value)
        buf = io.BytesIO()
        book.save(buf)
        return _reproducible(buf.getvalue())
    raise ValueError(f"indicator {code} not found")


def _return_of(unit_id: str, year: int) -> DemoReturn:
    return next(r for r in demo_returns() if r.unit.id == unit_id and r.year == year)


def _csv_export(ret: DemoReturn) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["Mã chỉ số", "Tên chỉ số", "Kết quả tự đánh giá", "Minh chứng", "Ghi chú"])
    cat = default_catalogue()
    for e in ret.entries:
        label = cat.scale[e.rating].label_vi if e.rating is not Rating.MISSING else ""
        writer.writerow([e.code, cat[e.code].name_vi, label, e.evidence, e.note])
    return buf.getvalue().encode("utf-8-sig")


def bad_samples() -> list[tuple[str, str, bytes]]:
    """The broken returns: (file name, what is wrong and the expected issue code, bytes)."""
    units = pilot_units()
    by_slot = {(u.type, _position(u, units)): u for u in units}
    quan_a, quan_e = by_slot[UnitType.QUAN, 1], by_slot[UnitType.QUAN, 2]
    huyen_b, phuong_a, xa = by_slot[UnitType.HUYEN, 2], by_slot[UnitType.PHUONG, 0], by_slot[UnitType.XA, 1]
    year = YEARS[-1]
    template_ret = _return_of(phuong_a.id, year)
    word_at = next(e.code for e in template_ret.entries if e.rating in COLOURS)
    marks_ret = _return_of(huyen_b.id, year)
    marked = next(e for e in marks_ret.entries if e.rating in (Rating.GREEN, Rating.YELLOW))
    other = default_catalogue().scale[Rating.RED if marked.rating is Rating.GREEN else Rating.GREEN].label_vi
    stranger = replace(phuong_a, id="p-ha-ly", name="Phường Hạ Lý", name_en="Ha Ly Ward", aliases=())
    english = _return_of(quan_e.id, year)
    last_code = english.entries[-1].code
    q, _, n = last_code.partition(".")
    wrong_code = f"{q}.{int(n) + 1}"
    camel = _ascii_camel
    return [
        (f"01_csv-doi-duoi_BaoCao_{camel(quan_a.name)}_{year}.xlsx",
         "a CSV export renamed to .xlsx → file_not_spreadsheet", _csv_export(_return_of(quan_a.id, year))),
        (f"02_tu-danh-gia-la_{camel(phuong_a.bare_name)}_TDG_{year}.xlsx",
         f"rating word \"Khá\" for {word_at} → rating_unknown",
         _edit(layout_template(template_ret), word_at, "Kết quả", "Khá")),
        (f"03_danh-dau-hai-mau_BaoCao_ISO18091_{camel(huyen_b.name)}_{year}.xlsx",
         f"two colours marked for {marked.code} → rating_multiple",
         _edit(layout_admin_form(marks_ret), marked.code, other, "x")),
        (f"04_don-vi-la_BaoCao_{camel(stranger.name)}_{year}.xlsx",
         "unit \"Phường Hạ Lý\" is not in the registry → unit_unknown",
         layout_template(replace(template_ret, unit=stranger))),
        (f"05_nam-go-nham_TuDanhGia_{camel(xa.name)}_{year}.xlsx",
         f"year typed as {year + 180} → year_implausible",
         layout_template(replace(_return_of(xa.id, year), year=year + 180))),
        (f"06_ma-chi-so-la_{quan_e.name_en} - ISO 18091 self-assessment {year}.xlsx",
         f"indicator code {wrong_code} does not exist (typed over {last_code}) → indicator_unknown",
         _edit(layout_english(english), last_code, "Code", wrong_code)),
    ]


def generate_bad_samples(folder: Path) -> list[Path]:
    """Write the deliberately broken returns (and a README saying what is wrong) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    _clear_previous(folder)
    written = []
    lines = [f"{_README_HEAD}, deliberately broken (generated)", "",
             f"**SYNTHETIC DEMO DATA / DỮ LIỆU MINH HỌA** (seed {SEED}). Each file is rejected on ingest; try",
             "`python -m lgqa_metrics ingest --dry-run data/samples-bad` to see the messages.", "",
             "| File | What is wrong → issue code |", "|---|---|"]
    for name, why, data in bad_samples():
        path = folder / name
        path.write_bytes(data)
        written.append(path)
        lines.append(f"| {name} | {why} |")
    (folder / _README).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sorted(written)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m lgqa_metrics.synthetic.demo [folder] [--bad-folder F] [--no-convert]``."""
    parser = argparse.ArgumentParser(prog="python -m lgqa_metrics.synthetic.demo", description="Regenerate the synthetic demo returns.")
    parser.add_argument("folder", nargs="?", type=Path, default=SAMPLES_DIR, help="default: data/samples")
    parser.add_argument("--bad-folder", type=Path, help="broken returns (default: <folder>-bad)")
    parser.add_argument("--no-convert", action="store_true", help="do not run LibreOffice; keep every file .xlsx")
    args = parser.parse_args(argv)
    folder: Path = args.folder
    try:
        good = generate_samples(folder, convert=not args.no_convert)
        bad = generate_bad_samples(args.bad_folder or folder.with_name(folder.name + "-bad"))
    except (OSError, RuntimeError, ValueError) as exc:
        print(f"lỗi / error: {exc}")
        return 1
    size = sum(p.stat().st_size for p in good + bad)
    print(f"{len(good)} sample files in {folder}, {len(bad)} broken ones in {bad[0].parent}; {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
