"""Demo only: the local stand-in for Microsoft Graph (Bookings) that the tests use, on a fixed
port, with the demo advisors of chat_widget/meetings/advisors.json as staff members."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import uvicorn  # noqa: E402

from tests.fakes.fake_graph import FakeGraph, build_app  # noqa: E402

SERVICES = {
    "svc-daily": "daily_banking",
    "svc-loans": "loans_mortgage",
    "svc-insurance": "insurance",
    "svc-invest": "investments",
}
STAFF = {
    "staff-claire": "Claire Dubois",
    "staff-joris": "Joris Peeters",
    "staff-jonas": "Jonas Schmitz",
    "staff-ines": "Inès Lambert",
    "staff-pieter": "Pieter Janssens",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--token", default="demo-graph-token")
    args = parser.parse_args()
    # Investment advisors provide only the investment service (their own recorded pool).
    investment_staff = {"staff-ines", "staff-pieter"}
    fake = FakeGraph(
        token=args.token,
        business_id="demo@bank.example",
        services=SERVICES,
        staff=STAFF,
        service_staff={
            sid: [s for s in STAFF if (s in investment_staff) == (topic == "investments")]
            for sid, topic in SERVICES.items()
        },
    )
    uvicorn.run(build_app(fake.state), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
