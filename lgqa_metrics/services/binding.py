"""What ties a sign-in to the browser and the connection it was made from (the design is in
:mod:`lgqa_metrics.store.web_sessions`).

Streamlit keeps a session's state on the server under the session's id, and a client that reconnects to
``/_stcore/stream`` giving an existing id is given that session — the id travels in every upload URL, so it ends up
in proxy logs. Two secrets of the browser's own tell its requests apart from such a client's:

- the token of Streamlit's XSRF cookie, which the server gives each browser once and re-masks on every page it
  serves (format ``2|mask|masked token|time``, or an unmasked hex token): :func:`browser_key`, with which only the
  signing-in browser may take its session cookie;
- for the one connection on which a password was typed (before the session cookie existed), that connection's
  websocket handshake key, which the browser makes up for each connection and no page script can read, together
  with the XSRF token: :func:`connection_key`. Any other connection must carry the session cookie.
"""

from __future__ import annotations

import binascii
import hashlib
from typing import Final

#: The cookie Streamlit sets for its double-submit XSRF check (on by default; kept on in .streamlit/config.toml).
XSRF_COOKIE: Final = "_streamlit_xsrf"
#: The handshake header that names one websocket connection (RFC 6455: a fresh random value per connection).
WEBSOCKET_KEY: Final = "Sec-WebSocket-Key"


def xsrf_token(cookie: str | None) -> bytes | None:
    """The token inside Streamlit's XSRF cookie value (unmasked), or None when there is none to read."""
    value = (cookie or "").strip("\"'")
    try:
        if value.startswith("2|"):
            _, mask, masked, _ = value.split("|")
            mask_bytes, masked_bytes = binascii.a2b_hex(mask), binascii.a2b_hex(masked)
            repeated = (mask_bytes * (len(masked_bytes) // max(len(mask_bytes), 1) + 1))[: len(masked_bytes)]
            return bytes(a ^ b for a, b in zip(repeated, masked_bytes, strict=True)) or None
        return binascii.a2b_hex(value) or None
    except (ValueError, binascii.Error):
        return None


def browser_key(cookie: str | None) -> str:
    """A digest of the browser's own token ("" when its request carries none: a test run without a browser)."""
    token = xsrf_token(cookie)
    return hashlib.sha256(b"lgqa-browser:" + token).hexdigest() if token else ""


def connection_key(cookie: str | None, websocket_key: str | None) -> str:
    """A digest naming one connection of one browser: its XSRF token and its websocket handshake key ("" only when
    the run has neither: a test run without a server; a real connection always has a handshake key)."""
    token = xsrf_token(cookie) or b""
    handshake = (websocket_key or "").strip().encode("ascii", "replace")
    if not token and not handshake:
        return ""
    return hashlib.sha256(b"lgqa-connection:" + token + b"\x00" + handshake).hexdigest()
