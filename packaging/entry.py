"""PyInstaller's entry script: the same ``dxdesk`` command as the console entry point (ui.launcher).

``freeze_support`` comes first: on Windows, worker processes (``dxdesk demo``, kit creation) are started
by running this executable again with multiprocessing's own arguments, which must not reach the
command line parser. ``DXDESK_SMOKE_SPAWN=1`` (set by packaging/smoke_test.py) makes the bundle start
its workers that way on Linux too, so the Windows start method is tested where Windows is not at hand.
"""

import multiprocessing
import os
import sys

if __name__ == "__main__":
    # The windowed dxdesk.exe has no console: sys.stdout and sys.stderr are None, and a subcommand run
    # with it (instead of dxdesk-cli.exe) would fail on its first line of output. Discard it instead.
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (lives as long as the process)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    multiprocessing.freeze_support()
    if os.environ.get("DXDESK_SMOKE_SPAWN"):
        multiprocessing.get_all_start_methods = lambda: ["spawn"]  # as on Windows: no fork

    from ui.launcher import main

    raise SystemExit(main())
