"""Investors section helpers: the read-only investor view and its exports.

May import ui (shared helpers, ui.plan and ui.costs for shared views) and business.
"""
