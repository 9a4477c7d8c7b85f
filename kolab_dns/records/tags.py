"""Tag-value lists (`k=v; k=v`) as DMARC, TLS-RPT, MTA-STS TXT and DKIM records write them.

The one parser of them: the declaration reads DKIM key files with it, `check` reads DNS with it.
"""

from __future__ import annotations


def parse(text: str) -> dict[str, str]:
    """Tags in order; names lower-case (DMARC and friends compare them so), values stripped."""
    out: dict[str, str] = {}
    for part in text.split(";"):
        name, eq, value = part.partition("=")
        if eq and name.strip():
            out[name.strip().lower()] = "".join(value.split()) if name.strip() == "p" else value.strip()
    return out


def differences(expected: dict[str, str], found: dict[str, str]) -> list[str]:
    """Human-readable tag differences, e.g. `p: quarantine expected, none found`."""
    out = []
    for key in dict.fromkeys([*expected, *found]):
        want, got = expected.get(key), found.get(key)
        if want != got:
            out.append(
                f"{key}: {want if want is not None else 'absent'} expected, "
                f"{got if got is not None else 'absent'} found"
            )
    return out
