"""A local stand-in for the Cloudflare v4 API, sized to what octoDNS uses.

``octodns_cloudflare.CloudflareProvider`` (1.2.0) is pointed at it with
``api_url=fake.api_url``. Integration tests then exercise the real provider
code (pagination, payload shapes, record id matching, retries) without the
network. Covered: zone list/get/create/delete/plan change, available plans,
DNS record list/get/create/replace (PUT)/edit (PATCH)/delete, and an empty
page-rule list. Record and zone JSON mirror what Cloudflare returns: names
are FQDNs without the trailing dot, targets lose their trailing dot, TTL 1
means "automatic", MX/SRV carry ``priority``, CAA/SRV/... carry ``data``.

Error shapes follow the real API (``success: false`` plus ``errors`` with
``code`` and ``message``); the codes for auth (10000), identical record
(81058), CNAME clash (81053), duplicate zone (1061), missing record (81044)
and DNS validation (1004 wrapping e.g. 9021 for a bad TTL) are the real
ones. The code for the apex NS refusal (9000) is an approximation: today's
Cloudflare accepts apex NS records and ignores them, older versions
refused them; ``reject_apex_ns`` picks the behaviour.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import math
import socket
import threading
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple, Self
from urllib.parse import parse_qs, urlsplit

API_PREFIX = "/client/v4"
DEFAULT_TOKEN = "test-token"
DEFAULT_ACCOUNT_ID = "01a7362d577a6c3019a474fd6f485823"
DEFAULT_NAME_SERVERS = ("ada.ns.cloudflare.com", "bob.ns.cloudflare.com")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

AUTH_ERROR_CODE = 10000
VALIDATION_ERROR_CODE = 1004
INVALID_TTL_CODE = 9021
NOT_PROXIABLE_CODE = 9004
INVALID_CONTENT_CODE = 9005
APEX_NS_ERROR_CODE = 9000
CNAME_CONFLICT_CODE = 81053
IDENTICAL_RECORD_CODE = 81058
RECORD_NOT_FOUND_CODE = 81044
ZONE_EXISTS_CODE = 1061
PERMISSION_DENIED_CODE = 1068
NO_ROUTE_CODE = 7000
BAD_IDENTIFIER_CODE = 7003

PROXIABLE_TYPES = frozenset({"A", "AAAA", "CNAME"})
# Types whose rdata Cloudflare keeps in a structured ``data`` object.
DATA_TYPES = frozenset({"CAA", "DS", "HTTPS", "LOC", "NAPTR", "SRV", "SSHFP", "SVCB", "TLSA"})
# Types whose content is a host name: Cloudflare drops the trailing dot.
HOSTNAME_TYPES = frozenset({"CNAME", "MX", "NS", "PTR"})
PRIORITY_TYPES = frozenset({"MX", "SRV", "URI"})

PLANS: tuple[dict[str, Any], ...] = (
    {"id": "0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "name": "Free Website", "legacy_id": "free", "price": 0},
    {"id": "94f3b7b768b0458b56d2cac4fe5ec0f9", "name": "Pro Website", "legacy_id": "pro", "price": 20},
    {
        "id": "bf7a7cb4f1e0a2b0d6c8f9ab8fe0d2c1",
        "name": "Business Website",
        "legacy_id": "business",
        "price": 200,
    },
    {
        "id": "1ac039f6c29b691475c3d74fe588d1ae",
        "name": "Enterprise Website",
        "legacy_id": "enterprise",
        "price": 5000,
    },
)


class LoggedRequest(NamedTuple):
    """One request as received; ``path`` is relative to ``api_url``."""

    method: str
    path: str
    query: dict[str, str]


class ApiError(Exception):
    """Carries an HTTP status and Cloudflare ``errors`` up to the handler."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        chain: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        error: dict[str, Any] = {"code": code, "message": message}
        if chain:
            error["error_chain"] = chain
        self.errors = [error]


def _validation_error(code: int, message: str) -> ApiError:
    """Cloudflare wraps DNS validation failures in a generic 1004 error."""
    return ApiError(
        400,
        VALIDATION_ERROR_CODE,
        "DNS Validation Error",
        [{"code": code, "message": message}],
    )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _new_id() -> str:
    return uuid.uuid4().hex


def _zone_key(name: str) -> str:
    return name.rstrip(".").lower()


def _strip_dot(value: str) -> str:
    return value if value == "." else value.rstrip(".")


class _Fault:
    """A queued injected failure (see ``FakeCloudflare.fail_next``)."""

    def __init__(self, method: str, status: int, count: int, path_contains: str | None) -> None:
        self.method = method.upper()
        self.status = status
        self.remaining = count
        self.path_contains = path_contains

    def matches(self, method: str, path: str) -> bool:
        if self.method not in ("*", method):
            return False
        return self.path_contains is None or self.path_contains in path


class FakeCloudflare:
    """In-memory Cloudflare account served over HTTP on 127.0.0.1.

    ``max_per_page`` caps ``per_page`` (the provider asks for 50 zones and
    100 records) so tests can force pagination with a handful of objects.
    ``require_account_id`` makes ``POST /zones`` without ``account.id`` fail
    with 1068 "Permission denied", as Cloudflare does for tokens that are not
    tied to a single account; otherwise such zones land in ``account_id``.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        max_per_page: int = 5,
        account_id: str = DEFAULT_ACCOUNT_ID,
        require_account_id: bool = False,
        reject_apex_ns: bool = True,
        min_ttl: int = 60,
        name_servers: Iterable[str] = DEFAULT_NAME_SERVERS,
    ) -> None:
        if max_per_page < 1:
            raise ValueError("max_per_page must be at least 1")
        self.token = token
        self.max_per_page = max_per_page
        self.account_id = account_id
        self.require_account_id = require_account_id
        self.reject_apex_ns = reject_apex_ns
        self.min_ttl = min_ttl
        self.name_servers = list(name_servers)
        self._lock = threading.RLock()
        self._zones: dict[str, dict[str, Any]] = {}  # zone id -> zone
        self._records: dict[str, list[dict[str, Any]]] = {}  # zone id -> rrs
        self._log: list[LoggedRequest] = []
        self._faults: list[_Fault] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()

    # -- lifecycle -----------------------------------------------------

    def start(self) -> Self:
        """Bind an ephemeral port and serve from a daemon thread."""
        if self._server is not None:
            return self
        server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-cloudflare",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop keep-alive connections still open."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            conns = list(self._connections)
            self._connections.clear()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeCloudflare is not running")
        return self._server.server_address[1]

    @property
    def api_url(self) -> str:
        """Value for the provider's ``api_url`` kwarg (includes /client/v4)."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    # -- test helpers --------------------------------------------------

    def add_zone(
        self,
        name: str,
        *,
        status: str = "active",
        account_id: str | None = None,
    ) -> str:
        """Create a zone directly (no request logged); returns its id."""
        with self._lock:
            existing = self._zone_by_name(name)
            if existing is not None:
                return existing["id"]
            zone = self._new_zone(name, status, account_id or self.account_id)
            return zone["id"]

    def seed(self, zone_name: str, records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Pre-populate records, bypassing API validation.

        Each mapping takes the API body fields (``type``, ``name``,
        ``content`` or ``data``, ``ttl`` (default 1 = auto), ``priority``,
        ``proxied``, ``comment``, ``tags``). ``name`` may be relative, ``@``
        or ``''`` for the apex, or an FQDN. The zone is created if missing.
        """
        created = []
        with self._lock:
            zone_id = self.add_zone(zone_name)
            zone = self._zones[zone_id]
            for body in records:
                record = self._build_record(zone, dict(body), validate=False)
                self._records[zone_id].append(record)
                created.append(copy.deepcopy(record))
        return created

    def zones(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(list(self._zones.values()))

    def zone(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            return copy.deepcopy(self._zone_by_name(name))

    def records(self, zone_name: str) -> list[dict[str, Any]]:
        """Stored records of a zone as the API would return them."""
        with self._lock:
            zone = self._zone_by_name(zone_name)
            if zone is None:
                raise KeyError(zone_name)
            return copy.deepcopy(self._records[zone["id"]])

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    def write_requests(self) -> list[LoggedRequest]:
        """Requests that could have changed state (POST/PUT/PATCH/DELETE)."""
        return [r for r in self.requests if r.method in WRITE_METHODS]

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    def fail_next(
        self,
        method: str,
        status: int = 500,
        count: int = 1,
        *,
        path_contains: str | None = None,
    ) -> None:
        """Answer the next ``count`` matching requests with ``status``.

        ``method`` may be ``'*'``. The failing request does not touch the
        store. 429 and 502/503 are retried by the provider, 403 becomes an
        authentication error, other statuses surface as exceptions.
        """
        with self._lock:
            self._faults.append(_Fault(method, status, count, path_contains))

    # -- request dispatch (called from handler threads) ----------------

    def _handle(
        self,
        method: str,
        raw_path: str,
        authorization: str | None,
        body: bytes,
    ) -> tuple[int, dict[str, Any]]:
        split = urlsplit(raw_path)
        path = split.path
        if path.startswith(API_PREFIX):
            path = path[len(API_PREFIX) :] or "/"
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        with self._lock:
            self._log.append(LoggedRequest(method, path, query))
            fault = self._take_fault(method, path)
            try:
                if fault is not None:
                    raise ApiError(fault, *_fault_error(fault))
                if authorization != f"Bearer {self.token}":
                    raise ApiError(403, AUTH_ERROR_CODE, "Authentication error")
                if not split.path.startswith(API_PREFIX + "/"):
                    raise ApiError(404, NO_ROUTE_CODE, "No route for that URI")
                payload = self._parse_body(method, body)
                return 200, self._route(method, path, query, payload)
            except ApiError as e:
                return e.status, {
                    "success": False,
                    "errors": e.errors,
                    "messages": [],
                    "result": None,
                }

    def _take_fault(self, method: str, path: str) -> int | None:
        for fault in self._faults:
            if fault.matches(method, path):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault.status
        return None

    @staticmethod
    def _parse_body(method: str, body: bytes) -> dict[str, Any]:
        if method not in ("POST", "PUT", "PATCH") or not body:
            return {}
        try:
            payload = json.loads(body)
        except ValueError:
            raise ApiError(400, 6007, "Malformed JSON in request body") from None
        if not isinstance(payload, dict):
            raise ApiError(400, 6007, "Malformed JSON in request body")
        return payload

    def _route(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        body: dict[str, Any],
    ) -> dict[str, Any]:
        parts = [p for p in path.split("/") if p]
        if parts == ["zones"]:
            if method == "GET":
                return self._list_zones(query)
            if method == "POST":
                return _ok(self._create_zone(body))
        elif len(parts) >= 2 and parts[0] == "zones":
            zone = self._zones.get(parts[1])
            if zone is None:
                raise ApiError(
                    404,
                    BAD_IDENTIFIER_CODE,
                    f"Could not route to {path}, perhaps your object identifier is invalid?",
                )
            rest = parts[2:]
            if not rest:
                return self._zone_item(method, zone, body)
            if rest == ["available_plans"] and method == "GET":
                return _ok(_plans())
            if rest == ["pagerules"] and method == "GET":
                return _ok([])
            if rest == ["dns_records"]:
                if method == "GET":
                    return self._list_records(zone, query)
                if method == "POST":
                    return _ok(self._create_record(zone, body))
            elif len(rest) == 2 and rest[0] == "dns_records":
                return self._record_item(method, zone, rest[1], body)
        raise ApiError(404, NO_ROUTE_CODE, "No route for that URI")

    # -- zones ---------------------------------------------------------

    def _zone_by_name(self, name: str) -> dict[str, Any] | None:
        key = _zone_key(name)
        for zone in self._zones.values():
            if zone["name"] == key:
                return zone
        return None

    def _new_zone(self, name: str, status: str, account_id: str) -> dict[str, Any]:
        now = _now()
        free = PLANS[0]
        zone = {
            "id": _new_id(),
            "name": _zone_key(name),
            "status": status,
            "paused": False,
            "type": "full",
            "development_mode": 0,
            "name_servers": list(self.name_servers),
            "original_name_servers": None,
            "original_registrar": None,
            "original_dnshost": None,
            "created_on": now,
            "modified_on": now,
            "activated_on": now if status == "active" else None,
            "meta": {
                "step": 2,
                "custom_certificate_quota": 0,
                "page_rule_quota": 3,
                "phishing_detected": False,
            },
            "owner": {"id": None, "type": "user", "email": None},
            "account": {"id": account_id, "name": "Fake account"},
            "permissions": ["#dns_records:edit", "#dns_records:read", "#zone:edit", "#zone:read"],
            "plan": _plan_json(free),
        }
        self._zones[zone["id"]] = zone
        self._records[zone["id"]] = []
        return zone

    def _list_zones(self, query: dict[str, str]) -> dict[str, Any]:
        zones = list(self._zones.values())
        if "name" in query:
            zones = [z for z in zones if z["name"] == _zone_key(query["name"])]
        if "status" in query:
            zones = [z for z in zones if z["status"] == query["status"]]
        if "account.id" in query:
            zones = [z for z in zones if z["account"]["id"] == query["account.id"]]
        return self._paginate(zones, query, default_per_page=20)

    def _create_zone(self, body: dict[str, Any]) -> dict[str, Any]:
        name = body.get("name")
        if not isinstance(name, str) or "." not in name.strip("."):
            raise ApiError(400, 1097, "Invalid or missing zone name")
        account = body.get("account") or {}
        account_id = account.get("id") if isinstance(account, dict) else None
        if account_id is None and self.require_account_id:
            raise ApiError(400, PERMISSION_DENIED_CODE, "Permission denied")
        if account_id is not None and account_id != self.account_id:
            raise ApiError(400, PERMISSION_DENIED_CODE, "Permission denied")
        if self._zone_by_name(name) is not None:
            raise ApiError(400, ZONE_EXISTS_CODE, f"{_zone_key(name)} already exists.")
        # A freshly added zone waits for its delegation: status "pending".
        zone = self._new_zone(name, "pending", self.account_id)
        if body.get("type") in ("full", "partial", "secondary"):
            zone["type"] = body["type"]
        return zone

    def _zone_item(self, method: str, zone: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        if method == "GET":
            return _ok(zone)
        if method == "DELETE":
            del self._zones[zone["id"]]
            del self._records[zone["id"]]
            return _ok({"id": zone["id"]})
        if method == "PATCH":
            plan_id = (body.get("plan") or {}).get("id")
            if plan_id is not None:
                plan = next((p for p in PLANS if p["id"] == plan_id), None)
                if plan is None:
                    raise ApiError(400, 1006, "Invalid plan identifier")
                zone["plan"] = _plan_json(plan)
            if "paused" in body:
                zone["paused"] = bool(body["paused"])
            zone["modified_on"] = _now()
            return _ok(zone)
        raise ApiError(405, 7001, "Method not allowed for this endpoint")

    # -- records -------------------------------------------------------

    def _list_records(self, zone: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
        records = self._records[zone["id"]]
        if "type" in query:
            records = [r for r in records if r["type"] == query["type"].upper()]
        name = query.get("name.exact", query.get("name"))
        if name is not None:
            fqdn = _fqdn(zone["name"], name)
            records = [r for r in records if r["name"] == fqdn]
        content = query.get("content.exact", query.get("content"))
        if content is not None:
            records = [r for r in records if r["content"] == content]
        return self._paginate(records, query, default_per_page=100)

    def _create_record(self, zone: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        record = self._build_record(zone, body, validate=True)
        self._check_conflicts(zone, record, ignore_id=None)
        self._records[zone["id"]].append(record)
        return record

    def _record_item(
        self,
        method: str,
        zone: dict[str, Any],
        record_id: str,
        body: dict[str, Any],
    ) -> dict[str, Any]:
        records = self._records[zone["id"]]
        index = next((i for i, r in enumerate(records) if r["id"] == record_id), None)
        if index is None:
            raise ApiError(404, RECORD_NOT_FOUND_CODE, "Record does not exist.")
        old = records[index]
        if method == "GET":
            return _ok(old)
        if method == "DELETE":
            del records[index]
            return _ok({"id": record_id})
        if method in ("PUT", "PATCH"):
            if method == "PATCH":
                merged = _body_of(old)
                if "data" in body:
                    merged.pop("content", None)
                merged.update(body)
                body = merged
            new = self._build_record(zone, body, validate=True)
            new["id"] = old["id"]
            new["created_on"] = old["created_on"]
            self._check_conflicts(zone, new, ignore_id=old["id"])
            records[index] = new
            return _ok(new)
        raise ApiError(405, 7001, "Method not allowed for this endpoint")

    def _build_record(self, zone: dict[str, Any], body: dict[str, Any], *, validate: bool) -> dict[str, Any]:
        """Normalise an API body into the stored/returned record shape."""
        _type = str(body.get("type") or "").upper()
        if not _type:
            raise _validation_error(9000, "DNS record type is invalid.")
        data = body.get("data")
        name = body.get("name")
        if not name and _type == "SRV" and isinstance(data, dict):
            # Legacy clients only send service/proto/name inside ``data``.
            name = f"{data.get('service')}.{data.get('proto')}.{data.get('name')}"
        if name is None:
            raise _validation_error(9007, "DNS name is invalid.")
        fqdn = _fqdn(zone["name"], str(name))

        ttl = body.get("ttl", 1)
        proxied = bool(body.get("proxied", False))
        if validate:
            if not isinstance(ttl, int) or not (ttl == 1 or self.min_ttl <= ttl <= 86400):
                raise _validation_error(
                    INVALID_TTL_CODE,
                    f"Invalid TTL. Must be between {self.min_ttl} and 86400 seconds, or 1 for Automatic.",
                )
            if proxied and _type not in PROXIABLE_TYPES:
                raise _validation_error(NOT_PROXIABLE_CODE, "This record type cannot be proxied.")
            if self.reject_apex_ns and _type == "NS" and fqdn == zone["name"]:
                raise ApiError(
                    400,
                    APEX_NS_ERROR_CODE,
                    "NS records at the zone apex are managed by Cloudflare and cannot be created.",
                )
        if proxied:
            ttl = 1  # proxied records are always on automatic TTL

        record: dict[str, Any] = {
            "id": _new_id(),
            "zone_id": zone["id"],
            "zone_name": zone["name"],
            "name": fqdn,
            "type": _type,
        }
        if _type in DATA_TYPES and isinstance(data, dict):
            data = _normalise_data(_type, data)
            record["content"] = _content_from_data(_type, data)
            record["data"] = data
        else:
            content = body.get("content")
            if not isinstance(content, str) or content == "":
                raise _validation_error(
                    INVALID_CONTENT_CODE,
                    f"Content for {_type} record is invalid.",
                )
            record["content"] = _normalise_content(_type, content, validate)
        if _type in PRIORITY_TYPES:
            priority = body.get("priority")
            if _type == "SRV" and isinstance(data, dict):
                priority = data.get("priority", priority)
            if validate and not (isinstance(priority, int) and 0 <= priority <= 65535):
                raise _validation_error(9101, f"priority is required for {_type} records.")
            record["priority"] = priority
        now = _now()
        record.update(
            {
                "proxiable": _type in PROXIABLE_TYPES,
                "proxied": proxied,
                "ttl": ttl,
                "settings": {},
                "meta": {
                    "auto_added": False,
                    "managed_by_apps": False,
                    "managed_by_argo_tunnel": False,
                    "source": "primary",
                },
                "comment": body.get("comment") or None,
                "tags": list(body.get("tags") or []),
                "created_on": now,
                "modified_on": now,
            }
        )
        return record

    def _check_conflicts(
        self,
        zone: dict[str, Any],
        record: dict[str, Any],
        ignore_id: str | None,
    ) -> None:
        for other in self._records[zone["id"]]:
            if other["id"] == ignore_id or other["name"] != record["name"]:
                continue
            if other["type"] == record["type"] and (other["content"], other.get("priority")) == (
                record["content"],
                record.get("priority"),
            ):
                raise ApiError(
                    400,
                    IDENTICAL_RECORD_CODE,
                    "An identical record already exists.",
                )
            if "CNAME" in (other["type"], record["type"]):
                raise ApiError(
                    400,
                    CNAME_CONFLICT_CODE,
                    "An A, AAAA, or CNAME record with that host already exists.",
                )

    # -- pagination ----------------------------------------------------

    def _paginate(
        self,
        items: list[dict[str, Any]],
        query: dict[str, str],
        default_per_page: int,
    ) -> dict[str, Any]:
        try:
            page = int(query.get("page", 1))
            per_page = int(query.get("per_page", default_per_page))
        except ValueError:
            raise ApiError(400, 1001, "Invalid page or per_page parameter") from None
        if page < 1 or per_page < 1:
            raise ApiError(400, 1001, "Invalid page or per_page parameter")
        per_page = min(per_page, self.max_per_page)
        start = (page - 1) * per_page
        chunk = items[start : start + per_page]
        result = _ok(copy.deepcopy(chunk))
        result["result_info"] = {
            "page": page,
            "per_page": per_page,
            "count": len(chunk),
            "total_count": len(items),
            "total_pages": math.ceil(len(items) / per_page),
        }
        return result


# -- pure helpers ------------------------------------------------------


def _ok(result: Any) -> dict[str, Any]:
    return {
        "success": True,
        "errors": [],
        "messages": [],
        "result": copy.deepcopy(result),
    }


def _plan_json(plan: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": plan["id"],
        "name": plan["name"],
        "price": plan["price"],
        "currency": "USD",
        "frequency": "monthly" if plan["price"] else "",
        "is_subscribed": True,
        "can_subscribe": False,
        "legacy_id": plan["legacy_id"],
        "legacy_discount": False,
        "externally_managed": False,
    }


def _plans() -> list[dict[str, Any]]:
    return [_plan_json(p) for p in PLANS]


def _fault_error(status: int) -> tuple[int, str]:
    if status == 403:
        return AUTH_ERROR_CODE, "Authentication error"
    if status == 429:
        return 10100, "More than 1200 requests per 300 seconds reached."
    if status >= 500:
        return 10002, "An unknown error has occurred"
    return 1000, "Injected failure"


def _fqdn(zone_name: str, name: str) -> str:
    """Resolve a record name the way Cloudflare does (relative or FQDN)."""
    name = name.strip().rstrip(".").lower()
    if name in ("", "@", zone_name):
        return zone_name
    if name.endswith("." + zone_name):
        return name
    return f"{name}.{zone_name}"


def _normalise_content(_type: str, content: str, validate: bool) -> str:
    if _type in HOSTNAME_TYPES:
        return _strip_dot(content)
    if _type in ("A", "AAAA"):
        try:
            address = ipaddress.ip_address(content)
        except ValueError:
            address = None
        version = 4 if _type == "A" else 6
        if address is None or address.version != version:
            if validate:
                raise _validation_error(
                    INVALID_CONTENT_CODE,
                    f"Content for {_type} record must be a valid IPv{version} address.",
                )
            return content
        return str(address)
    return content


def _normalise_data(_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if _type == "SRV":
        # Current API answers SRV data with only these four keys.
        return {
            "priority": data.get("priority"),
            "weight": data.get("weight"),
            "port": data.get("port"),
            "target": _strip_dot(str(data.get("target", "."))),
        }
    return data


def _content_from_data(_type: str, d: Mapping[str, Any]) -> str:
    """The zone-file style ``content`` Cloudflare derives from ``data``."""
    if _type == "CAA":
        return f'{d.get("flags")} {d.get("tag")} "{d.get("value")}"'
    if _type == "SRV":
        return f"{d['weight']} {d['port']} {d['target']}"
    if _type == "DS":
        return f"{d.get('key_tag')} {d.get('algorithm')} {d.get('digest_type')} {d.get('digest')}"
    if _type == "SSHFP":
        return f"{d.get('algorithm')} {d.get('type')} {d.get('fingerprint')}"
    if _type == "TLSA":
        return f"{d.get('usage')} {d.get('selector')} {d.get('matching_type')} {d.get('certificate')}"
    if _type == "NAPTR":
        return (
            f'{d.get("order")} {d.get("preference")} "{d.get("flags")}" '
            f'"{d.get("service")}" "{d.get("regex")}" {d.get("replacement")}'
        )
    if _type == "LOC":
        return (
            f"{d.get('lat_degrees')} {d.get('lat_minutes')} "
            f"{d.get('lat_seconds')} {d.get('lat_direction')} "
            f"{d.get('long_degrees')} {d.get('long_minutes')} "
            f"{d.get('long_seconds')} {d.get('long_direction')} "
            f"{d.get('altitude')}m {d.get('size')}m "
            f"{d.get('precision_horz')}m {d.get('precision_vert')}m"
        )
    if _type in ("HTTPS", "SVCB"):
        value = str(d.get("value") or "").strip()
        return f"{d.get('priority')} {d.get('target')} {value}".rstrip()
    return json.dumps(dict(d), sort_keys=True)


def _body_of(record: Mapping[str, Any]) -> dict[str, Any]:
    """The writable fields of a stored record, as a PATCH base."""
    keys = ("type", "name", "content", "data", "ttl", "proxied", "priority", "comment", "tags")
    return {k: copy.deepcopy(record[k]) for k in keys if k in record}


def _make_handler(fake: FakeCloudflare) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """Thin HTTP shim: all behaviour lives in ``FakeCloudflare``."""

        protocol_version = "HTTP/1.1"  # keep-alive, like the real API
        timeout = 30  # idle keep-alive connections end eventually
        server_version = "cloudflare"
        sys_version = ""

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in separate writes: without NODELAY,
            # Nagle plus delayed ACK would add ~40 ms to every response.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with fake._lock:
                fake._connections.add(self.connection)

        def finish(self) -> None:
            with fake._lock:
                fake._connections.discard(self.connection)
            super().finish()

        def _dispatch(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, payload = fake._handle(self.command, self.path, self.headers.get("Authorization"), body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep pytest output clean; use fake.requests instead

    return Handler
