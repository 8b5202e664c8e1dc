"""Stage 5, apps: what users run. ``cli`` (``python -m model``), ``batch`` (the scheduled batch
of notebooks and its briefing), ``explorer`` (the scenario explorer for JupyterLab, its texts in
``explorer_text``).
"""
