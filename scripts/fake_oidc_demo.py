"""Demo only: the local test identity provider (tests/fakes/fake_oidc.py) on a fixed port, to
try the console's single sign-on without a tenant. Prints the CW_OIDC_* settings for it."""

from __future__ import annotations

import argparse
import shlex
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.fake_oidc import FakeOidc, demo_users  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8002)
    parser.add_argument("--redirect-uri", required=True, help="the console's callback URL")
    parser.add_argument("--print-env", action="store_true", help="print the settings and exit")
    args = parser.parse_args()
    fake = FakeOidc(demo_users(), port=args.port)
    if args.print_env:
        for name, value in fake.env().items():
            print(f"export {name}={shlex.quote(value)}")
        return
    fake.allow_redirect(args.redirect_uri)
    fake.start()
    threading.Event().wait()


if __name__ == "__main__":
    main()
