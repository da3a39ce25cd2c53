"""Who is working: the name written into the merge log, reviews, comments and review workbooks."""

from __future__ import annotations

import getpass

__all__ = ["current_user"]


def current_user() -> str:
    """The operating system's login name (on an LGWAN PC, the Windows account), "" when unknown."""
    try:
        return getpass.getuser()
    except Exception:  # no login name in the environment (a service account, a container)
        return ""
