"""The plan's teams made real in git: a branch and a worktree per team, launched, run and tracked.

A team is a gantt section; its tasks are the section's tasks. The mission has an integration branch
created at the baseline; each team works on its own branch, started from it, in a worktree beside the
repository (``<repo>.teams/<team>``), never inside the lead's working tree. Everything is read back
from git itself (branches, ``git worktree list``, commit logs), so what the lead sees is what git holds.

Modules: :mod:`.model` (who the teams are), :mod:`.tracking` (what each has done: commits mapped to
tasks, state), :mod:`.launch` (create and adopt branches and worktrees, setup, copy, remove),
:mod:`.runner` (run a team's command or agent in its worktree).
"""
