"""Fixtures of the enforcement tests: a webhook receiver (databases: tests/operations/conftest.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def _load_act_world() -> object:
    name = "act_world"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).parent / "act_world.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_world = _load_act_world()
receiver = _world.receiver  # type: ignore[attr-defined]
