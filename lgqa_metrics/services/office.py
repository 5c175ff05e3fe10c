"""LibreOffice headless (``soffice``): it converts the generated demo returns to .xls and .ods (the second office
program whose files the reader is tested on), and the pilot report's .docx to PDF."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

SOFFICE_TIMEOUT: Final = 240.0


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


