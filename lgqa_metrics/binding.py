"""What binds a signed-in session to the browser it was signed in from.

Streamlit keeps a session's state on the server under the session's id, and a client that reconnects to
``/_stcore/stream`` giving an existing id is given that session — the id travels in every upload URL, so it
ends up in proxy logs. A sign-in therefore also records a digest of a secret only the signing-in browser holds,
and every later run must come from a request that carries it: the token of Streamlit's XSRF cookie, which the
server gives each browser once and re-masks on every page it serves (format ``2|mask|masked token|time``, or an
unmasked hex token), and which a client that only knows a session's id does not have.
"""

from __future__ import annotations

import binascii
import hashlib
from typing import Final

#: The cookie Streamlit sets for its double-submit XSRF check (on by default; kept on in .streamlit/config.toml).
XSRF_COOKIE: Final = "_streamlit_xsrf"


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
