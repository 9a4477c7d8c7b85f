"""`check --endpoints`: what the mail host serves to senders and clients, beyond DNS.

SMTP on 25 (banner, EHLO, STARTTLS, certificate for the MX name, TLSA), submission on 465/587,
IMAP on 143/993, ManageSieve on 4190 (reachable, TLS 1.2 or newer, certificate valid for the host,
days left), HTTPS on 443 (autoconfig, Outlook autodiscover, the MTA-STS host's certificate) and a
STUN binding on UDP 3478. Every host and port is contacted once per run, whatever the number of
domains: the host's ports belong to the host, only the per-domain web names are per domain.
"""
