"""Checklist sign-off, the sign-off ledger, evidence, the mission clock and task status.

Qt-free. Typical use::

    state = checklist_state(plan.checklist, read_ledger(repo).entries)
    entry = sign_off_file(repo, plan_file, item, note="ok")        # CLI: tick, record, save
    mission = start_mission(repo)                                   # Hour 0 + baseline
    states = task_states(plan, to_plan_time(plan, mission, now), gather_task_evidence(repo, config), state)
"""

from mission_control.signoff.actions import (
    Identity,
    SignoffError,
    check_action,
    git_identity,
    latest_test_totals,
    make_entry,
    record_revoke,
    record_signoff,
    require_reason,
    sign_off_file,
)
from mission_control.signoff.checklist import ChecklistState, Discrepancy, ItemState, checklist_state
from mission_control.signoff.evidence import (
    Evidence,
    Facts,
    evidence_for,
    gather_facts,
    latest_audit,
    legacy_files_affected,
    metric_for,
)
from mission_control.signoff.ledger import (
    LedgerEntry,
    LedgerError,
    LedgerRead,
    append_entry,
    ledger_path,
    read_ledger,
    utc_now,
)
from mission_control.signoff.matching import best_item, find_items, normalise, similarity
from mission_control.signoff.mission import (
    Mission,
    MissionError,
    elapsed_label,
    mission_path,
    plan_origin,
    read_mission,
    start_mission,
    to_plan_time,
)
from mission_control.signoff.tasks import (
    STATES,
    TaskEvidence,
    TaskStatus,
    gather_task_evidence,
    linked_items,
    task_states,
    update_task_states,
)
from mission_control.util.git import head_commit

__all__ = [
    "STATES",
    "ChecklistState",
    "Discrepancy",
    "Evidence",
    "Facts",
    "Identity",
    "ItemState",
    "LedgerEntry",
    "LedgerError",
    "LedgerRead",
    "Mission",
    "MissionError",
    "SignoffError",
    "TaskEvidence",
    "TaskStatus",
    "append_entry",
    "best_item",
    "check_action",
    "checklist_state",
    "elapsed_label",
    "evidence_for",
    "find_items",
    "gather_facts",
    "gather_task_evidence",
    "git_identity",
    "head_commit",
    "latest_audit",
    "latest_test_totals",
    "ledger_path",
    "legacy_files_affected",
    "linked_items",
    "make_entry",
    "metric_for",
    "mission_path",
    "normalise",
    "plan_origin",
    "read_ledger",
    "read_mission",
    "record_revoke",
    "record_signoff",
    "require_reason",
    "sign_off_file",
    "similarity",
    "start_mission",
    "task_states",
    "to_plan_time",
    "update_task_states",
    "utc_now",
]
