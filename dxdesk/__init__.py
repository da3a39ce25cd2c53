"""dxdesk: the Qt-free core of the application.

Domain rules, storage, exchange files, signing, merge, reports and the command line live here.
Nothing in this package imports PySide6 or ``ui`` (tests/test_layout.py enforces it), so the central
office can run merges and prints from the command line and every rule is testable headless.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dxdesk")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"
