"""Fixtures of this act area: the act helpers (world, receiver) shared from tests/operations/enforcement."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def _load_act_world() -> object:
    name = "act_world"
    if name not in sys.modules:
        path = Path(__file__).parents[1] / "enforcement" / "act_world.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_load_act_world()
