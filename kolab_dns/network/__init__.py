"""The deployment's network: the `network:` section, its checks, and NAT/MetalLB renderings."""
