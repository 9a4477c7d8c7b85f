"""What every command shares: the run's context, one-line errors, and picking declared domains.

Exit codes: 0 success; 1 error (bad input, provider failure, refused plan, a failing check); 2 with
`plan --detailed-exitcode` when changes are pending (as Terraform does), and for `check` when DNS
could not be queried.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

import click

from .. import logs, names
from ..errors import KolabDnsError
from ..model import Declaration, MailDomain
from ..project import Project

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


@dataclass
class Context:
    project: Project
    verbosity: int


def fail(message: str) -> None:
    click.echo(f"kolab-dns: error: {logs.REDACTOR.redact(message)}", err=True)
    sys.exit(EXIT_ERROR)


def warn(messages: Iterable[str]) -> None:
    for m in messages:
        click.echo(f"kolab-dns: warning: {m}", err=True)


def note(message: str) -> None:
    """Progress and side effects go to stderr, so stdout stays the command's result."""
    click.echo(f"kolab-dns: {message}", err=True)


def handled(func: Callable[..., Any]) -> Callable[..., Any]:
    """Every error becomes one line on stderr and exit 1; --debug keeps the traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context().find_object(Context)
        try:
            return func(*args, **kwargs)
        except KolabDnsError as e:
            if ctx and ctx.verbosity >= 2 and e.__cause__ is not None:  # a provider's own failure
                click.echo(logs.REDACTOR.redact("".join(traceback.format_exception(e.__cause__))), err=True)
            fail(str(e))
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as e:  # provider and network failures surface from octoDNS as anything
            if ctx and ctx.verbosity >= 2:
                click.echo(logs.REDACTOR.redact(traceback.format_exc()), err=True)
            cause = " ".join(str(e).split()) or e.__class__.__name__
            fail(f"{e.__class__.__name__}: {cause}")

    return wrapper


def pick_domain(decl: Declaration, name: str) -> MailDomain:
    """The declared domain a user named, in any spelling (case, trailing dot, Unicode or IDNA)."""
    try:
        found = decl.domain(names.to_ascii(name))
    except names.InvalidName as e:
        raise KolabDnsError(f"{name!r}: {e}") from None
    if found is None:
        raise KolabDnsError(f"{name!r} is not a domain of this declaration")
    return found


def pick_domains(decl: Declaration, wanted: Iterable[str]) -> list[MailDomain]:
    return [pick_domain(decl, name) for name in wanted]
