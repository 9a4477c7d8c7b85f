"""What every check needs: the declaration, the resolver, the options, and who can fix what."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .. import names, ownership
from ..model import Declaration, MailDomain
from ..records import report_auth
from .endpoints.settings import EndpointSettings
from .https import HttpsSettings
from .resolver import DnsError, Resolver


@dataclass(frozen=True)
class CheckContext:
    decl: Declaration
    resolver: Resolver
    https: HttpsSettings = field(default_factory=HttpsSettings)
    # --dkim-key: (selector, private key path, k=, public half); the private key itself is not kept
    dkim_keys: tuple[tuple[str, str, str, str], ...] = ()
    endpoints: EndpointSettings | None = None  # --endpoints: probe the host's ports too

    @cached_property
    def _domains(self) -> dict[str, MailDomain]:
        return {d.name: d for d in self.decl.domains}

    @cached_property
    def _zones(self) -> dict[str, str]:
        return self.decl.zone_providers()

    @cached_property
    def report_auth(self) -> tuple[str | None, frozenset[str]]:
        """The DMARC report domain and the mail domains it must authorize (RFC 7489 §7.1)."""
        needing = report_auth.needing_authorization(self.decl)
        return report_auth.report_domain(self.decl), frozenset(d.name for d in needing)

    def owner(self, name: str) -> MailDomain | None:
        """The declared mail domain a name belongs to (the longest one it lies under)."""
        zone = names.longest_zone(name, self._domains)
        return self._domains.get(zone) if zone else None

    def managed(self, name: str) -> bool:
        """Whether kolab-dns publishes records at this name (a managed zone holds it)."""
        owner = self.owner(name)
        if owner is not None and not owner.managed:
            return False
        return names.longest_zone(name, self._zones) is not None

    def publish_hint(self, name: str) -> str:
        """How an expected record gets published: by sync, or by whoever runs that DNS."""
        if self.managed(name):
            return "`kolab-dns sync` publishes the declared records"
        owner = self.owner(name)
        if owner is not None and not owner.managed:
            return (
                f"{owner.name}'s DNS is run elsewhere: hand its operator "
                f"`kolab-dns render --domain {owner.name} --format zone`"
            )
        return f"{name} is in no zone kolab-dns manages: set it where that zone is hosted"

    def published(self, anchor: str, name: str, rdtype: str) -> bool | None:
        """Whether kolab-dns's marker at anchor lists (name, rdtype); None when unknown."""
        try:
            texts = self.resolver.values(ownership.marker_name(anchor), "TXT")
        except DnsError:
            return None
        claims = set().union(*(ownership.expand_marker(anchor, t) for t in texts))
        return (name, rdtype) in claims

    def sync_hint(self, anchor: str, name: str, rdtype: str, shared: bool) -> str:
        """What `kolab-dns sync` does about a record set that differs from the declaration."""
        if not self.managed(name):
            return f"set the expected values: {self.publish_hint(name)}"
        if shared or self.published(anchor, name, rdtype):
            return "`kolab-dns sync` restores the declared values"
        return (
            "kolab-dns never published this record set, so `kolab-dns sync` refuses to overwrite it: "
            "remove the values kolab-dns did not publish, or sync with --adopt"
        )
