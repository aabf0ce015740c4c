"""A stand-in for the bank's website: serves the demo host page on its own origin.

The page is a template: ``{{WIDGET_ORIGIN}}`` becomes the widget server's origin, so the same
page works for the local demo and for the cross-site end-to-end tests.
"""

from __future__ import annotations

import argparse
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent.parent.parent / "assets" / "demo"


def make_handler(widget_origin: str, extra_headers: dict[str, str] | None = None) -> type:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            name = self.path.split("?", 1)[0].lstrip("/") or "index.html"
            path = (DEMO_DIR / name).resolve()
            if DEMO_DIR not in path.parents or not path.is_file():
                self.send_error(404)
                return
            body = path.read_bytes()
            if path.suffix == ".html":
                body = body.replace(b"{{WIDGET_ORIGIN}}", widget_origin.encode())
            self.send_response(200)
            ctype = {".html": "text/html; charset=utf-8", ".ico": "image/x-icon"}.get(
                path.suffix, "application/octet-stream"
            )
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (extra_headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    return Handler


def serve(port: int, widget_origin: str, *, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(widget_origin))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--widget-origin", default="http://localhost:3000")
    args = parser.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), make_handler(args.widget_origin))
    server.serve_forever()


if __name__ == "__main__":
    main()
