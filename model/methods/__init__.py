"""Generic methods that know nothing of the model: ``lmdi`` (additive LMDI decomposition),
``shapley`` (exact Shapley attribution), ``salib`` (Sobol', Morris and one-at-a-time
sensitivity on any vectorized function), ``trends`` (trend fits with prediction intervals),
``stirpat`` (the STIRPAT regression). They import nothing from the other stages.
"""
