"""Screenshots for the Vietnamese user guide (docs/huong-dan-su-dung.md), taken in headless Chromium against the
real server (``serve.py``) in the Vietnamese interface.

Usage: ``.venv/bin/python scripts/guide_screenshots.py [--out docs/screenshots] [--keep]``. The script makes its own
store in a temporary folder with the command line, as an administrator would: the bundled demo returns (``demo``)
and two accounts (``users add``): a leader with the viewer role and a member of staff. It writes the returns the guide
uploads (two new 2024 returns in the project's template, the rejected sample
``data/samples-bad/02_tu-danh-gia-la_MinhKhai_TDG_2023.xlsx``, a 2024 return whose two result columns need a
confirmed column mapping, and the rejected return corrected by its unit), then walks through the guide: the leader
reads the analysis pages; staff check a batch, read a rejection, download the marked-up workbook, confirm a mapping,
store the batch, send a corrected return, read its version history and export a filtered table. The marked-up
workbook is printed to an image of its first rows by LibreOffice when ``soffice`` is installed (skipped otherwise).
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
from PIL import Image, ImageChops

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshots import CONTENT, fit_to_content, save_png, wait_for_charts

from lgqa_metrics.domain.catalogue import default_catalogue
from lgqa_metrics.store.database import Store
from lgqa_metrics.synthetic import forms
from tests.e2e.server import chromium, go_to, sign_in, streamlit_server, wait_until_idle
from tests.support.returns import filled_template

ROOT = Path(__file__).resolve().parent.parent

WIDTH = 1440
LEADER = ("hung", "Trần Văn Hùng", "viewer", "lanh-dao-xem-2026")
STAFF = ("lan", "Nguyễn Thị Lan", "staff", "can-bo-nop-2026")
BAD = ROOT / "data" / "samples-bad" / "02_tu-danh-gia-la_MinhKhai_TDG_2023.xlsx"
#: The returns of the first batch (the names units gave them).
HONG_BANG = "BaoCao_ISO18091_QuanHongBang_2024.xlsx"
AN_LAO = "Bieu01_TuDanhGia_HuyenAnLao_2024.xlsx"
MINH_KHAI = "MinhKhai_TDG_2023.xlsx"
LE_CHAN = "TuDanhGia_QuanLeChan_2024.xlsx"
MINH_KHAI_FIXED = "MinhKhai_TDG_2023_sua.xlsx"
#: How a unit improves from one year to the next on a few indicators (every third one).
BETTER = {"red": "yellow", "yellow": "green"}


def cli(*args: str, password: str | None = None) -> None:
    """One command of ``python -m lgqa_metrics``, as an administrator types it."""
    subprocess.run([sys.executable, "-m", "lgqa_metrics", *args], cwd=ROOT, check=True, input=password, text=True,
                   stdout=subprocess.DEVNULL)


def next_year(last: Mapping[str, str]) -> dict[str, str]:
    """Last year's ratings with every third indicator one colour better."""
    codes = default_catalogue().codes
    return {c: BETTER.get(last[c], last[c]) if i % 3 == 0 else last[c] for i, c in enumerate(codes)}


def le_chan_return(last: Mapping[str, str]) -> bytes:
    """A 2024 return with last year's results in a column beside this year's, both titled "Kết quả…": the reader
    cannot tell which one to read, and staff map the columns once."""
    cat = default_catalogue()
    this = next_year(last)
    word = {r.value: w for r, w in forms.WORDS_VI.items()}
    layout = forms.FormLayout((forms.Column("stt", "STT"), forms.Column("code", "Mã chỉ số"),
                               forms.Column("name", "Tên chỉ số"), forms.Column("extra", "Kết quả năm 2023"),
                               forms.Column("rating", "Kết quả năm 2024"), forms.Column("evidence", "Minh chứng")))
    lines: list[forms.Line] = []
    for q in (1, 2, 3, 4):
        lines.append(forms.Group(q))
        for ind in cat.indicators:
            if ind.quadrant == q:
                lines.append(forms.Row(ind.code, ind.name("vi"), rating=word.get(this[ind.code]),
                                       evidence="Báo cáo số 12/BC-UBND ngày 10/01/2025" if this[ind.code] == "green"
                                       else "", extra=word.get(last[ind.code])))
    return forms.write_return(layout, forms.FormContent({}, unit_line="UBND QUẬN LÊ CHÂN", year_line="Năm 2024",
                                                        date_line="Lê Chân, ngày 10 tháng 01 năm 2025", lines=lines))


def write_returns(folder: Path, db: str) -> None:
    """The files the guide uploads, from the demo's 2023 ratings."""
    store = Store.open(db)
    try:
        ratings = store.ratings(years=[2023])
    finally:
        store.close()

    def last(unit: str) -> dict[str, str]:
        rows = ratings[ratings["unit_id"] == unit]
        return dict(zip(rows["indicator_code"], rows["rating"], strict=True))

    (folder / HONG_BANG).write_bytes(filled_template("q-hong-bang", 2024, next_year(last("q-hong-bang"))))
    (folder / AN_LAO).write_bytes(filled_template("h-an-lao", 2024, next_year(last("h-an-lao"))))
    shutil.copy(BAD, folder / MINH_KHAI)
    (folder / LE_CHAN).write_bytes(le_chan_return(last("q-le-chan")))
    book = openpyxl.load_workbook(BAD)
    book["Tự đánh giá"]["D12"].value = "Xanh lá"  # the unit meant "Khá" (good): green
    book.save(folder / MINH_KHAI_FIXED)


class Camera:
    """Saves what the guide shows: the window, a part of the page, or one element, as PNG under ``out``."""

    def __init__(self, page: Any, out: Path) -> None:
        self.page, self.out = page, out

    def window(self, name: str, height: int = 900) -> None:
        """The window as a user sees it (sidebar included), ``height`` pixels tall."""
        self.page.set_viewport_size({"width": WIDTH, "height": height})
        self.page.wait_for_timeout(800)
        wait_for_charts(self.page)
        self._save(name, self.page.screenshot())

    def element(self, name: str, locator: Any, *, fit: bool = True, margin: int = 12) -> None:
        """One element of the page (a file's box, a table), with a margin around it; the window is first made as
        tall as the page unless ``fit`` is false (it already is, and resizing would close an open overlay)."""
        if fit:
            self.fit()
        box = locator.bounding_box()
        self.region(name, box["y"] - margin, box["y"] + box["height"] + margin, box["x"] - margin,
                    box["x"] + box["width"] + margin)

    def between(self, name: str, top: Any, bottom: Any | None = None, *, sidebar: bool = False) -> None:
        """The main column from the top of ``top`` to the top of ``bottom`` (or the end of the content)."""
        self.fit()
        start = 0 if sidebar else top.bounding_box()["y"] - 16
        end = (bottom.bounding_box()["y"] - 8 if bottom is not None else
               self.page.evaluate(f"() => document.querySelector(\"{CONTENT}\").getBoundingClientRect().bottom"))
        main = self.page.locator(CONTENT).bounding_box()
        left = 0 if sidebar else main["x"] + 40
        self.region(name, start, end, left, main["x"] + main["width"] - 40)

    def region(self, name: str, top: float, bottom: float, left: float, right: float) -> None:
        clip = {"x": max(0, left), "y": max(0, top), "width": right - max(0, left), "height": bottom - max(0, top)}
        self._save(name, self.page.screenshot(clip=clip))

    def fit(self) -> None:
        fit_to_content(self.page, WIDTH, max_height=6000)

    def _save(self, name: str, png: bytes) -> None:
        save(trim_bottom(Image.open(io.BytesIO(png)).convert("RGB")), self.out / f"{name}.png")


def trim_bottom(image: Image.Image, margin: int = 16) -> Image.Image:
    """``image`` without the empty rows under its content (the page's padding), ``margin`` rows kept."""
    background = Image.new("RGB", image.size, image.getpixel((image.width - 1, image.height - 1)))
    box = ImageChops.difference(image, background).getbbox()
    return image if box is None else image.crop((0, 0, image.width, min(image.height, box[3] + margin)))


def save(image: Image.Image, target: Path) -> None:
    out = io.BytesIO()
    image.save(out, format="PNG")
    save_png(out.getvalue(), target)


def choose(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` (once the page has settled)."""
    wait_until_idle(page)
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_until_idle(page)


def pick(page: Any, label: str, option: str) -> None:
    """Add ``option`` to the multiselect labelled ``label`` and close its list."""
    wait_until_idle(page)
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_until_idle(page)


def file_box(page: Any, name: str) -> Any:
    """The bordered box of one uploaded file on the Upload page."""
    return page.locator("[data-testid='stVerticalBlock']").filter(
        has=page.get_by_text(name, exact=True)).filter(has_not=page.locator("[data-testid='stFileUploader']")).last


def drop(page: Any, files: list[Path]) -> None:
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files([str(f) for f in files])
    page.get_by_text("Chi tiết từng tệp").wait_for(timeout=120_000)
    wait_until_idle(page)


def leader_tour(browser: Any, url: str, shots: Path) -> None:
    """What a leader reads: the matrix (with a cell's details under the pointer), the ranking, the trends."""
    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    camera = Camera(page, shots)
    page.goto(f"{url}/account")
    wait_until_idle(page)
    page.get_by_label("Tên đăng nhập").fill(LEADER[0])
    page.get_by_label("Mật khẩu").fill(LEADER[3])
    camera.window("hd-dang-nhap", 560)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text("Đã đăng nhập").wait_for(timeout=60_000)
    wait_until_idle(page)

    go_to(page, "Tổng quan")
    camera.window("hd-tong-quan", 900)
    matrix = page.locator("[data-testid='stPlotlyChart']").first
    box = matrix.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.43, box["y"] + box["height"] * 0.40)
    page.wait_for_timeout(1200)
    camera.element("hd-ma-tran-chi-tiet", matrix)

    go_to(page, "So sánh đơn vị")
    camera.between("hd-xep-hang", page.get_by_role("heading", name="Xếp hạng"),
                   page.get_by_role("heading", name="Bánh xe chẩn đoán tổng thể", exact=False))
    go_to(page, "Xu hướng")
    camera.between("hd-xu-huong", page.locator("[data-testid='stPlotlyChart']").first,
                   page.get_by_role("heading", name="Thay đổi từng chỉ số giữa hai năm"))
    camera.between("hd-thay-doi", page.get_by_role("heading", name="Thay đổi từng chỉ số giữa hai năm"))
    page.close()


def staff_tour(browser: Any, url: str, files: Path, shots: Path) -> None:
    """What staff do: check a batch, read a rejection, map a layout, store, send a correction, export."""
    page = browser.new_page(viewport={"width": WIDTH, "height": 900}, accept_downloads=True)
    camera = Camera(page, shots)
    sign_in(page, url, STAFF[0], STAFF[3])
    go_to(page, "Nộp báo cáo")
    camera.window("hd-nop-bao-cao", 620)

    page.set_viewport_size({"width": WIDTH, "height": 3000})
    drop(page, [files / MINH_KHAI, files / HONG_BANG, files / AN_LAO, files / LE_CHAN])
    camera.window("upload-checked", 1560)  # the README's picture of the Upload page
    page.set_viewport_size({"width": WIDTH, "height": 3000})
    camera.between("hd-ket-qua-kiem-tra", page.get_by_role("heading", name="Kết quả kiểm tra"),
                   page.get_by_role("heading", name="Chi tiết từng tệp"))
    camera.element("hd-tep-hop-le", file_box(page, HONG_BANG))
    camera.element("hd-bi-tu-choi", file_box(page, MINH_KHAI))
    issues = file_box(page, MINH_KHAI).locator("[data-testid='stTable']")
    camera.fit()
    camera.element("hd-loi-day-du", issues, fit=False, margin=40)  # every message wraps: read in full
    with page.expect_download(timeout=60_000) as info:
        file_box(page, MINH_KHAI).get_by_role("button", name="Tải tệp đã đánh dấu lỗi").click()
    marked = files / info.value.suggested_filename
    info.value.save_as(marked)
    print_marked(marked, shots)

    choose(page, "Mã chỉ số", "B — Mã chỉ số")
    choose(page, "Tên chỉ số", "C — Tên chỉ số")
    choose(page, "Kết quả tự đánh giá", "E — Kết quả năm 2024")
    choose(page, "Minh chứng", "F — Minh chứng")
    page.get_by_text("Xem trước: 39 chỉ số đọc được, 0 lỗi").wait_for(timeout=60_000)
    camera.element("hd-chon-cot", file_box(page, LE_CHAN))
    page.get_by_role("button", name="Xác nhận cách chọn cột này").click()
    page.get_by_text("Đã lưu cách chọn cột").wait_for(timeout=60_000)
    wait_until_idle(page)
    camera.element("hd-chon-cot-xong", file_box(page, LE_CHAN))
    camera.between("hd-truoc-khi-luu", page.get_by_role("heading", name="Kết quả kiểm tra"),
                   page.get_by_role("heading", name="Chi tiết từng tệp"))
    page.get_by_role("button", name="Lưu 3 báo cáo hợp lệ").click()
    page.get_by_text("Đã lưu 3 báo cáo").wait_for(timeout=60_000)
    wait_until_idle(page)
    camera.between("hd-da-luu", page.locator("h1"), page.get_by_text("Tệp báo cáo của các đơn vị"))

    drop(page, [files / MINH_KHAI_FIXED])
    camera.element("hd-nop-lai", file_box(page, MINH_KHAI_FIXED))
    page.get_by_role("button", name="Lưu 1 báo cáo hợp lệ").click()
    page.get_by_text("Đã lưu 1 báo cáo").wait_for(timeout=60_000)
    wait_until_idle(page)

    go_to(page, "Tình hình nộp")
    choose(page, "Đơn vị", "Phường Minh Khai")
    choose(page, "Năm", "2023")
    camera.between("hd-lich-su-phien-ban", page.get_by_role("heading", name="Lịch sử phiên bản"),
                   page.get_by_role("heading", name="Tệp bị từ chối"))
    camera.between("hd-tinh-hinh-nop", page.get_by_role("heading", name="Báo cáo đã nhận theo đơn vị và năm"),
                   page.get_by_role("heading", name="Lịch sử phiên bản"))

    go_to(page, "Dữ liệu & xuất")
    pick(page, "Năm", "2024")
    pick(page, "Kết quả", "Đỏ")
    page.mouse.move(0, 0)
    camera.between("hd-xuat-du-lieu", page.locator("h1"), page.get_by_role("heading", name="Bảng dữ liệu chi tiết",
                                                                           exact=False), sidebar=True)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Tải Excel").click()
    info.value.save_as(files / info.value.suggested_filename)
    page.close()


def print_marked(marked: Path, shots: Path) -> None:
    """The first rows of the marked-up workbook's table as a spreadsheet program prints them (LibreOffice): the
    code, name and rating columns, the problem cell shaded."""
    soffice = shutil.which("soffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        print("soffice or pdftoppm missing: hd-tep-danh-dau-loi.png not made", file=sys.stderr)
        return
    work = marked.parent / "print"
    work.mkdir(exist_ok=True)
    book = openpyxl.load_workbook(marked)
    sheet = book["Tự đánh giá"]
    for ws in book.worksheets:  # print the sheet that carries the marks, not the issues list before it
        if ws is not sheet:
            ws.sheet_state = "hidden"
    book.active = book.worksheets.index(sheet)
    header = next(c.row for c in sheet["A"] if c.value == "STT")
    sheet.print_area = f"A{header}:D{header + 8}"
    only = work / "marked.xlsx"
    book.save(only)
    subprocess.run([soffice, f"-env:UserInstallation=file://{work / 'profile'}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(work), str(only)], check=True, capture_output=True, timeout=180)
    subprocess.run(["pdftoppm", "-r", "110", "-png", "-f", "1", "-l", "1", str(work / "marked.pdf"),
                    str(work / "page")], check=True)
    page = Image.open(next(work.glob("page*.png"))).convert("RGB")
    box = ImageChops.difference(page, Image.new("RGB", page.size, (255, 255, 255))).getbbox()
    assert box is not None, "LibreOffice printed an empty page"
    save(page.crop((box[0] - 16, box[1] - 16, box[2] + 16, box[3] + 16)), shots / "hd-tep-danh-dau-loi.png")


@contextmanager
def guide_store(keep: bool) -> Iterator[tuple[str, Path]]:
    """A store with the demo returns and the guide's two accounts, and a folder of the returns to upload."""
    folder = Path(tempfile.mkdtemp(prefix="lgqa-guide-"))
    try:
        db = f"sqlite:///{folder / 'guide.sqlite'}"
        cli("demo", "--db", db, "--create")
        for user, name, role, password in (LEADER, STAFF):
            cli("users", "add", "--db", db, "--role", role, "--name", name, "--password-stdin", user,
                password=password + "\n")
        files = folder / "returns"
        files.mkdir()
        write_returns(files, db)
        yield db, files
    finally:
        if keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--keep", action="store_true", help="keep the temporary store and files")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with guide_store(args.keep) as (db, files), streamlit_server(db) as url, chromium() as browser:
        leader_tour(browser, url, args.out)
        staff_tour(browser, url, files, args.out)


if __name__ == "__main__":
    main()
