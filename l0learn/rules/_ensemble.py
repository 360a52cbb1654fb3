"""Rules from a fitted scikit-learn tree ensemble: leaves, their values, codes and readable text.

A rule is a leaf of one tree.  Leaves are numbered per tree in scikit-learn's
node order (depth-first preorder, so left to right); leaves that received no
training row keep their (all-zero) column.  The rule matrix
``M[i, j] = value_j * 1[x_i in leaf j]`` is represented by the leaf index of every
row in every tree (``codes``, n x n_trees) plus the flat leaf values, which is
all the solver needs (rows are partitioned by the leaves of a tree).
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.special import logit
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor,
                              GradientBoostingClassifier, GradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor


@dataclass
class RuleEnsemble:
    """The leaves of an ensemble as rules.

    Attributes
    ----------
    trees : list of fitted sklearn ``Tree`` objects (``tree_``)
    leaves : list of int arrays, the node ids of each tree's leaves (in order)
    values : float array (n_rules,), each leaf's value times the tree's weight in
        the ensemble's prediction (learning rate for boosting)
    offsets : int64 array (n_trees + 1,), rule ranges of the trees
    offset : float, the ensemble's constant (boosting's initial prediction, else the
        centre); for classifiers on the log-odds scale (boosting's initial log-odds, else
        the logit of the centre)
    tree_weight : float, the weight that reproduces the ensemble (1/T for averages, 1 for boosting)
    """

    trees: list
    leaves: list
    values: np.ndarray
    offsets: np.ndarray
    offset: float
    tree_weight: float

    @property
    def n_rules(self):
        return int(self.offsets[-1])

    @property
    def n_trees(self):
        return len(self.trees)

    def codes(self, X):
        """Leaf position (0..m_t-1) of every row in every tree, int32 (n, T), F-ordered."""
        X = np.ascontiguousarray(X, dtype=np.float32)
        codes = np.empty((X.shape[0], self.n_trees), dtype=np.int32, order="F")
        for t, (tree, leaves) in enumerate(zip(self.trees, self.leaves)):
            position = np.full(tree.node_count, -1, dtype=np.int32)
            position[leaves] = np.arange(leaves.size, dtype=np.int32)
            codes[:, t] = position[tree.apply(X)]
        return codes

    def rule_matrix(self, X):
        """The sparse rule matrix ``M`` (CSC, n x n_rules)."""
        codes = self.codes(X)
        n = codes.shape[0]
        cols = (codes + self.offsets[:-1][None, :].astype(np.int32)).ravel(order="C")
        rows = np.repeat(np.arange(n), self.n_trees)
        return sp.csc_matrix((self.values[cols], (rows, cols)), shape=(n, self.n_rules))

    def rule_text(self, j, feature_names):
        """Conjunction of the split conditions on the path to rule ``j``, simplified."""
        t = int(np.searchsorted(self.offsets, j, side="right") - 1)
        tree = self.trees[t]
        node = int(self.leaves[t][j - self.offsets[t]])
        parent = _parents(tree)
        upper, lower = {}, {}  # feature -> tightest threshold
        while parent[node][0] >= 0:
            p, is_left = parent[node]
            f, thr = int(tree.feature[p]), float(tree.threshold[p])
            if is_left:
                upper[f] = min(upper.get(f, np.inf), thr)
            else:
                lower[f] = max(lower.get(f, -np.inf), thr)
            node = p
        parts = []
        for f in sorted(set(upper) | set(lower)):
            name = feature_names[f]
            if f in lower and f in upper:
                parts.append(f"{lower[f]:.4g} < {name} <= {upper[f]:.4g}")
            elif f in upper:
                parts.append(f"{name} <= {upper[f]:.4g}")
            else:
                parts.append(f"{name} > {lower[f]:.4g}")
        return " and ".join(parts) if parts else "(all rows)"

    def rule_tree(self, j):
        return int(np.searchsorted(self.offsets, j, side="right") - 1)


def _parents(tree):
    """(parent node, is left child) of every node; (-1, False) for the root."""
    parent = [(-1, False)] * tree.node_count
    for node in range(tree.node_count):
        left, right = tree.children_left[node], tree.children_right[node]
        if left >= 0:
            parent[left] = (node, True)
            parent[right] = (node, False)
    return parent


SUPPORTED = (RandomForestRegressor, ExtraTreesRegressor, GradientBoostingRegressor,
             DecisionTreeRegressor)
SUPPORTED_CLASSIFIERS = (RandomForestClassifier, ExtraTreesClassifier,
                         GradientBoostingClassifier, DecisionTreeClassifier)


def extract_rules(ensemble, centre=0.0):
    """The :class:`RuleEnsemble` of a fitted supported regressor or binary classifier.

    For averaging ensembles (forests, a single tree) ``centre`` is subtracted from
    every leaf value and kept as the offset, so the rules are the same as for an
    ensemble grown on ``y - centre`` (splits are shift-invariant): a rule's value is
    then its leaf's deviation from the mean response, as when the data are
    standardised before growing the forest.  Boosting's leaves are deviations already.

    Classifiers (two classes): a leaf's value is its share of ``classes_[1]`` minus
    ``centre`` (the weighted share in the training data) for averaging ensembles,
    so ``expit(offset) + M (1/T)`` reproduces ``predict_proba[:, 1]``; boosting's
    leaves are log-odds increments, ``offset + M 1`` its ``decision_function``.
    """
    if isinstance(ensemble, SUPPORTED_CLASSIFIERS):
        return _extract_classifier_rules(ensemble, centre)
    if isinstance(ensemble, GradientBoostingRegressor):
        if ensemble.loss != "squared_error":
            raise ValueError("GradientBoostingRegressor rules need loss='squared_error'; got "
                             f"{ensemble.loss!r}.")
        estimators = [row[0] for row in ensemble.estimators_]
        scale = float(ensemble.learning_rate)
        offset = _boosting_offset(ensemble)
        tree_weight, shift = 1.0, 0.0
    elif isinstance(ensemble, (RandomForestRegressor, ExtraTreesRegressor)):
        estimators = list(ensemble.estimators_)
        scale, offset, tree_weight = 1.0, float(centre), 1.0 / len(estimators)
        shift = offset
    elif isinstance(ensemble, DecisionTreeRegressor):
        estimators = [ensemble]
        scale, offset, tree_weight = 1.0, float(centre), 1.0
        shift = offset
    else:
        raise TypeError("ensemble must be a RandomForestRegressor, ExtraTreesRegressor, "
                        "GradientBoostingRegressor or DecisionTreeRegressor; got "
                        f"{type(ensemble).__name__}.")
    return _collect(estimators, lambda tree, ids: tree.value[ids, 0, 0] * scale - shift,
                    offset, tree_weight)


def _extract_classifier_rules(ensemble, centre):
    n_classes = len(ensemble.classes_)
    if n_classes != 2:
        raise ValueError(f"FIRE rules from classifiers need two classes; {type(ensemble).__name__} "
                         f"was fitted on {n_classes}.")
    if isinstance(ensemble, GradientBoostingClassifier):
        if ensemble.loss != "log_loss":
            raise ValueError("GradientBoostingClassifier rules need loss='log_loss'; got "
                             f"{ensemble.loss!r}.")
        estimators = [row[0] for row in ensemble.estimators_]
        scale = float(ensemble.learning_rate)
        return _collect(estimators, lambda tree, ids: tree.value[ids, 0, 0] * scale,
                        _boosting_offset(ensemble), 1.0)
    estimators = (list(ensemble.estimators_) if hasattr(ensemble, "estimators_")
                  else [ensemble])
    centre = float(np.clip(centre, 1e-12, 1 - 1e-12))

    def share(tree, ids):  # weighted share of classes_[1] in each leaf, minus the centre
        counts = tree.value[ids, 0, :]
        total = counts.sum(axis=1)
        return np.divide(counts[:, 1], total, out=np.full(ids.size, centre),
                         where=total > 0) - centre

    return _collect(estimators, share, float(logit(centre)), 1.0 / len(estimators))


def _boosting_offset(ensemble):
    return float(np.ravel(ensemble._raw_predict_init(
        np.zeros((1, ensemble.n_features_in_), dtype=np.float32)))[0])


def _collect(estimators, leaf_values, offset, tree_weight):
    trees, leaves, values = [], [], []
    for est in estimators:
        tree = est.tree_
        if tree.n_outputs != 1:
            raise ValueError("multi-output tree ensembles are not supported.")
        leaf_ids = np.flatnonzero(tree.children_left < 0)
        trees.append(tree)
        leaves.append(leaf_ids)
        values.append(leaf_values(tree, leaf_ids))
    offsets = np.zeros(len(trees) + 1, dtype=np.int64)
    np.cumsum([lv.size for lv in leaves], out=offsets[1:])
    return RuleEnsemble(trees, leaves, np.concatenate(values).astype(np.float64), offsets,
                        offset, tree_weight)
