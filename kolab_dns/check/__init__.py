"""`kolab-dns check`: what live DNS (and the MTA-STS web server) serve, against the declaration.

One module per family of checks; each returns Results. runner.py runs them concurrently and
report.py renders them. Nothing here writes to DNS.
"""
