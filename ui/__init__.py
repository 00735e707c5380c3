"""Streamlit helpers used by the pages, one sub-package per app section (plan/, costs/, models/,
investors/); the helpers every section shares stay here: keys.py (session-state keys), session.py
(store and project in the session), text.py (safe rendering), auth.py (hosted-mode sign-in).

May import business and modelkit; never pages.
"""
