"""The repository side of a mission: git access, components, baseline, status, snapshots, rollback.

Everything here is Qt-free and talks to the real ``git`` command line through the one gateway,
:mod:`mission_control.util.git`.
"""
