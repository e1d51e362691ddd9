"""The live auditor's incremental analysis equals a full analysis after every change (hypothesis).

Random small trees (packages, relative and absolute imports between them, names that exist or
not, ``*`` imports, classes with role suffixes, duplicate definitions, a file that does not parse)
get random one-file changes: a body edit, another bound name, a new broken import, a syntax error,
a file added or removed. After each, :class:`LiveAnalysis` must give what :func:`analyse` gives
for the same facts.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mission_control.audit.analysis import LiveAnalysis, analyse
from mission_control.audit.extract import extract

PATHS = ["app/__init__.py", "app/core.py", "app/util.py", "app/sub/__init__.py", "app/sub/mod.py", "tools.py"]
LINES = [
    "from app.core import Engine",
    "from app.util import helper, missing_name",
    "from .core import Engine",
    "from . import util",
    "from app.nowhere import x",
    "from app.sub.mod import *",
    "import app.sub.mod",
    "import os",
    "class Engine:\n    pass",
    "class SessionManager:\n    def run(self):\n        return 1",
    "class UserFactory:\n    pass",
    "def helper():\n    return 2",
    "def __getattr__(name):\n    return name",
    "x = 1",
    "def broken(:",
]
SOURCE = st.lists(st.sampled_from(LINES), max_size=5).map(lambda lines: "\n".join(lines) + "\n")
COMPONENTS = {"core": ["app/core.py", "app/sub"]}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=st.dictionaries(st.sampled_from(PATHS), SOURCE, min_size=1), data=st.data())
def test_live_analysis_equals_a_full_analysis_after_each_change(tree, data):
    facts = {path: extract(text.encode()) for path, text in tree.items()}
    live = LiveAnalysis()
    assert live.analyse(facts, components=COMPONENTS) == analyse(facts, components=COMPONENTS)
    for _ in range(data.draw(st.integers(1, 5))):
        path = data.draw(st.sampled_from(PATHS))
        facts = dict(facts)  # the auditor keeps unchanged files' facts objects: so do we
        if path in facts and data.draw(st.integers(0, 4)) == 0:
            del facts[path]
        else:
            facts[path] = extract(data.draw(SOURCE).encode())
        if not facts:
            break
        assert live.analyse(facts, components=COMPONENTS) == analyse(facts, components=COMPONENTS)


def test_a_body_edit_checks_only_that_files_imports(monkeypatch):
    from mission_control.audit import analysis

    facts = {p: extract(b"from app.core import Engine\nclass Engine:\n    pass\n") for p in PATHS}
    live = LiveAnalysis()
    live.analyse(facts)
    checked = []
    original = analysis._file_broken_imports
    monkeypatch.setattr(analysis, "_file_broken_imports", lambda i, p, f: checked.append(p) or original(i, p, f))
    facts = {**facts, "app/util.py": extract(b"from app.core import Engine\nclass Engine:\n    x = 2\n")}
    result = live.analyse(facts)
    assert checked == ["app/util.py"]  # same names bound: the other files' imports are not looked at
    assert result == analyse(facts)
