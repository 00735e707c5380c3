"""Pure-Python business logic of the founder dashboard: no streamlit, no torch.

Domains are sub-packages (canvas/, costs/, financials/, reports/); the shared pieces stay here:
store.py (versioned SQLite), hosting.py (accounts, roles, share links), limits.py, figures.py (published
figures with their sources), example_project.py. May import only the standard library and pure-Python
packages; never modelkit, ui, pages, streamlit or torch.
"""
