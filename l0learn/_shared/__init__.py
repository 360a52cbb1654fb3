"""Pieces that two or more estimator families use; nothing here imports a family.

* :mod:`.validation` -- input checks (design, target, weights, counts, boxes);
* :mod:`.response` -- standardising the response (FAST, FIRE);
* :mod:`.perspective` -- the perspective envelope of the l0l2 penalty and its
  conjugate (the exact L0L2 and GraphL0BnB problems);
* :mod:`.levels` and :mod:`.fused` -- per-level sums of integer-coded columns and
  the exact one-dimensional fused solvers (FAST, FIRE).

The public shared modules (:mod:`l0learn.datasets`, :mod:`l0learn.metrics`,
:mod:`l0learn.plotting`) sit beside this folder.
"""
