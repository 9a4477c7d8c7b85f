"""Real mail servers from Debian on loopback for `check --endpoints`: postfix (25, 465, 587),
dovecot (IMAP 143/993, ManageSieve 4190) and coturn (STUN/TURN on UDP 3478).

The check connects to the standard ports (`--address` only changes the address), so each set of
servers gets a loopback address of its own (all of 127/8 is local) and binds the standard ports
there: this needs root. Lifecycle as in servers.py: own session, PR_SET_PDEATHSIG, stopped by PID
after /proc shows it is still ours.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
from pathlib import Path

from .servers import ServerStartError, _Server

POSTFIX_DAEMONS = Path("/usr/lib/postfix/sbin")
SMTP_PORTS = (25, 465, 587)
DOVECOT_PORTS = (143, 993, 4190)
STUN_PORT = 3478
BINARIES = {"postfix": "postfix", "dovecot-imapd": "dovecot", "coturn": "turnserver"}

_handed_out: set[str] = set()


def missing() -> str:
    """Why these servers cannot run here ("" when they can): a reason for pytest.skip."""
    if os.geteuid() != 0:
        return "binds the standard mail ports (25, 143, 465, ...) on a loopback address: needs root"
    absent = [pkg for pkg, binary in BINARIES.items() if shutil.which(binary) is None]
    if absent:
        return f"Debian packages missing: {', '.join(absent)} (make system-deps)"
    return ""


def free_address(tcp: tuple[int, ...], udp: tuple[int, ...] = ()) -> str:
    """A loopback address other than 127.0.0.1 where every given port is free."""
    for _ in range(200):
        address = f"127.{random.randint(64, 250)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        if address in _handed_out:
            continue
        try:
            for port in tcp:
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                    s.bind((address, port))
            for port in udp:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.bind((address, port))
        except OSError:
            continue
        _handed_out.add(address)
        return address
    raise RuntimeError("no loopback address with the mail ports free")


def accepts(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=1.0):
            return True
    except OSError:
        return False


def udp_bound(address: str, port: int) -> bool:
    """Whether something is bound to address:port over UDP, read from /proc (no packet sent)."""
    want = f"{socket.inet_aton(address)[::-1].hex().upper()}:{port:04X}"
    lines = Path("/proc/net/udp").read_text().splitlines()[1:]
    return any(line.split()[1] == want for line in lines)


class _MailServer(_Server):
    def __init__(self, prefix: str, startup_timeout: float | None) -> None:
        super().__init__(prefix, startup_timeout)
        self.dir.chmod(0o755)  # the daemons' unprivileged users must reach their files

    def _ready(self, address: str, ports: tuple[int, ...]) -> None:
        self._wait_until(f"listening on {address} {ports}", lambda: all(accepts(address, p) for p in ports))


class Postfix(_MailServer):
    """smtpd on 25 (STARTTLS unless starttls=False), 465 (implicit TLS) and 587 (STARTTLS
    required); `certs` overrides the certificate (cert, key) of one port."""

    comm = "master"
    log_name = "maillog"

    def __init__(
        self,
        address: str,
        hostname: str,
        cert: Path,
        key: Path,
        *,
        starttls: bool = True,
        certs: dict[int, tuple[Path, Path]] | None = None,
        startup_timeout: float | None = None,
    ) -> None:
        super().__init__("kolab-dns-postfix-", startup_timeout)
        self.address = address
        conf, queue, data = self.dir / "conf", self.dir / "queue", self.dir / "data"
        for d in (conf, queue, data):
            d.mkdir(mode=0o755)
        shutil.chown(data, "postfix")
        main = {
            "compatibility_level": "3.6",
            "queue_directory": queue,
            "data_directory": data,
            "command_directory": "/usr/sbin",
            "daemon_directory": POSTFIX_DAEMONS,
            "meta_directory": "/etc/postfix",
            "shlib_directory": "/usr/lib/postfix",
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "myhostname": hostname,
            "mydestination": "",
            "alias_maps": "",
            "alias_database": "",
            "inet_interfaces": "loopback-only",  # the services below bind their own address
            "inet_protocols": "ipv4",
            "smtpd_peername_lookup": "no",  # no DNS for the client's name: nothing leaves loopback
            "smtp_dns_support_level": "disabled",
            "maillog_file": self.log_path,
            "maillog_file_prefixes": self.dir,
            "smtpd_tls_cert_file": cert,
            "smtpd_tls_key_file": key,
            "smtpd_tls_security_level": "may",
            "smtpd_tls_protocols": ">=TLSv1.2",
            "smtpd_tls_mandatory_protocols": ">=TLSv1.2",
        }
        (conf / "main.cf").write_text("".join(f"{k} = {v}\n" for k, v in main.items()))

        def opts(port: int, *extra: str) -> str:
            pair = (certs or {}).get(port)
            more = list(extra)
            if pair:
                more += [f"smtpd_tls_cert_file={pair[0]}", f"smtpd_tls_key_file={pair[1]}"]
            return "".join(f" -o {o}" for o in more)

        smtp_25 = opts(25, *(() if starttls else ("smtpd_tls_security_level=none",)))
        services = [
            f"{address}:25 inet n - n - - smtpd{smtp_25}",
            f"{address}:587 inet n - n - - smtpd{opts(587, 'smtpd_tls_security_level=encrypt')}",
            f"{address}:465 inet n - n - - smtpd{opts(465, 'smtpd_tls_wrappermode=yes')}",
            *(f"{name} unix - - n {wake} {limit} {cmd}" for name, wake, limit, cmd in _UNIX_SERVICES),
            "postlog unix-dgram n - n - 1 postlogd",
        ]
        (conf / "master.cf").write_text("\n".join(services) + "\n")
        self.conf = conf
        self._start_with_retries(self._attempt, attempts=1)

    def _attempt(self) -> None:
        check = subprocess.run(
            ["postfix", "-c", str(self.conf), "check"], capture_output=True, text=True, check=False
        )
        if check.returncode:
            raise ServerStartError(f"postfix check failed: {check.stdout}{check.stderr}\n{self.log_tail()}")
        self._spawn([str(POSTFIX_DAEMONS / "master"), "-c", str(self.conf), "-d"])
        self._ready(self.address, SMTP_PORTS)


# Postfix's own unix-socket services: (name, wakeup, process limit, command), as Debian ships them.
_UNIX_SERVICES = (
    ("pickup", "60", "1", "pickup"),
    ("cleanup", "-", "0", "cleanup"),
    ("qmgr", "300", "1", "qmgr"),
    ("tlsmgr", "1000?", "1", "tlsmgr"),
    ("rewrite", "-", "-", "trivial-rewrite"),
    ("bounce", "-", "0", "bounce"),
    ("defer", "-", "0", "bounce"),
    ("trace", "-", "0", "bounce"),
    ("verify", "-", "1", "verify"),
    ("flush", "1000?", "0", "flush"),
    ("proxymap", "-", "-", "proxymap"),
    ("smtp", "-", "-", "smtp"),
    ("relay", "-", "-", "smtp"),
    ("showq", "-", "-", "showq"),
    ("error", "-", "-", "error"),
    ("retry", "-", "-", "error"),
    ("discard", "-", "-", "discard"),
    ("local", "-", "-", "local"),
    ("anvil", "-", "1", "anvil"),
    ("scache", "-", "1", "scache"),
)


class Dovecot(_MailServer):
    """IMAP with STARTTLS on 143, implicit TLS on 993, ManageSieve on 4190 (unless sieve=False)."""

    comm = "dovecot"

    def __init__(
        self,
        address: str,
        cert: Path,
        key: Path,
        *,
        sieve: bool = True,
        startup_timeout: float | None = None,
    ) -> None:
        super().__init__("kolab-dns-dovecot-", startup_timeout)
        self.address = address
        self.ports = DOVECOT_PORTS if sieve else DOVECOT_PORTS[:2]
        for d in ("run", "state", "home"):
            (self.dir / d).mkdir(mode=0o755)
        sieve_service = "service managesieve-login {\n  inet_listener sieve {\n    port = 4190\n  }\n}\n"
        self.conf = self.dir / "dovecot.conf"
        self.conf.write_text(
            f"base_dir = {self.dir / 'run'}\n"
            f"state_dir = {self.dir / 'state'}\n"
            f"log_path = {self.log_path}\n"
            f"protocols = imap{' sieve' if sieve else ''}\n"
            f"listen = {address}\n"
            "ssl = yes\n"
            f"ssl_cert = <{cert}\n"
            f"ssl_key = <{key}\n"
            "ssl_min_protocol = TLSv1.2\n"
            f"mail_location = maildir:{self.dir / 'home'}/%u\n"
            "passdb {\n  driver = static\n  args = nopassword=y\n}\n"
            f"userdb {{\n  driver = static\n  args = uid=nobody gid=nogroup home={self.dir / 'home'}/%u\n}}\n"
            "service imap-login {\n"
            "  inet_listener imap {\n    port = 143\n  }\n"
            "  inet_listener imaps {\n    port = 993\n    ssl = yes\n  }\n}\n"
            + (sieve_service if sieve else "")
        )
        self._start_with_retries(self._attempt, attempts=1)

    def _attempt(self) -> None:
        self._spawn(["dovecot", "-F", "-c", str(self.conf)])
        self._ready(self.address, self.ports)


class Coturn(_MailServer):
    """turnserver answering STUN on UDP 3478 (TLS, TCP and the CLI off); `pause()` makes it a
    silent TURN server (SIGSTOP: the port stays bound, nothing answers) until `resume()`."""

    comm = "turnserver"

    def __init__(self, address: str, realm: str, *, startup_timeout: float | None = None) -> None:
        super().__init__("kolab-dns-coturn-", startup_timeout)
        self.address = address
        self.argv = [
            "turnserver",
            "-n",
            f"--listening-ip={address}",
            f"--listening-port={STUN_PORT}",
            f"--relay-ip={address}",
            "--min-port=49152",
            "--max-port=49252",
            "--no-tls",
            "--no-dtls",
            "--no-tcp",
            "--no-cli",
            "--no-auth",
            f"--realm={realm}",
            f"--userdb={self.dir / 'turndb'}",
            f"--pidfile={self.dir / 'turnserver.pid'}",
            "--log-file=stdout",
            "--simple-log",
        ]
        self._start_with_retries(self._attempt, attempts=1)

    def _attempt(self) -> None:
        self._spawn(self.argv)
        self._wait_until(f"UDP {self.address}:{STUN_PORT} bound", lambda: udp_bound(self.address, STUN_PORT))

    def pause(self) -> None:
        self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        self._signal(signal.SIGCONT)

    def stop(self, timeout: float = 5.0) -> None:
        self.resume()  # a stopped process would hold SIGTERM until killed
        super().stop(timeout)
