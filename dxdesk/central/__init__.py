"""The central office's side of dxdesk: plan master import (``plan_master``), merging submissions,
status, review and the merged workbook."""
