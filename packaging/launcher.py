"""Entry script of the packaged app: the same ``main()`` as the ``mission-control`` command.

``freeze_support`` lets the frozen executable serve as a multiprocessing worker (libcst's
parallel codemod runner starts processes) instead of opening a second window.
"""

import multiprocessing
import sys

from mission_control.__main__ import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
