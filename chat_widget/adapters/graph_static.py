"""A fixed-token credential for the local demo and the end-to-end tests (fake Graph server).

Production uses client credentials (``graph.client_secret_credential``); this one refuses to be
built when ``CW_ENV=production``.
"""

from __future__ import annotations

import time
from typing import Any

from azure.core.credentials import AccessToken


class StaticTokenCredential:
    def __init__(self, token: str, *, environment: str) -> None:
        if environment == "production":
            raise ValueError("a static Graph token is for the demo and tests, not production")
        self._token = token

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token, int(time.time()) + 3600)

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> StaticTokenCredential:
        return self

    async def __aexit__(self, *args: object) -> None:
        return None
