"""Glue to octoDNS: the only package that imports it."""
