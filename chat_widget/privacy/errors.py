"""Errors of the privacy package."""

from __future__ import annotations


class PrivacyError(Exception):
    """Base class."""


class CustomerNotFound(PrivacyError, LookupError):
    """No customer with that id or bank reference."""
