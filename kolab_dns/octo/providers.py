"""The octoDNS providers of a repository (`providers/NAME.yaml`), checked before any is contacted.

Each file names an octoDNS provider class and its keyword arguments. Before a plan, the class must
import, take every key given, and accept the values (it is built once, as octoDNS will), and every
`env/VAR` secret it names must be set; each mistake is one located error rather than a traceback
halfway through a sync. `env/` values are octoDNS's own syntax, resolved by octoDNS's own
EnvironSecrets, and their values are masked in every message and log (logs.REDACTOR).
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from octodns.secret.environ import EnvironSecrets

from .. import logs
from ..errors import DeclarationError
from ..located import LDict, load_file
from ..model import Declaration
from ..project import Project

ENV_PREFIX = "env/"
_PATH_KWARGS = ("directory",)  # relative paths in these keys are relative to the repository
#: Keys whose literal values are secrets even when not taken from env/ (bad practice, masked anyway).
SECRET_KEY = re.compile(r"(secret|token|password|passwd|api_?key|credentials?)$", re.IGNORECASE)
_ENVIRON = EnvironSecrets("env")


def env_reference(value: Any) -> tuple[str, str | None] | None:
    """(VAR, default) of an `env/VAR[/default]` value (default None when there is none), else None.
    An empty default (`env/VAR/`) is a default, as octoDNS reads it."""
    if not isinstance(value, str) or not value.startswith(ENV_PREFIX):
        return None
    var, slash, default = value[len(ENV_PREFIX) :].partition("/")
    return var, default if slash else None


def secret_values(config: Mapping[str, object]) -> list[str]:
    """The secret values of one provider config: what its env/ references resolve to (the default
    too), and literal values of keys named like secrets."""
    out: list[str] = []
    for key, value in config.items():
        ref = env_reference(value)
        if ref is not None:
            out += [os.environ.get(ref[0], ""), ref[1] or ""]
        elif SECRET_KEY.search(str(key)) and isinstance(value, (str, int)):
            out.append(str(value))
    return [v for v in out if v]


def resolve(value: Any) -> Any:
    """A config value as octoDNS will see it: env/ references read from the environment."""
    if env_reference(value) is None:
        return value
    return _ENVIRON.fetch(value[len(ENV_PREFIX) :], None)


@dataclass(frozen=True)
class Provider:
    name: str
    file: str
    config: dict[str, Any]  # class + kwargs, `env/VAR` left unresolved (octoDNS resolves them)
    lines: dict[str, int] = field(default_factory=dict)  # kwarg -> line, for messages

    @property
    def class_path(self) -> str:
        return str(self.config["class"])

    def provider_class(self) -> type:
        module_name, _, class_name = self.class_path.rpartition(".")
        cls: type = getattr(importlib.import_module(module_name), class_name)
        return cls


class Providers:
    """The provider files of one repository, each loaded and checked once."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._loaded: dict[str, Provider] = {}

    def get(self, name: str, key: str = "", line: int | None = None) -> Provider:
        """The provider NAME; key and line say where the declaration named it, for messages."""
        if name in self._loaded:
            return self._loaded[name]
        directory = os.path.join(self.project.root, "providers")
        path = os.path.join(directory, f"{name}.yaml")
        if not os.path.exists(path):
            available = (
                sorted(f[:-5] for f in os.listdir(directory) if f.endswith(".yaml"))
                if os.path.isdir(directory)
                else []
            )
            raise DeclarationError(
                f"provider {name!r} has no file providers/{name}.yaml "
                f"(available: {', '.join(available) or 'none'})",
                self.project.display(self.project.declaration_path),
                line,
                key or None,
            )
        doc = load_file(path, self.project.display(path), "provider file")
        data = doc.data
        if not isinstance(data, LDict) or "class" not in data:
            raise doc.error(
                "expected a mapping with a 'class:' key (an octoDNS provider class)",
                "class",
                getattr(data, "line", 1),
            )
        config = dict(data)
        for k in _PATH_KWARGS:
            if isinstance(config.get(k), str) and not os.path.isabs(config[k]):
                config[k] = os.path.join(self.project.root, config[k])
        provider = Provider(name, doc.file, config, dict(data.lines))
        logs.REDACTOR.add(secret_values(config))  # before anything can print them
        _check_class(provider, data)
        self._loaded[name] = provider
        return provider

    def for_zones(
        self, decl: Declaration, zones: dict[str, str] | None = None, with_secrets: bool = True
    ) -> dict[str, Provider]:
        """The provider of every zone in use (default: all of decl's), validated."""
        out: dict[str, Provider] = {}
        lines = _provider_lines(decl)
        for zone, name in (decl.zone_providers() if zones is None else zones).items():
            if name not in out:
                key, line = lines.get(zone, ("", None))
                out[name] = self.get(name, key, line)
                if with_secrets:
                    check_secrets(out[name])
                    check_construct(out[name])
        return out


def check_secrets(provider: Provider) -> None:
    """Every env/VAR secret a provider needs is set (octoDNS would fail mid-run otherwise)."""
    for key, value in provider.config.items():
        ref = env_reference(value)
        if ref is not None and ref[0] not in os.environ and ref[1] is None:
            raise DeclarationError(
                f"environment variable {ref[0]} is not set", provider.file, provider.lines.get(key), key
            )


def check_construct(provider: Provider) -> None:
    """Build the provider as octoDNS will (no request is sent), so a value its class rejects is
    reported with file and line before anything is planned."""
    kwargs = {k: resolve(v) for k, v in provider.config.items() if k != "class"}
    try:
        provider.provider_class()(provider.name, **kwargs)
    except Exception as e:
        raise construction_error(provider, e) from None


def construction_error(provider: Provider, e: Exception) -> DeclarationError:
    """A provider class rejecting its configuration, pointed at the key whose value it names."""
    text = " ".join(str(e).split()) or e.__class__.__name__
    key = "class"
    for k, v in provider.config.items():
        shown = str(v)
        if k != "class" and env_reference(v) is None and len(shown) >= 2 and repr(shown) in text:
            key = k
    return DeclarationError(
        f"{provider.class_path} rejects this configuration: {e.__class__.__name__}: {text}",
        provider.file,
        provider.lines.get(key),
        key,
    )


def _check_class(provider: Provider, data: LDict) -> None:
    line = data.lines.get("class")
    if not isinstance(data["class"], str):
        raise DeclarationError(
            "expected a class path such as octodns_powerdns.PowerDnsProvider", provider.file, line, "class"
        )
    module_name, _, class_name = provider.class_path.rpartition(".")
    try:
        module = importlib.import_module(module_name) if module_name else None
    except ImportError as e:
        raise DeclarationError(
            f"cannot import module {module_name!r}: {e.msg}", provider.file, line, "class"
        ) from None
    cls = getattr(module, class_name, None) if module is not None else None
    if not isinstance(cls, type):
        raise DeclarationError(f"class {provider.class_path!r} does not exist", provider.file, line, "class")
    _check_kwargs(cls, provider, data)


def _check_kwargs(cls: type, provider: Provider, data: LDict) -> None:
    """Keys the provider class does not take, or required ones missing, as located errors.

    octoDNS would report them as a TypeError with a traceback and no file or line. A class whose
    constructors all pass **kwargs on to object leaves the check to octoDNS.
    """
    known: set[str] = set()
    required: list[str] = []
    complete = False
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        try:
            params = list(inspect.signature(init).parameters.values())[1:]  # without self
        except (TypeError, ValueError):
            return
        first = not known  # the constructor octoDNS calls: its arguments without default are required
        for p in params:
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
                if first and p.default is p.empty and p.name != "id":
                    required.append(p.name)
                known.add(p.name)
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            complete = True
            break
    known.discard("id")
    for k in data:
        if complete and k != "class" and k not in known:
            hint = difflib.get_close_matches(str(k), sorted(known), n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise DeclarationError(
                f"{provider.class_path} takes no key {k!r}{extra}", provider.file, data.lines[k], str(k)
            )
    for k in required:
        if k not in data:
            raise DeclarationError(
                f"missing required key for {provider.class_path}", provider.file, data.line, k
            )


def _provider_lines(decl: Declaration) -> dict[str, tuple[str, int | None]]:
    """Where each zone's provider was named, for messages about a missing provider file."""
    out: dict[str, tuple[str, int | None]] = {}
    for d in decl.domains:
        key = "default_provider" if d.provider == decl.default_provider else "provider"
        out.setdefault(d.zone, (key, decl.lines.get(key, d.line)))
    for zone in decl.zones:
        out[zone] = (f"zones.{zone}", decl.lines.get(f"zones.{zone}"))
    return out
