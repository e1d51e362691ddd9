"""Mission Control: plan, schedule and steer a large multi-team Python refactoring.

The package is split into a Qt-free core (``plan``, ``schedule``, ``repo``, ``testing``,
``codemods``, ``audit``, ``watch``, ``signoff``, ``history``) and two thin faces on it:
the ``mission-control`` command line (:mod:`mission_control.cli`) and the Qt desktop app
(:mod:`mission_control.ui`).
"""

__version__ = "0.1.0"
APP_ID = "io.github.missioncontrol.MissionControl"
APP_NAME = "Mission Control"
