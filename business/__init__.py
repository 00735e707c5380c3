"""Pure-Python business logic of the founder dashboard: no streamlit, no torch."""
