"""kolab-dns: declare a Kolab deployment compactly, keep its mail DNS in sync through octoDNS."""

__version__ = "0.1.0"
