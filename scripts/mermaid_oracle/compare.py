"""Compare Mission Control's Mermaid parsing with the real Mermaid, case by case.

    cd scripts/mermaid_oracle && npm install          # once: mermaid 11.17.2 and jsdom
    .venv/bin/python scripts/mermaid_oracle/compare.py

Generates gantt cases (starts on every weekday, durations, ``excludes``/``weekend``, date and
date-time formats, ``after`` chains) and flowchart cases (``&`` chains with labels, subgraphs,
``style``/``click`` lines), runs them through ``oracle.mjs`` (TZ=UTC) and prints every difference;
exit 1 if there is one. Mermaid's "today" is the machine's date; the cases avoid depending on it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from mission_control.plan import parse_plan
from mission_control.plan.flowchart import parse_flowchart

HERE = Path(__file__).resolve().parent


def gantt_cases() -> list[str]:
    cases = []
    for fmt, time in (("YYYY-MM-DD", ""), ("YYYY-MM-DD HH:mm", " 09:00")):
        for weekend in ("", "weekend friday"):
            for excludes in ("excludes weekends", "excludes weekends, 2024-01-10", "excludes sunday"):
                for day in range(1, 15):
                    for duration in ("1d", "2d", "5d", "10d", "14d", "12h", "36h", "0.5d", "1w", "2024-01-20"):
                        cases.append(
                            f"gantt\n  dateFormat {fmt}\n  {excludes}\n  {weekend}\n"
                            f"  A :a, 2024-01-{day:02d}{time}, {duration}\n  B :b, after a, 3d\n  C : 2d\n"
                        )
    return cases


FLOW_CASES = [
    "A -- two  words --> B & C",
    'A -- " q  r " --> B & C',
    'A -->|" q  r "| B & C',
    'A -- "a" b --> B & C',
    "A & B-- lbl -->C & D",
    "A -->| x | B & C -->|  y z | D",
    "A -- t --- B",
    "subgraph id1 [Title One]\n a-->b\nend",
    "subgraph Some Title\na-->b\nend",
    "subgraph id2 [Two words]\nq-->r\nend\nid2-->s",
    "A-->B\nstyle C fill:#f00",
    "A-->B\nclick C call cb()",
    "A-->B\nclass E hot",
]


def run_oracle(texts: list[str]) -> list[dict]:
    with tempfile.TemporaryDirectory() as folder:
        given, got = Path(folder, "in.json"), Path(folder, "out.json")
        given.write_text(json.dumps(texts))
        env = {**os.environ, "TZ": "UTC"}
        subprocess.run(["node", str(HERE / "oracle.mjs"), str(given), str(got)], check=True, cwd=HERE, env=env)
        return list(json.loads(got.read_text()))


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", ""))


def compare_gantt(texts: list[str], results: list[dict]) -> list[str]:
    diffs = []
    for text, result in zip(texts, results, strict=True):
        plan = parse_plan(f"```mermaid\n{text}```\n")
        if "error" in result:
            if not plan.errors:
                diffs.append(f"Mermaid rejects, we accept: {text!r}: {result['error']}")
            continue
        for task, theirs in zip(plan.tasks, result["tasks"], strict=False):
            if (task.start, task.end) != (_when(theirs["start"]), _when(theirs["end"])):
                diffs.append(
                    f"{text!r}: {task.key} ours {task.start}–{task.end}, Mermaid {theirs['start']}–{theirs['end']}"
                )
    return diffs


def compare_flow(cases: list[str], results: list[dict]) -> list[str]:
    diffs = []
    for case, result in zip(cases, results, strict=True):
        chart = parse_flowchart(list(enumerate(["graph TD", *case.split("\n")])))
        ours = [[a, b, label or ""] for a, b, label, *_ in chart.edges]
        if "error" in result:
            if not chart.diagnostics:
                diffs.append(f"Mermaid rejects, we accept: {case!r}: {result['error']}")
        elif ours != result["edges"]:
            diffs.append(f"{case!r}: edges ours {ours}, Mermaid {result['edges']}")
        elif set(chart.nodes) != {k for k, _ in result["vertices"]}:
            diffs.append(
                f"{case!r}: nodes ours {sorted(chart.nodes)}, Mermaid {sorted(k for k, _ in result['vertices'])}"
            )
    return diffs


def main() -> int:
    gantts = gantt_cases()
    flows = ["graph TD\n" + c + "\n" for c in FLOW_CASES]
    results = run_oracle(gantts + flows)
    diffs = compare_gantt(gantts, results[: len(gantts)]) + compare_flow(FLOW_CASES, results[len(gantts) :])
    for line in diffs:
        print(line)
    print(f"{len(gantts) + len(flows)} cases, {len(diffs)} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
