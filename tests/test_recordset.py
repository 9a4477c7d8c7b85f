"""TXT values in master-file form: character-strings of at most 255 bytes that a DNS parser reads
back to the very text, whatever UTF-8 it holds."""

from __future__ import annotations

import dns.rdata
import dns.rdataclass
import dns.rdatatype
from hypothesis import given, settings
from hypothesis import strategies as st

from kolab_dns.recordset import quote_txt


def _read_back(presentation: str) -> list[bytes]:
    """The character-strings dnspython's master-file parser makes of a presentation."""
    rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.TXT, presentation)
    return list(rdata.strings)  # type: ignore[attr-defined]


def test_a_character_across_byte_255_is_not_cut_in_half() -> None:
    text = "google-site-verification=" + "a" * 229 + "é" + "b" * 10  # é is bytes 255 and 256
    assert text.encode()[254:256] == "é".encode()  # byte 255 of the value is the middle of é
    strings = _read_back(quote_txt(text))
    assert strings == [text.encode()[:254], text.encode()[254:]]
    assert b"".join(strings).decode("utf-8") == text


def test_a_four_byte_character_at_the_boundary() -> None:
    text = "x" * 253 + "\U0001f600" + "tail"
    strings = _read_back(quote_txt(text))
    assert [len(s) for s in strings] == [253, 8]
    assert b"".join(strings).decode("utf-8") == text


def test_ascii_splits_at_255_exactly_and_escapes_quotes() -> None:
    text = 'v=DKIM1; k=rsa; p="' + "A" * 400 + "\\"
    strings = _read_back(quote_txt(text))
    assert [len(s) for s in strings] == [255, len(text) - 255]
    assert b"".join(strings).decode() == text


def test_an_empty_value_is_one_empty_string() -> None:
    assert quote_txt("") == '""'
    assert _read_back(quote_txt("")) == [b""]


@settings(max_examples=300, deadline=None, database=None)
@given(st.integers(0, 300), st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=300))
def test_any_text_round_trips_in_strings_of_at_most_255_bytes(ascii_prefix: int, rest: str) -> None:
    text = "v" * ascii_prefix + rest  # so that multibyte characters land on and around byte 255
    strings = _read_back(quote_txt(text))
    assert all(len(s) <= 255 for s in strings)
    assert all(s.decode("utf-8") for s in strings if s)  # each one whole UTF-8 on its own
    assert b"".join(strings).decode("utf-8") == text
