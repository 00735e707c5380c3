"""The investor summary (summary.py) and its files: self-contained HTML and PDF (export.py), PPTX
slides (slides.py). Reads the store, the financial model and run cards.

May import every other business package; nothing imports reports/ except ui and pages.
"""
