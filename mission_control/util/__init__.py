"""Small utilities every layer may use: atomic files, progress and cancel tokens, per-user folders,
a thread-safe ``ast.parse``, logging set-up. They import nothing else of Mission Control's."""
