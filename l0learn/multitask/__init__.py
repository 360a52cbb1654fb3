"""Multi-task best subset: K related regressions sharing support information.

* :mod:`.regression` -- :class:`MultiTaskL0Regressor`, :class:`MultiTaskL0RegressorCV`;
* ``_solver`` -- the sMTL objective, exact closed-form moves and local search.
"""

from .regression import MultiTaskL0Regressor, MultiTaskL0RegressorCV

__all__ = ["MultiTaskL0Regressor", "MultiTaskL0RegressorCV"]
