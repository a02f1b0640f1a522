"""The ``matinfo`` command line (Typer + Rich).  Heavy imports happen inside commands."""

from matinfo.cli.app import app, main

__all__ = ["app", "main"]
