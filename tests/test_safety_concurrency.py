"""Two leads signing off at once: the ledger and the plan never disagree, and a refusal leaves no trace.

Before the fix the entry was appended first and the plan saved after; when the save was refused
("plan.md changed on disk since it was loaded") the entry stayed in the ledger. Real processes,
signing at the same time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from mission_control.signoff import read_ledger

ROOT = Path(__file__).resolve().parent.parent
ITEMS = 24
SIGNER = textwrap.dedent(
    """
    import json, sys
    from mission_control import cli
    repo, first, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    codes = {}
    for index in range(first, first + ITEMS, 2):
        for _attempt in range(30):
            codes.setdefault(str(index), []).append(cli.run(["signoff", f"item number {index:02} done", "--repo", repo]))
            if codes[str(index)][-1] == 0:
                break
    json.dump(codes, open(out, "w"))
    """
).replace("ITEMS", str(ITEMS))


def test_concurrent_signoffs_keep_ledger_and_plan_in_agreement(git_repo, tmp_path):
    lines = ["# Plan", ""] + [f"- [ ] item number {i:02} done" for i in range(ITEMS)]
    lines += ["", "```mermaid", "gantt", "  dateFormat HH:mm", "  section S", "  A :a, 00:00, 1h", "```", ""]
    (git_repo / "plan.md").write_text("\n".join(lines))
    subprocess.run(["git", "add", "-A"], cwd=git_repo, check=True)
    subprocess.run(["git", "commit", "-qm", "plan"], cwd=git_repo, check=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    outs = [tmp_path / "a.json", tmp_path / "b.json"]
    signers = [
        subprocess.Popen(
            [sys.executable, "-c", SIGNER, str(git_repo), str(first), str(out)], env=env, stderr=subprocess.PIPE
        )
        for first, out in zip((0, 1), outs)
    ]
    for signer in signers:
        _out, err = signer.communicate(timeout=600)
        assert signer.returncode == 0, err.decode()
    codes = {k: v for out in outs for k, v in json.loads(out.read_text()).items()}

    assert all(set(attempts) <= {0, 1} for attempts in codes.values()), codes  # refused (1) or done (0)
    ledger = [e.to_json() for e in read_ledger(git_repo).entries]
    signed = sorted(entry["text"] for entry in ledger)
    ticked = sorted(line[6:] for line in (git_repo / "plan.md").read_text().splitlines() if line.startswith("- [x] "))
    succeeded = sorted(f"item number {int(k):02} done" for k, attempts in codes.items() if attempts[-1] == 0)
    assert signed == ticked == succeeded  # one entry per success, none for a refusal
