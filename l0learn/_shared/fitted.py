"""Fitted means the last ``fit`` finished.

scikit-learn's ``check_is_fitted`` looks for any attribute ending in ``_``;
``validate_data`` sets ``n_features_in_`` at the start of ``fit``, so a fit
interrupted afterwards (Ctrl-C in Jupyter, a time-out, an exception) would
leave an estimator that passes the check and fails later with an
``AttributeError``.  Every estimator here instead records whether its last
``fit`` returned: an interrupted fit leaves it unfitted (``NotFittedError``),
an interrupted refit leaves no mixture of old and new attributes in use.
"""

import functools


class FitStateMixin:
    """``__sklearn_is_fitted__``: true after a ``fit`` that returned (and inside ``fit``,
    where an estimator may use its own ``predict`` on the new attributes)."""

    def __sklearn_is_fitted__(self):
        state = self.__dict__
        return bool(state.get("_fit_complete", False) or state.get("_fit_running", False))


def completes_fit(fit):
    """Mark ``self`` unfitted unless ``fit`` returns."""
    @functools.wraps(fit)
    def wrapper(self, *args, **kwargs):
        self._fit_complete = False
        self._fit_running = True
        try:
            out = fit(self, *args, **kwargs)
        finally:  # an exception or KeyboardInterrupt leaves the estimator unfitted
            self._fit_running = False
        self._fit_complete = True
        return out
    return wrapper
