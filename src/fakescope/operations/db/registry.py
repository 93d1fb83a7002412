"""Imports every `fakescope.operations.<capability>.models` module, so `Base.metadata` knows every table.

Migrations (autogenerate) and test schema checks need the whole metadata; new capabilities join by existing.
"""

from __future__ import annotations

import importlib
import pkgutil

from sqlalchemy import MetaData

import fakescope.operations as operations_package
from fakescope.operations.db.base import Base


def load_all_models() -> MetaData:
    """Import each capability's models module (where there is one) and return the full metadata."""
    for info in pkgutil.iter_modules(operations_package.__path__):
        if not info.ispkg or info.name == "db":
            continue
        try:
            importlib.import_module(f"fakescope.operations.{info.name}.models")
        except ModuleNotFoundError as missing:
            if missing.name != f"fakescope.operations.{info.name}.models":
                raise
    return Base.metadata
