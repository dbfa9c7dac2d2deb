"""Bundled KLASS 131 files (package data; see ../__init__.py)."""
