"""The command-line edge: a Typer app whose command groups live one per module.

Every module here that defines `register(app)` adds its commands.
"""
