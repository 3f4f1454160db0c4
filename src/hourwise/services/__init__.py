"""Use cases: what the API and web layers ask for, in terms of the store and transforms."""

from hourwise.services.container import Services

__all__ = ["Services"]
