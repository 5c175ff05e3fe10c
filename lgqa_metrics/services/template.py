"""The blank return workbook that units fill in: header block, 39 rows by quadrant, a rating drop-down."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Final

import xlsxwriter

from lgqa_metrics.domain.catalogue import Catalogue, default_catalogue
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.units import Unit

DATA_SHEET: Final = "Tự đánh giá"
HELP_SHEET: Final = "Hướng dẫn"
HEADER_ROW: Final = 9  # 0-based row of the table header
RATING_CHOICES: Final = (Rating.RED, Rating.YELLOW, Rating.GREEN, Rating.NA)
COLUMNS: Final = (("STT", 6), ("Mã chỉ số", 10), ("Tên chỉ số", 52), ("Kết quả tự đánh giá", 20),
                  ("Minh chứng (tài liệu kiểm chứng)", 45), ("Ghi chú / giải trình", 32))

INSTRUCTIONS: Final = (
    "HƯỚNG DẪN ĐIỀN BIỂU TỰ ĐÁNH GIÁ THEO TCVN ISO 18091:2020",
    "",
    "1. Chỉ điền vào các ô màu trắng của trang \"Tự đánh giá\": cột Kết quả, Minh chứng và Ghi chú.",
    "2. Cột \"Kết quả tự đánh giá\": chọn trong danh sách Đỏ, Vàng, Xanh lá hoặc Không áp dụng.",
    "   - Đỏ: {red}",
    "   - Vàng: {yellow}",
    "   - Xanh lá: {green}",
    "   - Không áp dụng: {na}",
    "3. Cột \"Minh chứng\": ghi số, ký hiệu, ngày của văn bản, tài liệu chứng minh kết quả.",
    "4. Cột \"Ghi chú / giải trình\": giải trình lý do với chỉ số Đỏ, Vàng hoặc Không áp dụng.",
    "5. Không sửa mã chỉ số, tên chỉ số, tên đơn vị và năm; không thêm hoặc xóa dòng.",
    "6. Lưu tệp dạng .xlsx và gửi về Sở Khoa học và Công nghệ.",
    "",
    "INSTRUCTIONS (English): fill in only the white cells of the \"Tự đánh giá\" sheet. Rating: choose",
    "Đỏ (red), Vàng (yellow), Xanh lá (green) or Không áp dụng (not applicable) from the list; cite the",
    "evidence documents and explain red, yellow and not-applicable ratings in the note column.",
)


def build_template(unit: Unit, year: int, catalogue: Catalogue | None = None, *,
                   filled: Mapping[str, tuple[str, str, str]] | None = None, banner: str = "") -> bytes:
    """Return the .xlsx bytes of a blank return for ``unit`` and ``year``; ``filled`` (code -> rating word,
    evidence, note) fills it in, ``banner`` is a notice written above the title (e.g. "synthetic data")."""
    cat = catalogue or default_catalogue()
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"title": f"Biểu tự đánh giá TCVN ISO 18091:2020 - {unit.name} - {year}",
                       "subject": "lgqa-metrics template", "comments": f"unit_id={unit.id}; year={year}"})
    base = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter", "text_wrap": True}
    fmt = {
        "bold_c": wb.add_format({**base, "bold": True, "align": "center"}),
        "title": wb.add_format({**base, "bold": True, "align": "center", "font_size": 14}),
        "italic_c": wb.add_format({**base, "italic": True, "align": "center"}),
        "label": wb.add_format({**base, "bold": True}),
        "plain": wb.add_format(base),
        "head": wb.add_format({**base, "bold": True, "align": "center", "border": 1, "bg_color": "#DDEBF7"}),
        "group": wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#F2F2F2"}),
        "cell": wb.add_format({**base, "border": 1}),
        "cell_c": wb.add_format({**base, "border": 1, "align": "center", "num_format": "@"}),
        "input": wb.add_format({**base, "border": 1, "locked": False}),
        "input_c": wb.add_format({**base, "border": 1, "locked": False, "align": "center"}),
    }
    ws = wb.add_worksheet(DATA_SHEET)
    for col, (_, width) in enumerate(COLUMNS):
        ws.set_column(col, col, width)
    ws.merge_range(0, 0, 0, 2, "ỦY BAN NHÂN DÂN", fmt["bold_c"])
    ws.merge_range(1, 0, 1, 2, unit.name.upper(), fmt["bold_c"])
    ws.merge_range(0, 3, 0, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", fmt["bold_c"])
    ws.merge_range(1, 3, 1, 5, "Độc lập - Tự do - Hạnh phúc", fmt["bold_c"])
    if banner:
        ws.merge_range(2, 0, 2, 5, banner, fmt["italic_c"])
    ws.merge_range(3, 0, 3, 5, "BÁO CÁO KẾT QUẢ TỰ ĐÁNH GIÁ THEO 39 CHỈ SỐ TCVN ISO 18091:2020", fmt["title"])
    ws.merge_range(4, 0, 4, 5, f"Năm {year}", fmt["italic_c"])
    ws.write(6, 0, "Đơn vị:", fmt["label"])
    ws.merge_range(6, 1, 6, 2, unit.name, fmt["plain"])
    ws.write(6, 3, "Mã đơn vị:", fmt["label"])
    ws.write_string(6, 4, unit.id, fmt["plain"])
    ws.write(7, 0, "Năm đánh giá:", fmt["label"])
    ws.write_number(7, 1, year, fmt["plain"])
    for col, (title, _) in enumerate(COLUMNS):
        ws.write(HEADER_ROW, col, title, fmt["head"])
    ws.set_row(HEADER_ROW, 32)
    ws.freeze_panes(HEADER_ROW + 1, 3)
    labels = [cat.scale[r].label_vi for r in RATING_CHOICES]
    row = HEADER_ROW + 1
    first_input = row
    stt = 0
    for number, quadrant in cat.quadrants.items():
        ws.write(row, 0, quadrant.roman, fmt["group"])
        ws.merge_range(row, 1, row, 5, quadrant.name_vi.upper(), fmt["group"])
        row += 1
        for ind in cat.in_quadrant(number):
            stt += 1
            ws.write_number(row, 0, stt, fmt["cell_c"])
            ws.write_string(row, 1, ind.code, fmt["cell_c"])
            ws.write_string(row, 2, ind.name_vi, fmt["cell"])
            for col, text in enumerate((filled or {}).get(ind.code, ("", "", "")), start=3):
                if text:
                    ws.write_string(row, col, text, fmt["input_c" if col == 3 else "input"])
                else:
                    ws.write_blank(row, col, None, fmt["input_c" if col == 3 else "input"])
            row += 1
    last_input = row - 1
    ws.data_validation(first_input, 3, last_input, 3, {
        "validate": "list", "source": labels, "error_type": "stop",
        "error_title": "Kết quả không hợp lệ", "error_message": "Chọn: " + ", ".join(labels),
        "input_title": "Kết quả tự đánh giá", "input_message": "Chọn " + " / ".join(labels)})
    for rating in RATING_CHOICES:
        entry = cat.scale[rating]
        colour = entry.colour if rating is not Rating.NA else "#BFBFBF"
        font = "#FFFFFF" if rating in (Rating.RED, Rating.GREEN) else "#000000"
        ws.conditional_format(first_input, 3, last_input, 3, {
            "type": "cell", "criteria": "==", "value": f'"{entry.label_vi}"',
            "format": wb.add_format({"bg_color": colour, "font_color": font, "bold": True})})
    row += 1
    ws.merge_range(row, 0, row, 2, "NGƯỜI LẬP BIỂU", fmt["bold_c"])
    ws.merge_range(row, 3, row, 5, "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", fmt["bold_c"])
    ws.set_row(row, 32)
    ws.merge_range(row + 1, 0, row + 1, 2, "(Ký, ghi rõ họ tên)", fmt["italic_c"])
    ws.merge_range(row + 1, 3, row + 1, 5, "(Ký tên, đóng dấu)", fmt["italic_c"])
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                    "select_unlocked_cells": True})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW)
    ws.activate()

    help_ws = wb.add_worksheet(HELP_SHEET)
    help_ws.set_column(0, 0, 110)
    legends = {r.value: cat.legend(None, r) for r in RATING_CHOICES}
    for i, line in enumerate(INSTRUCTIONS):
        help_ws.write_string(i, 0, line.format(**legends), fmt["label"] if i == 0 else fmt["plain"])
    help_ws.protect()
    wb.close()
    return buf.getvalue()
