"""The pilot demo's sample folders: ``data/samples`` (the returns of :mod:`.demo_content`, the pilot units' and
their illustrative successors', in the layouts of :mod:`.demo_layouts`, some converted to ``.xls`` and ``.ods`` by
LibreOffice when it is installed, see :mod:`.office`) with a README listing each file, and ``data/samples-bad``
(deliberately broken returns, one issue each).

Regenerate with ``python -m lgqa_metrics.synthetic.demo [folder]``; the committed samples were made that way.
Everything here is **synthetic**.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Final

import openpyxl

from lgqa_metrics.domain.catalogue import default_catalogue
from lgqa_metrics.domain.paths import SAMPLES_DIR
from lgqa_metrics.domain.ratings import COLOURS, Rating
from lgqa_metrics.domain.textnorm import fold
from lgqa_metrics.domain.units import UnitType
from lgqa_metrics.services.office import convert_with_soffice, find_soffice, soffice_version
from lgqa_metrics.synthetic.demo_content import (
    SEED,
    SUCCESSOR_YEAR,
    YEARS,
    DemoReturn,
    demo_returns,
    pilot_units,
    position_in_type,
    successor_units,
)
from lgqa_metrics.synthetic.demo_layouts import (
    LAYOUT_NOTES,
    PlannedFile,
    ascii_camel,
    layout_admin_form,
    layout_english,
    layout_template,
    planned_files,
    reproducible,
)

_README: Final = "README.md"
_README_HEAD: Final = "# Synthetic demo returns"


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
    pending: dict[str, list[tuple[PlannedFile, Path]]] = {}
    with tempfile.TemporaryDirectory(prefix="lgqa-demo-") as tmp:
        for file in planned_files():
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
    predecessor = {unit.id: before.id for unit, before in successor_units()}
    layouts = {}
    for file in planned_files():
        stem = Path(file.name).stem
        layouts[stem] = (file.layout, ", ".join(
            f"{r.unit.id} {r.year}" + (f" (successor of {predecessor[r.unit.id]})" if r.unit.id in predecessor else "")
            for r in file.returns))
    lines = [
        f"{_README_HEAD} (generated)",
        "",
        f"**SYNTHETIC DEMO DATA / DỮ LIỆU MINH HỌA** — made up by `lgqa_metrics.synthetic.demo` (seed {SEED}); not real",
        "returns. Regenerate with `python -m lgqa_metrics.synthetic.demo` (needs LibreOffice `soffice` for the .xls and",
        ".ods files; without it those returns are written as .xlsx). Do not edit these files by hand.",
        "",
        f"The {len(pilot_units())} pilot units report for {YEARS[0]}–{YEARS[-1]}. For "
        f"{SUCCESSOR_YEAR}, after the reorganisation of 1 July 2025,",
        "the units that took them over report instead: illustrative successors (`data/units.csv`, linked in",
        "`data/lineage.csv`), each return evolved from its predecessor's last pilot return.",
        "",
        "| File | Layout | Returns | Made by |",
        "|---|---|---|---|",
    ]
    for path in sorted(written):
        layout, returns = layouts[path.stem]
        lines.append(f"| {path.name} | {layout}: {LAYOUT_NOTES[layout]} | {returns} | {made_by[path.name]} |")
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
        return reproducible(buf.getvalue())
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
    by_slot = {(u.type, position_in_type(u, units)): u for u in units}
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
    camel = ascii_camel
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
