"""Stage 3, analysis: questions asked of results.

``peaks`` (peak, plateau, targets), ``uncertainty`` (Monte Carlo statistics), ``sensitivity``
(the scenario's global sensitivity, on model.methods.salib), ``decomposition`` (LMDI of a
scenario), ``wedges`` (Shapley wedges by lever family), ``costs`` (incremental costs, cost per
tonne by lever family on the wedges' coalitions, MAC curves, the carbon market), ``diff`` (two
scenarios compared),
``calibration`` (the base year and the electricity anchor), ``hindcast`` (projections against
the observed years), ``standing`` (observed, estimated and projected years), ``baselines``
(statistical trend proposals and STIRPAT on the history).
"""
