"""Bundled resources (data files only)."""
