"""``python -m matinfo`` runs the command line."""

from matinfo.cli import main

main()
