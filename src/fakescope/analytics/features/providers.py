"""The feature-provider registry: other capabilities add features (rings, fuzzy identity) keyed by an
entity as of t.

A provider is a pure function `(tables, anchors) -> ir.Table | None`; `anchors` holds the distinct
(`<key>`, as_of) pairs wanted, the result one row per pair with the provider's feature columns (numeric,
rows only from before as_of), or None when the snapshot cannot supply them (models needing them then
refuse to score).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

import ibis.expr.types as ir

from fakescope.analytics.features.tables import SnapshotTables

KEYS = ("listing_id", "shop_id", "seller_id")

ProviderFunction = Callable[[SnapshotTables, ir.Table], "ir.Table | None"]

# Modules that register providers when imported; a missing one is simply not there yet.
PROVIDER_MODULES = ("fakescope.analytics.rings.features",)


@dataclass(frozen=True)
class FeatureProvider:
    """A named source of features for one key, with a plain-words reason per feature."""

    name: str
    key: str
    features: tuple[str, ...]
    build: ProviderFunction
    # feature -> template with `{value}` (e.g. "in a ring of {value:.0f} linked sellers").
    reasons: dict[str, str] = field(default_factory=dict)


_registry: dict[str, FeatureProvider] = {}
_loaded = False


def register_provider(
    name: str,
    *,
    key: str,
    features: tuple[str, ...] | list[str],
    build: ProviderFunction,
    reasons: dict[str, str] | None = None,
) -> FeatureProvider:
    """Add (or replace) a provider; `key` is listing_id, shop_id or seller_id."""
    if key not in KEYS:
        raise ValueError(f"provider {name!r}: key must be one of {KEYS}, not {key!r}")
    if not features:
        raise ValueError(f"provider {name!r} names no features")
    provider = FeatureProvider(name, key, tuple(features), build, dict(reasons or {}))
    _registry[name] = provider
    return provider


def unregister_provider(name: str) -> None:
    """Remove a provider (tests, or a capability switched off)."""
    _registry.pop(name, None)


def registered_providers() -> list[FeatureProvider]:
    """Every provider, after importing the modules known to register some."""
    global _loaded
    if not _loaded:
        _loaded = True
        for module in PROVIDER_MODULES:
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as exc:
                if exc.name is None or not module.startswith(exc.name):
                    raise
    return sorted(_registry.values(), key=lambda p: p.name)
