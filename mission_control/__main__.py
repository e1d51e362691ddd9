"""``python -m mission_control`` is the same as the ``mission-control`` command."""

import sys

from mission_control.main import main

sys.exit(main())
