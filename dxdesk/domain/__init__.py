"""Plain domain types and pure rules: fiscal years and eras, values, evaluation, audit checks.

Nothing here touches a database, a file or a screen.
"""
