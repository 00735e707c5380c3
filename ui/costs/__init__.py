"""Costs section helpers: the compute and GPU cost view, the financial model form, its charts, and
filling the cost per request from an estimate or a measured run.

May import ui (shared helpers) and business.
"""
