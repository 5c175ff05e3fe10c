"""The shipped reverse-proxy configuration (deploy/nginx/lgqa.conf) is valid nginx and keeps its limits: checked
with the real ``nginx -t``, with a certificate made for the test."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "nginx" / "lgqa.conf"


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx not found: .ci/run must install Debian's nginx-light")
        pytest.skip("nginx not installed (apt-get install nginx-light)")
    return found


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "iso18091.example.gov.vn")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_the_shipped_nginx_configuration_passes_nginx_t(tmp_path: Path) -> None:
    nginx = _nginx()
    cert, key = _certificate(tmp_path)
    site = CONF.read_text(encoding="utf-8").replace("/etc/ssl/lgqa/fullchain.pem", str(cert)) \
        .replace("/etc/ssl/lgqa/privkey.pem", str(key))
    (tmp_path / "lgqa.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/lgqa.conf;\n}}\n", encoding="utf-8")
    run = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "syntax is ok" in run.stderr and "test is successful" in run.stderr


def test_the_upload_path_is_limited_per_client_and_in_size() -> None:
    """Streamlit keeps uploaded files in memory for any session: the proxy limits them before the app."""
    text = CONF.read_text(encoding="utf-8")
    upload = text[text.index("location /_stcore/upload_file"):text.index("location /_stcore/stream")]
    assert "limit_req zone=lgqa_upload" in upload and "limit_conn lgqa_conn" in upload
    assert "client_max_body_size 21m" in upload
    server_config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert "maxUploadSize = 20" in server_config
    assert text.count("proxy_set_header X-Real-IP $remote_addr;") == 3  # every location: the throttle's address
