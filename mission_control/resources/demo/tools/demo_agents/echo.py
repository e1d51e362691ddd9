"""Team Echo (QA/Cleanup). echo1, Test Harness Setup: a harness that cannot leak state between tests.

Step 1 makes the shared fixture in ``tests/conftest.py`` reset every process-wide singleton before
*and* after each test, including the optimized agent factory's singleton that the old harness
forgot (``tests/agents/test_factory.py`` worked around it by hand). Step 2 makes pytest strict:
unknown markers and unexpected passes of xfail tests fail the run, and skips are reported.

Collision: alpha1 deletes ``app/agents/agent_instance_factory_optimized.py``, which the new
conftest imports; the branches merge without a textual conflict and the merged suite cannot be
collected.
"""

from __future__ import annotations

from demo_agents.base import Files, Step

CONFTEST = "tests/conftest.py"


def reset_everything(files: Files) -> None:
    files.replace(
        CONFTEST,
        "from app.agents.agent_instance_factory import reset_agent_instance_factory\n",
        "from app.agents.agent_instance_factory import reset_agent_instance_factory\n"
        "from app.agents.agent_instance_factory_optimized import reset_optimized_agent_factory\n",
    )
    files.replace(
        CONFTEST,
        '''@pytest.fixture(autouse=True)
def _clean_singletons():
    """Every test starts with default settings and no process-wide managers or factories."""
    yield
    reset_settings()
    reset_websocket_manager()
    reset_agent_instance_factory()
''',
        '''RESETS = (
    reset_settings,
    reset_websocket_manager,
    reset_agent_instance_factory,
    reset_optimized_agent_factory,
)


def reset_singletons() -> None:
    """Default settings, and no process-wide manager or factory of any kind."""
    for reset in RESETS:
        reset()


@pytest.fixture(autouse=True)
def _clean_singletons():
    """Every test starts and ends with default settings and no process-wide managers or factories."""
    reset_singletons()
    yield
    reset_singletons()
''',
    )


def strict_pytest(files: Files) -> None:
    files.replace(
        "pyproject.toml",
        'pythonpath = ["."]\n',
        'pythonpath = ["."]\naddopts = "-ra --strict-markers"\nxfail_strict = true\n',
    )


TASKS = {
    "echo1": [
        Step(
            "Reset every singleton before and after each test",
            "The harness forgot the optimized factory's singleton, and state left by a test run "
            "before the fixture existed could leak into the next; one list of resets, used twice.",
            reset_everything,
        ),
        Step(
            "Make the test run strict: unknown markers and unexpected xpasses fail",
            "A typo in a marker silently deselected tests; -ra reports every skip and xfail.",
            strict_pytest,
        ),
    ],
}
