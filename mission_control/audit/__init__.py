"""The SSOT audit: what the code base looks like, measured with the stdlib ``ast`` module.

Per module: top-level classes and functions, imports. Across the repository: names defined
in two or more modules (SSOT violation candidates, with how alike their bodies are), classes
by role suffix, lines per component, broken internal imports; the same for the baseline
tree. Facts are cached per file (stat + content hash) in ``appdirs.cache_dir()``.

Public API::

    audit(repo, *, ref=None, components=None, jobs=None, on_progress=None, cancel=None) -> AuditResult
    Auditor(repo, components=...).run(changed=None) / .run_ref(ref)
    AuditResult.to_json() / .metrics()
"""

from mission_control.audit.analysis import (
    DEFAULT_ROLES,
    AuditResult,
    BrokenImport,
    ComponentSize,
    Duplicate,
    ModuleSummary,
    ParseProblem,
    analyse,
)
from mission_control.audit.engine import AuditError, Auditor, audit

__all__ = [
    "DEFAULT_ROLES",
    "AuditError",
    "AuditResult",
    "Auditor",
    "BrokenImport",
    "ComponentSize",
    "Duplicate",
    "ModuleSummary",
    "ParseProblem",
    "analyse",
    "audit",
]
