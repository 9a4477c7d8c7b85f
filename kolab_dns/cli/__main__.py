"""`python -m kolab_dns.cli`, the same as the installed `kolab-dns`."""

from . import main

main()
