"""The plan's Phase 3 command: a simulated canary rollout (takes a few seconds, can be stopped)."""

from __future__ import annotations

import argparse
import sys
import time

STAGES = (5, 25, 50, 100)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--zero-downtime", action="store_true")
    parser.add_argument("--canary-rollout", action="store_true")
    parser.add_argument("--monitoring-enabled", action="store_true")
    parser.add_argument("--stage-seconds", type=float, default=1.0)
    args = parser.parse_args(argv)
    stages = STAGES if args.canary_rollout else (100,)
    for percent in stages:
        print(f"Routing {percent}% of traffic to the refactored system...", flush=True)
        time.sleep(args.stage_seconds)
        if args.monitoring_enabled:
            print("  monitors: error rate 0.0%, websocket events lost 0", flush=True)
    print("Deployment complete.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
