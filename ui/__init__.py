"""Streamlit helpers shared by the pages: language catalog, sidebar, lesson list."""
