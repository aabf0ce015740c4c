"""Running the widget in production: the worker launcher, the supervisor behind
``scripts/serve``, the nginx configuration and the development TLS certificate.

Not imported by the app. ``worker`` is, with ``chat_widget.ui``, the other place that talks
to Reflex: it starts Granian the way ``reflex run --env prod`` does, for one loopback port.
"""
