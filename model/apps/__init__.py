"""Stage 5, apps: what users run. ``cli`` (``python -m model``), ``batch`` (the scheduled batch
of notebooks and its briefing). The JupyterLab explorer is ``model.explorer``.
"""
