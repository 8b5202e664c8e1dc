"""Stage 1, inputs: the assumptions as validated data.

``schema`` (parameters.yaml: every parameter declared once), ``trajectory`` (values over the
years), ``scenario`` (scenario files, inheritance, overrides, validation), ``data`` (the data
tables, checked and cached), ``derivation`` (history and base year derived from them),
``observations`` (observed statistics), ``nowcast`` (what the observations do to a
scenario), ``costs`` (costs.csv and money.csv: technology costs and prices in 2020 CNY) and
``tables`` (reading the CSV tables). Imports nothing from the later stages.
"""
