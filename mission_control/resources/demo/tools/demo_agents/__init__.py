"""The scripted work of each team, by team and task: ``SCRIPTS["alpha"]["alpha1"]`` is a list of steps."""

from demo_agents import alpha, bravo, charlie, delta, echo

SCRIPTS = {
    "alpha": alpha.TASKS,
    "bravo": bravo.TASKS,
    "charlie": charlie.TASKS,
    "delta": delta.TASKS,
    "echo": echo.TASKS,
}
