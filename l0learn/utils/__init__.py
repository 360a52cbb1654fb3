"""Utilities shipped with the package (certificate checkers for tests and users)."""
