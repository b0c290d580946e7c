"""Navigation is assembled from every app: an app config may define
`navigation(user) -> list[NavItem]`, so `accounts` never imports the apps above it."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    order: int = 50


def nav_items_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        provider = getattr(config, "navigation", None)
        if provider is not None:
            items.extend(provider(user))
    return sorted(items, key=lambda item: item.order)
