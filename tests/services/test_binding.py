"""The browser binding reads the token inside Streamlit's XSRF cookie whatever mask the server gave it; a connection is
named by that token and its websocket handshake key."""

from __future__ import annotations

import os

from hypothesis import given
from hypothesis import strategies as st
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

from lgqa_metrics.services.binding import browser_key, connection_key, xsrf_token


@given(st.binary(min_size=16, max_size=16), st.integers(min_value=0, max_value=2**31))
def test_every_masking_of_one_token_gives_the_same_browser_key(token: bytes, stamp: int) -> None:
    first, second = generate_xsrf_token_string(token, stamp), generate_xsrf_token_string(token, stamp)
    assert xsrf_token(first) == xsrf_token(second) == token
    assert browser_key(first) == browser_key(second) != browser_key(generate_xsrf_token_string(os.urandom(16)))


def test_no_cookie_or_a_broken_one_binds_to_nothing() -> None:
    assert browser_key(None) == browser_key("") == browser_key("2|zz|qq|1") == ""
    assert xsrf_token("00ff") == b"\x00\xff"  # version 1: the token unmasked


def test_a_connection_is_named_by_its_handshake_key_and_its_browsers_token() -> None:
    cookie = generate_xsrf_token_string(os.urandom(16))
    first = connection_key(cookie, "dGhlIHNhbXBsZSBub25jZQ==")
    assert first == connection_key(cookie, "dGhlIHNhbXBsZSBub25jZQ==") != ""
    assert first != connection_key(cookie, "b3RoZXIgY29ubmVjdGlvbg=="), "another connection of the same browser"
    assert first != connection_key(generate_xsrf_token_string(os.urandom(16)), "dGhlIHNhbXBsZSBub25jZQ==")
    assert connection_key(None, "dGhlIHNhbXBsZSBub25jZQ==") not in ("", first), "a handshake alone still names one"
    assert connection_key(None, None) == connection_key("", "") == "", "a run without a server (AppTest)"
