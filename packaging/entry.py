"""PyInstaller's entry script: the same ``dxdesk`` command as the console entry point (ui.launcher).

``freeze_support`` comes first: on Windows, worker processes (``dxdesk demo``, kit creation) are started
by running this executable again with multiprocessing's own arguments, which must not reach the
command line parser.
"""

import multiprocessing

if __name__ == "__main__":
    multiprocessing.freeze_support()

    from ui.launcher import main

    raise SystemExit(main())
