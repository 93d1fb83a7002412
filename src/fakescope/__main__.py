"""`python -m fakescope` runs the CLI."""

from fakescope.cli.main import run

run()
