"""A kolab-dns repository: its declaration in zones/ and its provider definitions in providers/.

Provider files are checked without contacting any provider: the class must import, take every key
given, and accept the values (it is built once, as octoDNS will), and every `env/VAR` secret it
names must be set. Secret values are masked in every message and log (logs.REDACTOR).
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import os
import subprocess
from dataclasses import dataclass, field
from typing import Any

from . import declaration as declaration_mod
from . import logs
from .declaration import Declaration
from .errors import DeclarationError
from .located import LDict, load_file, load_text

DEFAULT_DECLARATION = os.path.join("zones", "kolab.yaml")
STATE_DIR = ".kolab-dns"
_PATH_KWARGS = ("directory",)


@dataclass(frozen=True)
class Provider:
    name: str
    file: str
    config: dict[str, Any]  # class + kwargs, `env/VAR` left unresolved
    lines: dict[str, int] = field(default_factory=dict)  # kwarg -> line, for messages

    @property
    def class_path(self) -> str:
        return str(self.config["class"])


@dataclass
class Project:
    root: str
    declaration_path: str
    _providers: dict[str, Provider] = field(default_factory=dict)

    @classmethod
    def at(cls, root: str = ".", declaration: str | None = None) -> Project:
        root = os.path.abspath(root)
        path = declaration or DEFAULT_DECLARATION
        return cls(root, path if os.path.isabs(path) else os.path.join(root, path))

    def display(self, path: str) -> str:
        """Paths in messages are relative to the repository, as a user would type them."""
        rel = os.path.relpath(path, self.root)
        return path if rel.startswith("..") else rel

    def load(self) -> Declaration:
        return declaration_mod.load(self.declaration_path, self.display(self.declaration_path))

    def provider(self, name: str, key: str = "", line: int | None = None) -> Provider:
        if name in self._providers:
            return self._providers[name]
        path = os.path.join(self.root, "providers", f"{name}.yaml")
        decl_file = self.display(self.declaration_path)
        if not os.path.exists(path):
            available = (
                sorted(
                    f[:-5] for f in os.listdir(os.path.join(self.root, "providers")) if f.endswith(".yaml")
                )
                if os.path.isdir(os.path.join(self.root, "providers"))
                else []
            )
            raise DeclarationError(
                f"provider {name!r} has no file providers/{name}.yaml "
                f"(available: {', '.join(available) or 'none'})",
                decl_file,
                line,
                key or None,
            )
        doc = load_file(path, self.display(path))
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
                config[k] = os.path.join(self.root, config[k])
        provider = Provider(name, doc.file, config, dict(data.lines))
        logs.REDACTOR.add(logs.provider_secrets(config))  # before anything can print them
        self._check_class(provider, data)
        self._providers[name] = provider
        return provider

    @staticmethod
    def _check_class(provider: Provider, data: LDict) -> None:
        line = data.lines.get("class")
        if not isinstance(data["class"], str):
            raise DeclarationError(
                "expected a class path such as octodns_powerdns.PowerDnsProvider",
                provider.file,
                line,
                "class",
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
            raise DeclarationError(
                f"class {provider.class_path!r} does not exist", provider.file, line, "class"
            )
        _check_kwargs(cls, provider, data)

    def check_secrets(self, provider: Provider) -> None:
        """Every env/VAR secret a provider needs is set (octoDNS would fail mid-run otherwise)."""
        for key, value in provider.config.items():
            if isinstance(value, str) and value.startswith("env/"):
                var, _, default = value[4:].partition("/")
                if var not in os.environ and not default:
                    raise DeclarationError(
                        f"environment variable {var} is not set", provider.file, provider.lines.get(key), key
                    )

    def check_construct(self, provider: Provider) -> None:
        """Build the provider as octoDNS will (no request is sent), so a value its class rejects
        is reported with file and line before anything is planned."""
        module_name, _, class_name = provider.class_path.rpartition(".")
        cls = getattr(importlib.import_module(module_name), class_name)
        kwargs = {k: _resolve(v) for k, v in provider.config.items() if k != "class"}
        try:
            cls(provider.name, **kwargs)
        except Exception as e:
            raise construction_error(provider, e) from None

    def providers_for(
        self, decl: Declaration, zones: dict[str, str] | None = None, with_secrets: bool = True
    ) -> dict[str, Provider]:
        """The provider of every zone in use (default: all of decl's), validated."""
        out: dict[str, Provider] = {}
        lines = _provider_lines(decl)
        for zone, name in (decl.zone_providers() if zones is None else zones).items():
            if name not in out:
                key, line = lines.get(zone, ("", None))
                out[name] = self.provider(name, key, line)
                if with_secrets:
                    self.check_secrets(out[name])
                    self.check_construct(out[name])
        return out

    def load_at(self, ref: str) -> Declaration:
        """The declaration as it was at a git ref, for plans scoped to what a change touches."""
        rel = os.path.relpath(self.declaration_path, self.root)
        try:
            proc = subprocess.run(
                ["git", "-C", self.root, "show", f"{ref}:./{rel}"],
                capture_output=True,
                text=True,
                check=False,
            )
        except FileNotFoundError:
            raise DeclarationError("--since needs git, which is not installed") from None
        if proc.returncode != 0:
            reason = (proc.stderr.strip().splitlines() or ["unknown error"])[-1]
            raise DeclarationError(f"cannot read {rel} at {ref!r}: {reason}")
        doc = load_text(proc.stdout, f"{ref}:{rel}")
        return declaration_mod.parse(doc, os.path.dirname(self.declaration_path))

    @property
    def state_dir(self) -> str:
        return os.path.join(self.root, STATE_DIR)


def _resolve(value: Any) -> Any:
    """An `env/VAR[/default]` value as octoDNS's EnvironSecrets reads it; others unchanged."""
    if not isinstance(value, str) or not value.startswith("env/"):
        return value
    var, _, default = value[4:].partition("/")
    text = os.environ.get(var, default)
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return text


def construction_error(provider: Provider, e: Exception) -> DeclarationError:
    """A provider class rejecting its configuration, pointed at the key whose value it names."""
    text = " ".join(str(e).split()) or e.__class__.__name__
    key = "class"
    for k, v in provider.config.items():
        shown = str(v)
        if k != "class" and not shown.startswith("env/") and len(shown) >= 2 and repr(shown) in text:
            key = k
    return DeclarationError(
        f"{provider.class_path} rejects this configuration: {e.__class__.__name__}: {text}",
        provider.file,
        provider.lines.get(key),
        key,
    )


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
