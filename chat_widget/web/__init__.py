"""HTTP-level concerns wrapped around the Reflex backend (plain ASGI, no Reflex imports)."""
