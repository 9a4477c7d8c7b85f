"""The endpoints family as the runner sees it: tasks for the mail host (one per port, each a
single connection) and the per-domain web names."""

from __future__ import annotations

from collections.abc import Callable

from ...model import MailDomain
from ..context import CheckContext
from ..results import Result
from . import mail, stun, web
from .dialogues import CLIENT_SERVICES

Task = Callable[[], list[Result]]


def host_tasks(ctx: CheckContext) -> list[Task]:
    return [
        lambda: mail.check_mx(ctx),
        *(lambda s=s: mail.check_client_port(ctx, s) for s in CLIENT_SERVICES),
        lambda: web.check_host(ctx),
        lambda: stun.check(ctx),
    ]


def domain_checks(ctx: CheckContext, domain: MailDomain) -> list[Result]:
    return web.check_domain(ctx, domain)
