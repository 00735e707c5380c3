"""The business model canvas: the nine blocks, value propositions and revenue streams (model.py),
their consistency checks, version diffs, JSON import/export and Markdown/PDF exports.

May import business.limits and business.figures; nothing from costs/, financials/ or reports/.
"""
