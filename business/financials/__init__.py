"""The financial model: validated assumptions, the month-by-month projection (Decimal money),
the report (scenarios, margins, unit economics) and its storage as a versioned project document.

May import business.canvas (revenue streams, segments), business.costs and business.store.
"""
