"""Where the project's data files live."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("LGQA_DATA_DIR", ROOT / "data"))
CATALOGUE_DIR = DATA_DIR / "catalogue"
UNITS_FILE = DATA_DIR / "units.csv"
LINEAGE_FILE = DATA_DIR / "lineage.csv"
SAMPLES_DIR = DATA_DIR / "samples"
DEFAULT_DB_FILE = DATA_DIR / "lgqa.sqlite"
