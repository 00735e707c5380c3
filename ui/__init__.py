"""Small Streamlit helpers shared by the pages: session state, store access, safe rendering."""
