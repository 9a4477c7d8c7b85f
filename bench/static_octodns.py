"""(b)'s other side: the same records as static octoDNS YAML, planned by a plain octoDNS config.

The static files are a copy of what `kolab-dns sync` wrote to the local target (so they hold
exactly the records kolab-dns publishes, markers included); `octodns-sync` (a dry run) plans
them against that same target, every zone listed, as a plain config would.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml

YAML_OPTIONS = {"default_ttl": 3600, "enforce_order": False, "escaped_semicolons": True}


def write_config(repo: Path, workers: int) -> Path:
    target = repo / ".kolab-dns" / "local"
    static = repo / "static"
    if static.exists():
        shutil.rmtree(static)
    shutil.copytree(target, static)
    zones = sorted(f[: -len("yaml")] for f in os.listdir(static) if f.endswith(".yaml"))
    config = {
        "manager": {"max_workers": workers},
        "providers": {
            "static": {
                "class": "octodns.provider.yaml.YamlProvider",
                "directory": str(static),
                **YAML_OPTIONS,
            },
            "target": {
                "class": "octodns.provider.yaml.YamlProvider",
                "directory": str(target),
                **YAML_OPTIONS,
            },
        },
        "zones": {zone: {"sources": ["static"], "targets": ["target"]} for zone in zones},
    }
    path = repo / "octodns-static.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path
