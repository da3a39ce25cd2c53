"""Allow ``python -m dxdesk``."""

from dxdesk.cli import main

raise SystemExit(main())
