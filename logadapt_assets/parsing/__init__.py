"""Parsers: one module per log family, chosen by name through the registry."""
