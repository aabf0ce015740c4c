"""Errors of the employee side.

NotAuthorized            the caller may not do this (HTTP 403 / redirect)
 └── NotAuthenticated    no valid console session at all (HTTP 401 / redirect to login)
"""

from __future__ import annotations


class NotAuthorized(Exception):
    pass


class NotAuthenticated(NotAuthorized):
    pass
