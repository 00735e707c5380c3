"""Plan section helpers: the canvas grid and editor, value-proposition and revenue-stream forms,
history actions and diffs, canvas import.

May import ui (shared helpers) and business.
"""
