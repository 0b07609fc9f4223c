"""Web settings: the domain settings (store, language, suppression) are reused as they are."""

from geo.settings import Settings

__all__ = ["Settings"]
