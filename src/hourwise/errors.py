"""Domain errors. The web layer maps each to one HTTP status in one place."""

from __future__ import annotations


class HourwiseError(Exception):
    """Base of every error Hourwise reports to a client."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def body(self) -> dict:
        """The JSON error body; subclasses may add fields (query errors add ``type``)."""
        return {"message": self.message}


class InvalidInput(HourwiseError):
    """The request is well-formed but its values are not acceptable."""

    status = 400


class NotFound(HourwiseError):
    status = 404


class Conflict(HourwiseError):
    status = 409


class Forbidden(HourwiseError):
    status = 403


class Unauthorized(HourwiseError):
    status = 401


class StartupRefused(Exception):
    """The settings are unsafe or unusable to serve with (the CLI prints why and exits)."""
