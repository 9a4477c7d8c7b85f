"""How endpoint probes connect: where to (`--address`), whom to trust, how long to wait.

`--address` tests a deployment before DNS points at it: connections go there, but TLS still
verifies the real host names. KOLAB_DNS_CA_BUNDLE (as for the MTA-STS fetch) trusts one PEM file
instead of the system's CAs, for tests and staging.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass

TIMEOUT = 10.0


@dataclass(frozen=True)
class EndpointSettings:
    address: str | None = None  # --address: connect here instead of the resolved address
    ca_bundle: str | None = None
    timeout: float = TIMEOUT

    def context(self, verify: bool = True) -> ssl.SSLContext:
        """The client context: the system's (or the bundle's) CAs, the host name checked, TLS 1.2
        at least. Unverified only to read a refused certificate for the report."""
        ctx = ssl.create_default_context(cafile=self.ca_bundle)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        if not verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx
