"""Edge-recovery and estimation-error metrics for precision matrices."""

import numpy as np


def _edges(theta, threshold):
    theta = np.asarray(theta, dtype=float)
    if theta.ndim != 2 or theta.shape[0] != theta.shape[1]:
        raise ValueError(f"a precision matrix must be square; got shape {theta.shape}.")
    return np.abs(theta[np.triu_indices(theta.shape[0], 1)]) > threshold


def edge_confusion(theta_true, theta_est, threshold=1e-3):
    """``(tp, fp, fn, tn)`` over undirected edges (upper triangle, no diagonal).

    An entry is an edge when its magnitude exceeds ``threshold``.

    Parameters
    ----------
    theta_true : ndarray of shape (p, p)
        The true precision matrix.
    theta_est : ndarray of shape (p, p)
        An estimate.
    threshold : float, default=1e-3
        Entries of larger magnitude are edges.

    Examples
    --------
    >>> import numpy as np
    >>> from l0learn.metrics import edge_confusion
    >>> theta = np.array([[2.0, 0.5, 0.0], [0.5, 2.0, 0.5], [0.0, 0.5, 2.0]])
    >>> edge_confusion(theta, theta)
    (2, 0, 0, 1)
    """
    truth, found = _edges(theta_true, threshold), _edges(theta_est, threshold)
    if truth.shape != found.shape:
        raise ValueError("theta_true and theta_est must have the same shape.")
    tp = int(np.sum(truth & found))
    fp = int(np.sum(~truth & found))
    fn = int(np.sum(truth & ~found))
    tn = int(truth.size - tp - fp - fn)
    return tp, fp, fn, tn


def edge_mcc(theta_true, theta_est, threshold=1e-3):
    """Matthews correlation coefficient of the estimated edge set (0 when undefined).

    Parameters
    ----------
    theta_true : ndarray of shape (p, p)
        The true precision matrix.
    theta_est : ndarray of shape (p, p)
        An estimate.
    threshold : float, default=1e-3
        Entries of larger magnitude are edges.

    Examples
    --------
    >>> import numpy as np
    >>> from l0learn.metrics import edge_mcc
    >>> theta = np.array([[2.0, 0.5, 0.0], [0.5, 2.0, 0.5], [0.0, 0.5, 2.0]])
    >>> edge_mcc(theta, theta)
    1.0
    """
    tp, fp, fn, tn = (float(v) for v in edge_confusion(theta_true, theta_est, threshold))
    denom = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return float((tp * tn - fp * fn) / denom) if denom > 0 else 0.0


def edge_f1(theta_true, theta_est, threshold=1e-3):
    """F1 score of the estimated edge set (0 when there are no true or found edges).

    Parameters
    ----------
    theta_true : ndarray of shape (p, p)
        The true precision matrix.
    theta_est : ndarray of shape (p, p)
        An estimate.
    threshold : float, default=1e-3
        Entries of larger magnitude are edges.

    Examples
    --------
    >>> import numpy as np
    >>> from l0learn.metrics import edge_f1
    >>> theta = np.array([[2.0, 0.5, 0.0], [0.5, 2.0, 0.5], [0.0, 0.5, 2.0]])
    >>> edge_f1(theta, theta)
    1.0
    """
    tp, fp, fn, _ = edge_confusion(theta_true, theta_est, threshold)
    return 2.0 * tp / (2.0 * tp + fp + fn) if tp > 0 else 0.0


def relative_frobenius_error(theta_true, theta_est):
    """``||theta_est - theta_true||_F / ||theta_true||_F``.

    Parameters
    ----------
    theta_true : ndarray of shape (p, p)
        The true precision matrix.
    theta_est : ndarray of shape (p, p)
        An estimate.

    Examples
    --------
    >>> import numpy as np
    >>> from l0learn.metrics import relative_frobenius_error
    >>> theta = np.array([[2.0, 0.5, 0.0], [0.5, 2.0, 0.5], [0.0, 0.5, 2.0]])
    >>> relative_frobenius_error(theta, theta)
    0.0
    """
    theta_true = np.asarray(theta_true, dtype=float)
    return float(np.linalg.norm(np.asarray(theta_est, dtype=float) - theta_true)
                 / np.linalg.norm(theta_true))
