"""Warnings that point at the user's line.

A warning raised deep inside a fit (behind scikit-learn's ``_fit_context``, a
path function, joblib or a CV loop) is only useful if Python reports the line
of the *caller's* code.  A fixed ``stacklevel`` cannot do that: the depth
differs between ``fit``, ``l0_path``, ``cvfit`` and scikit-learn's wrappers.
:func:`warn_user` walks the stack instead and attributes the warning to the first
frame that lies outside this package, ``bnb`` and the libraries that call us
(scikit-learn, joblib).
"""

import os
import sys
import warnings

import bnb
import l0learn

try:  # scikit-learn and joblib are dependencies; guard anyway for odd installs
    import joblib
    import sklearn
    _LIBRARY_DIRS = (os.path.dirname(sklearn.__file__), os.path.dirname(joblib.__file__))
except ImportError:  # pragma: no cover
    _LIBRARY_DIRS = ()

_INTERNAL_DIRS = tuple(os.path.dirname(m.__file__) for m in (l0learn, bnb)) + _LIBRARY_DIRS


def _is_internal(filename):
    return filename.startswith(_INTERNAL_DIRS) or filename.startswith("<frozen")


def user_stacklevel():
    """The ``stacklevel`` that makes :func:`warnings.warn` name the user's frame.

    Counted as seen from :func:`warn_user`'s own call to ``warnings.warn``.
    """
    frame = sys._getframe(2)  # the caller of warn()
    level = 2
    while frame is not None and _is_internal(frame.f_code.co_filename):
        frame = frame.f_back
        level += 1
    return level if frame is not None else 2


def warn_user(message, category=UserWarning):
    """Issue ``message`` as a warning attributed to the user's calling line."""
    warnings.warn(message, category, stacklevel=user_stacklevel())
