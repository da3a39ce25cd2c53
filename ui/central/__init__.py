"""The central office's screens (the application opened on a central database): plan and plan master,
kits, inbox (merge), status board, review, conflicts. ``CentralWindow`` in ``window``."""
