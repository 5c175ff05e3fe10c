"""The message catalogue: every user-facing string, Vietnamese first, English second."""

from __future__ import annotations

from typing import Final

LANGS: Final = ("vi", "en")
DEFAULT_LANG: Final = "vi"

#: key -> (Vietnamese, English). Templates use ``str.format`` fields.
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # --- validation issues (one per stable issue code) ---------------------------------------
    "issue.file_empty": ("Tệp rỗng (0 byte).", "The file is empty (0 bytes)."),
    "issue.file_not_spreadsheet": (
        "Tệp không phải bảng tính Excel/ODS mà là {kind}. Hãy gửi tệp .xlsx, .xlsm, .xls hoặc .ods.",
        "The file is not an Excel/ODS spreadsheet but {kind}. Send an .xlsx, .xlsm, .xls or .ods file.",
    ),
    "issue.file_truncated": (
        "Tệp bị hỏng hoặc tải về chưa hết (tệp nén không đọc được). Hãy xin đơn vị gửi lại tệp.",
        "The file is damaged or was not completely downloaded (the archive cannot be read). Ask the unit to send it again.",
    ),
    "issue.file_encrypted": (
        "Tệp được đặt mật khẩu. Hãy gỡ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi gửi lại.",
        "The file is password-protected. Remove the password (File > Info > Protect Workbook) and send it again.",
    ),
    "issue.file_unreadable": (
        "Không đọc được tệp bảng tính: {detail}.",
        "The spreadsheet cannot be read: {detail}.",
    ),
    "issue.sheet_too_large": (
        "Trang tính có vùng dữ liệu bất thường ({rows} dòng × {cols} cột, đến ô {cell}). Hãy xóa các ô thừa ở xa bảng rồi gửi lại.",
        "The sheet has an absurd extent ({rows} rows × {cols} columns, up to cell {cell}). Delete stray cells far from the table and send it again.",
    ),
    "issue.no_table": (
        "Không tìm thấy bảng chỉ số (cột Mã chỉ số/Tên chỉ số và Kết quả tự đánh giá) trong tệp.",
        "No indicator table (columns for indicator code/name and self-assessment result) was found in the file.",
    ),
    "issue.unit_missing": (
        "Không xác định được đơn vị: hãy ghi tên đơn vị ở phần đầu biểu (ví dụ \"UBND phường Minh Khai\").",
        "The unit cannot be identified: write the unit's name in the header block (e.g. \"UBND phường Minh Khai\").",
    ),
    "issue.unit_unknown": (
        "Đơn vị \"{value}\" không có trong danh mục. Gần nhất: {closest}.",
        "Unit \"{value}\" is not in the registry. Closest: {closest}.",
    ),
    "issue.unit_conflict": (
        "Tên đơn vị ở đầu biểu ({found}) khác với tên trong {where} ({other}); đã dùng {found}.",
        "The unit in the header block ({found}) differs from the one in the {where} ({other}); {found} was used.",
    ),
    "issue.year_missing": (
        "Không xác định được năm đánh giá: hãy ghi \"Năm 2023\" ở phần đầu biểu.",
        "The assessment year cannot be identified: write \"Năm 2023\" in the header block.",
    ),
    "issue.year_implausible": (
        "Năm đánh giá {value} không hợp lý (chấp nhận {low}–{high}).",
        "Assessment year {value} is implausible (accepted {low}–{high}).",
    ),
    "issue.rating_unknown": (
        "Kết quả \"{value}\" của chỉ số {code} không hợp lệ. Dùng: Đỏ, Vàng, Xanh lá hoặc Không áp dụng.",
        "Rating \"{value}\" for indicator {code} is not valid. Use: Đỏ (red), Vàng (yellow), Xanh lá (green) or Không áp dụng (not applicable).",
    ),
    "issue.rating_multiple": (
        "Chỉ số {code} được đánh dấu nhiều mức cùng lúc ({value}); chỉ được chọn một mức.",
        "Indicator {code} is marked with several ratings at once ({value}); mark exactly one.",
    ),
    "issue.rating_blank": (
        "Chỉ số {code} chưa được đánh giá (ô trống); lưu là \"Chưa đánh giá\".",
        "Indicator {code} has no rating (blank cell); stored as \"not assessed\".",
    ),
    "issue.fill_unrecognised": (
        "Ô của chỉ số {code} được tô màu {value} không phải Đỏ/Vàng/Xanh lá; lưu là \"Chưa đánh giá\".",
        "The cell of indicator {code} has fill {value}, which is not red/yellow/green; stored as \"not assessed\".",
    ),
    "issue.fill_conflict": (
        "Chỉ số {code}: chữ \"{value}\" khác với màu tô của ô ({fill}); đã dùng chữ.",
        "Indicator {code}: the text \"{value}\" differs from the cell's fill ({fill}); the text was used.",
    ),
    "issue.indicator_unknown": (
        "Chỉ số \"{value}\" không có trong bộ 39 chỉ số TCVN ISO 18091:2020.",
        "Indicator \"{value}\" is not one of the 39 TCVN ISO 18091:2020 indicators.",
    ),
    "issue.indicator_conflict": (
        "Chỉ số {code} xuất hiện hai lần với kết quả khác nhau ({value}; lần trước ở ô {first}).",
        "Indicator {code} appears twice with different ratings ({value}; first at cell {first}).",
    ),
    "issue.indicator_repeated": (
        "Chỉ số {code} xuất hiện hai lần với cùng kết quả (lần trước ở ô {first}); đã bỏ qua dòng lặp.",
        "Indicator {code} appears twice with the same rating (first at cell {first}); the repeat was ignored.",
    ),
    "issue.return_empty": (
        "Biểu chưa có kết quả nào: tất cả 39 chỉ số đều để trống.",
        "The return holds no rating: all 39 indicators are blank.",
    ),
    "issue.indicator_missing": (
        "Thiếu chỉ số {code} ({name}); lưu là \"Chưa đánh giá\".",
        "Indicator {code} ({name}) is missing; stored as \"not assessed\".",
    ),
    "issue.name_mismatch": (
        "Mã {code} không khớp với tên \"{value}\" (tên này là của chỉ số {other}); đã dùng mã {code}.",
        "Code {code} does not match the name \"{value}\" (that name belongs to {other}); code {code} was used.",
    ),
    # --- file kinds, used inside file_not_spreadsheet -----------------------------------------
    "kind.csv": ("tệp văn bản CSV", "a CSV text file"),
    "kind.text": ("tệp văn bản thuần", "a plain text file"),
    "kind.html": ("một trang web (HTML)", "a web page (HTML)"),
    "kind.docx": ("văn bản Word (.docx)", "a Word document (.docx)"),
    "kind.doc": ("văn bản Word cũ (.doc)", "an old Word document (.doc)"),
    "kind.pptx": ("bản trình chiếu PowerPoint", "a PowerPoint presentation"),
    "kind.pdf": ("tệp PDF", "a PDF file"),
    "kind.image": ("một tệp ảnh", "an image file"),
    "kind.zip": ("một tệp nén ZIP", "a ZIP archive"),
    "kind.xlsb": ("sổ làm việc nhị phân Excel (.xlsb)", "an Excel binary workbook (.xlsb)"),
    "kind.unknown": ("một tệp không nhận dạng được", "an unrecognised file"),
    # --- CLI ----------------------------------------------------------------------------------
    "cli.accepted": ("đã nhận", "accepted"),
    "cli.duplicate": ("trùng lặp (đã có)", "duplicate (already stored)"),
    "cli.rejected": ("bị từ chối", "rejected"),
    "cli.dry_run": ("(chạy thử, không lưu)", "(dry run, nothing stored)"),
    "cli.no_files": ("Không tìm thấy tệp nào ở {path}.", "No files found at {path}."),
    "cli.summary": (
        "Tổng: {accepted} đã nhận, {duplicate} trùng lặp, {rejected} bị từ chối.",
        "Total: {accepted} accepted, {duplicate} duplicate, {rejected} rejected.",
    ),
    "cli.exported": ("Đã xuất {rows} dòng vào {path}.", "Exported {rows} rows to {path}."),
    "cli.template_written": ("Đã tạo biểu mẫu {path}.", "Template written to {path}."),
    "cli.unknown_unit_id": (
        "Mã đơn vị \"{value}\" không có trong danh mục. Gần nhất: {closest}.",
        "Unit id \"{value}\" is not in the registry. Closest: {closest}.",
    ),
    "cli.no_history": ("Chưa có báo cáo nào của {unit} năm {year}.", "No returns stored for {unit}, {year}."),
    "cli.error": ("Lỗi: {detail}", "Error: {detail}"),
    "cli.db_error": ("Không mở được cơ sở dữ liệu: {detail}", "Cannot open the database: {detail}"),
}


def t(key: str, lang: str = DEFAULT_LANG, **fields: object) -> str:
    """Return message ``key`` in ``lang`` (``vi`` or ``en``), formatted with ``fields``."""
    vi, en = MESSAGES[key]
    template = en if lang == "en" else vi
    return template.format(**fields) if fields else template


def both(key: str, **fields: object) -> tuple[str, str]:
    """Return message ``key`` in Vietnamese and English."""
    return t(key, "vi", **fields), t(key, "en", **fields)

UI_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "app.title": ("Theo dõi thí điểm TCVN ISO 18091:2020", "TCVN ISO 18091:2020 pilot monitor"),
    "app.language": ("Ngôn ngữ / Language", "Ngôn ngữ / Language"),
    "page.data": ("Dữ liệu đã nhận", "Stored returns"),
    "data.caption": (
        "Kết quả tự đánh giá hiện hành (phiên bản mới nhất) của từng đơn vị, theo 39 chỉ số.",
        "Current self-assessment ratings (latest version) of each unit, by the 39 indicators.",
    ),
    "data.years": ("Năm", "Years"),
    "data.unit_types": ("Loại đơn vị", "Unit types"),
    "data.summary": ("Số chỉ số theo màu, từng đơn vị", "Indicators per colour, by unit"),
    "data.rows": ("Bảng dữ liệu chi tiết ({rows} dòng)", "Detailed table ({rows} rows)"),
    "data.empty": (
        "Chưa có báo cáo nào trong cơ sở dữ liệu. Nạp dữ liệu minh họa bằng lệnh "
        "`python -m lgqa_metrics demo`, hoặc nộp báo cáo bằng `python -m lgqa_metrics ingest THƯ_MỤC`.",
        "No returns are stored yet. Load the demo data with `python -m lgqa_metrics demo`, "
        "or ingest returns with `python -m lgqa_metrics ingest FOLDER`.",
    ),
    "data.no_match": ("Không có dòng nào khớp bộ lọc.", "No rows match the filters."),
    "col.unit_name": ("Đơn vị", "Unit"),
    "col.unit_type": ("Loại", "Type"),
    "col.year": ("Năm", "Year"),
    "col.quadrant": ("Góc phần tư", "Quadrant"),
    "col.indicator_code": ("Mã", "Code"),
    "col.indicator_name": ("Chỉ số", "Indicator"),
    "col.rating_label": ("Kết quả", "Rating"),
    "col.evidence": ("Minh chứng", "Evidence"),
    "col.note": ("Ghi chú", "Note"),
    "col.version": ("Phiên bản", "Version"),
    "col.green": ("Xanh lá", "Green"),
    "col.yellow": ("Vàng", "Yellow"),
    "col.red": ("Đỏ", "Red"),
    "col.na": ("Không áp dụng", "N/A"),
    "col.missing": ("Chưa đánh giá", "Not assessed"),
    "col.green_share": ("Tỷ lệ xanh (trên số đã đánh giá)", "Green share (of assessed)"),
}
MESSAGES.update(UI_MESSAGES)
