"""The repository side of a mission: git access, components, baseline, status, snapshots, rollback.

Everything here is Qt-free and talks to the real ``git`` command line (see :mod:`.git`).
"""
