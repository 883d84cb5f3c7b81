"""What each lesson computes, in plain functions and frozen dataclasses: numpy and engine only.

The pages draw what these modules return, so a notebook can reproduce any number a page
shows, e.g. `import lessons.mnist` for the MNIST lesson's run and statistics. Nothing here
imports Streamlit or Plotly.
"""
