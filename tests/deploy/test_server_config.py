"""The committed server settings (.streamlit/config.toml): safe defaults, every key one Streamlit knows, read by
Streamlit as intended, and the deployment guide's reverse-proxy example (docs/operations.md) in step with the upload
cap."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from streamlit import config as st_config

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".streamlit" / "config.toml"
SAFE = {"server.maxUploadSize": 20, "server.enableXsrfProtection": True, "server.enableCORS": True,
        "client.showErrorDetails": "none", "browser.gatherUsageStats": False}


def _settings() -> dict[str, Any]:
    with CONFIG.open("rb") as fh:
        raw = tomllib.load(fh)
    return {f"{section}.{key}": value for section, table in raw.items() for key, value in table.items()}


def test_config_sets_an_upload_cap_xsrf_protection_no_error_details_and_no_usage_statistics() -> None:
    settings = _settings()
    cap = settings["server.maxUploadSize"]
    assert isinstance(cap, int) and 1 <= cap <= 50, "a return is a few hundred kB; Streamlit's default is 200 MB"
    assert settings["server.enableXsrfProtection"] is True
    assert settings["server.enableCORS"] is True
    assert settings["client.showErrorDetails"] == "none"
    assert settings["browser.gatherUsageStats"] is False


def test_every_setting_is_a_streamlit_option_with_a_valid_value() -> None:
    known = st_config.get_config_options()
    unknown = sorted(set(_settings()) - set(known))
    assert unknown == [], f"not Streamlit options (typos are ignored silently): {unknown}"
    allowed = {o.value for o in st_config.ShowErrorDetailsConfigOptions}
    assert _settings()["client.showErrorDetails"] in allowed


def test_streamlit_reads_the_file_as_intended() -> None:
    probe = ("import json\nfrom streamlit import config\nconfig.get_config_options(force_reparse=True)\n"
             f"print(json.dumps({{k: config.get_option(k) for k in {sorted(SAFE)!r}}}))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == SAFE


def test_the_shipped_proxy_configuration_upgrades_websockets_and_accepts_the_upload_cap() -> None:
    conf = (ROOT / "deploy" / "nginx" / "lgqa.conf").read_text(encoding="utf-8")
    upload = conf[conf.index("location /_stcore/upload_file"):conf.index("location /_stcore/stream")]
    body = re.search(r"client_max_body_size\s+(\d+)m;", upload)
    assert body and int(body.group(1)) >= _settings()["server.maxUploadSize"]
    for needed in ("location /_stcore/stream", "proxy_http_version 1.1", "proxy_set_header Upgrade $http_upgrade",
                   'proxy_set_header Connection "upgrade"', "ssl_certificate"):
        assert needed in conf, needed
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    deploying = operations.split("## Deploying", 1)[1].split("\n## ", 1)[0]
    for needed in ("deploy/nginx/lgqa.conf", "server.address", "127.0.0.1", "baseUrlPath", "systemd", "client_header"):
        assert needed in deploying, needed
    assert "lgqa_metrics backup" in operations.split("## Backups", 1)[1], "the guide says how to take backups"


def test_a_server_whose_settings_the_app_cannot_use_stops_at_its_start_naming_the_setting() -> None:
    """A bad value in data/settings.toml or an LGQA_* variable stops ``streamlit run serve.py`` before it serves
    anything, with the message on the console, rather than failing on a user's page later."""
    env = {**os.environ, "LGQA_PASSWORD_HASHING": "cheap", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.headless", "true",
                           "--server.port", "0", "--browser.gatherUsageStats", "false"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "password_hashing = 'cheap': use one of standard, light" in done.stdout + done.stderr
