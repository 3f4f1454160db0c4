"""Hourwise: a self-hosted time tracker speaking the ActivityWatch and RescueTime APIs."""

__version__ = "0.1.0"
