"""Root of the ``matinfo`` command: sub-command groups are added here."""

from __future__ import annotations

import sys

import typer

from matinfo.cli.bench import bench_app
from matinfo.cli.calc import calc_app
from matinfo.cli.campaign import campaign_app
from matinfo.cli.db import db_app
from matinfo.cli.featurize import featurize_command
from matinfo.cli.lit import lit_app
from matinfo.cli.model import model_app
from matinfo.cli.screen import screen_app
from matinfo.cli.serve import serve_command
from matinfo.cli.user import user_app

app = typer.Typer(
    name="matinfo",
    help="matinfo — open materials informatics: substance-linked database, descriptors, models, screening.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app, name="db")
app.command("featurize")(featurize_command)
app.add_typer(model_app, name="model")
app.add_typer(bench_app, name="bench")
app.add_typer(screen_app, name="screen")
app.add_typer(lit_app, name="lit")
app.add_typer(campaign_app, name="campaign")
app.add_typer(calc_app, name="calc")
app.command("serve")(serve_command)
app.add_typer(user_app, name="user")


@app.command()
def version() -> None:
    """Print the matinfo version."""
    from matinfo import __version__

    typer.echo(__version__)


def main() -> None:
    """Entry point: user errors (MatinfoError) print one clear message and exit 2, no traceback."""
    from matinfo.errors import MatinfoError

    try:
        app()
    except MatinfoError as e:
        typer.secho(f"error: {e}", fg="red", err=True)
        sys.exit(2)
