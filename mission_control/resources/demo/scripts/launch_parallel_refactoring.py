"""The plan's Phase 1 command: "launch" the refactoring teams (prints what each team starts)."""

from __future__ import annotations

import argparse
import sys
import time

TEAMS = {
    "alpha": "Factory Consolidation",
    "bravo": "DataSubAgent Consolidation",
    "charlie": "Tool Dispatcher Merge",
    "delta": "WebSocket Manager Unification",
    "echo": "Test Harness Setup",
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--teams", default=",".join(TEAMS))
    parser.add_argument("--mode", default="careful")
    parser.add_argument("--rollback-enabled", action="store_true")
    parser.add_argument("--real-time-monitoring", action="store_true")
    args = parser.parse_args(argv)
    teams = [team.strip() for team in args.teams.split(",") if team.strip()]
    unknown = [team for team in teams if team not in TEAMS]
    if unknown:
        print(f"unknown team(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    print(f"Launching {len(teams)} teams (mode {args.mode}, rollback {'on' if args.rollback_enabled else 'off'})")
    for team in teams:
        time.sleep(0.2)
        print(f"  team {team}: started {TEAMS[team]}", flush=True)
    print("All teams launched.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
