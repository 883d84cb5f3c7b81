"""Plotly figure builders: pure functions from arrays and labels to go.Figure.

Nothing here imports Streamlit; the pages pass in translated labels.
"""
