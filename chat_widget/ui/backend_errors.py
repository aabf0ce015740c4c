"""An event handler's unexpected exception: logged with its traceback, never a browser alert.

Reflex's default handler shows an English toast, and falls back to ``window.alert`` when no
toast library is mounted; the app mounts none (sonner cost ~9 KB gzip on the widget's first
open) and every view shows its own translated error states instead.

No ``from __future__ import annotations`` in this module: Reflex checks the handler's
annotations as real types when the app starts, and string annotations fail that check.
"""

import logging

log = logging.getLogger(__name__)


def log_backend_exception(exception: Exception) -> None:
    log.error("unhandled exception in an event handler", exc_info=exception)
