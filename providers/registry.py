"""The providers, found once: every package under ``providers/`` that declares ``PROVIDER``.

Adding a provider is adding its package (and its sandbox part); nothing here or elsewhere
lists them.  Order is each provider's ``order``.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from .spec import Provider


@cache
def _all() -> tuple[Provider, ...]:
    import providers

    found = []
    for module in pkgutil.iter_modules(providers.__path__):
        if not module.ispkg:
            continue
        declared = getattr(importlib.import_module(f"providers.{module.name}"), "PROVIDER", None)
        if isinstance(declared, Provider):
            found.append(declared)
    return tuple(sorted(found, key=lambda p: (p.order, p.name)))


def providers() -> tuple[Provider, ...]:
    return _all()


def names() -> tuple[str, ...]:
    return tuple(p.name for p in _all())


def get(name: str) -> Provider:
    """The provider named ``name`` (GARMIN); KeyError for no such provider."""
    for provider in _all():
        if provider.name == name:
            return provider
    raise KeyError(name)


def by_slug(slug: str) -> Provider | None:
    return next((p for p in _all() if p.slug == slug), None)


def label(name: str | None, default: str = "your device") -> str:
    try:
        return get(name).label if name else default
    except KeyError:
        return default


def labels() -> dict[str, str]:
    return {p.name: p.label for p in _all()}
