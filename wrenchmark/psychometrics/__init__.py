"""Measurement, framework-free: numpy and scipy only, no Django.

Conventions (see ``types``): persons in rows, items in columns; NaN marks a response that is missing or
an item not presented; results are frozen dataclasses; random generators are passed in by the caller.

* ``types``: the response-matrix type and its check.
* ``synthetic``: simulated abilities, item parameters and responses.
* ``ctt``: classical item statistics, distractor analysis, KR-20, SEM, conditional SEM, decision
  consistency, item flags.
* ``irt``: Rasch, 2PL and 3PL models and information; marginal maximum likelihood calibration (EM) with
  standard errors and fixed-parameter calibration; EAP, MAP and ML abilities; S-X2 item fit.
* ``equating``: linking (mean-sigma, mean-mean, Stocking-Lord), true-score equating, raw-to-scale
  tables, carrying a cut across forms.
* ``assembly``: parallel fixed forms and linear-on-the-fly forms as mixed-integer programs (HiGHS).
* ``adaptive``: item selection with content balancing and exposure control, ability updates, stopping.
* ``readiness``: the chance of passing a form from practice answers by content area.
"""
