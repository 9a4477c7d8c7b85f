"""MetalLB's side of the page: a pool of the services' internal IPs and one LoadBalancer per service.

`externalTrafficPolicy: Local` is what keeps the client's address (the page's "Client-IP"): with
the default `Cluster`, kube-proxy may forward to another node and masquerade the source. Each
Service asks for its IP with `metallb.io/loadBalancerIPs`; the pool has `autoAssign: false`, so
MetalLB hands these IPs to nothing else.
"""

from __future__ import annotations

from typing import Any

import yaml

from .model import Network
from .validate import shared_ips

POOL = "kolab"
METALLB_NAMESPACE = "metallb-system"
NAMESPACE = "kolab"


def _selector(service: str) -> dict[str, str]:
    return {"app": f"kolab-{service}"}


def _ports(network: Network, service: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for e in network.endpoints():
        if network.owner(e.service) != service:
            continue
        for port in e.ports.ports():
            name = e.what if e.ports.first == e.ports.last else f"{e.what[:3]}-{port}"
            if e.what in ("turn", "webrtc"):
                name = f"{name}-{e.protocol}"
            out.append({"name": name, "protocol": e.protocol.upper(), "port": port, "targetPort": port})
    return out


def _service(network: Network, service: str, sharing: str | None) -> dict[str, Any]:
    annotations = {"metallb.io/loadBalancerIPs": str(network.services[service])}
    if sharing:
        annotations["metallb.io/allow-shared-ip"] = sharing
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": f"kolab-{service}", "namespace": NAMESPACE, "annotations": annotations},
        "spec": {
            "type": "LoadBalancer",
            "externalTrafficPolicy": "Local",
            "selector": _selector(service),
            "ports": _ports(network, service),
        },
    }


def render(network: Network) -> str:
    shared = {name: ip for ip, names in shared_ips(network).items() for name in names}
    addresses = sorted(set(network.services.values()))
    docs: list[dict[str, Any]] = [
        {
            "apiVersion": "metallb.io/v1beta1",
            "kind": "IPAddressPool",
            "metadata": {"name": POOL, "namespace": METALLB_NAMESPACE},
            "spec": {"addresses": [f"{ip}/32" for ip in addresses], "autoAssign": False},
        },
        {
            "apiVersion": "metallb.io/v1beta1",
            "kind": "L2Advertisement",
            "metadata": {"name": POOL, "namespace": METALLB_NAMESPACE},
            "spec": {"ipAddressPools": [POOL]},
        },
    ]
    for service in network.services:
        sharing = f"kolab-{shared[service]}" if service in shared else None
        docs.append(_service(network, service, sharing))
    header = [
        f"# kolab-dns network render --format metallb: the internal IPs of {network.internal}.",
        "# Each Service selects the pods labelled app=kolab-SERVICE in namespace kolab: adjust",
        "# selector and namespace to your deployment. `kubectl apply -f FILE`.",
    ]
    if shared:
        header.append(
            "# Services sharing an IP carry metallb.io/allow-shared-ip; with externalTrafficPolicy Local"
        )
        header.append("# MetalLB shares an IP only between Services that select the same pods.")
    body = yaml.safe_dump_all(docs, sort_keys=False, explicit_start=True, default_flow_style=False)
    return "\n".join(header) + "\n" + body
