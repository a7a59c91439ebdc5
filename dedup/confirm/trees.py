"""Gradient-boosted trees as plain arrays, so a fitted model ships without pickle.

scikit-learn fits the ensemble (``GradientBoostingClassifier``); this module
keeps only what prediction needs, read from the public ``tree_`` attribute
of each fitted tree: per node its feature, threshold, children and leaf
value. Prediction tests every node of every tree for a batch of rows at once with numpy, then
reads each row's path down each tree from those tests.
"""

from __future__ import annotations

import numpy as np

ARRAYS = ("feature", "threshold", "left", "right", "value", "roots")
_CELLS = 1 << 19  # (nodes x rows) tested at once: 2 MB of float32, a bool matrix a quarter of it


class TreeEnsemble:
    """The raw score (log-odds) of a fitted binary gradient-boosting classifier.

    Parameters
    ----------
    feature, threshold, left, right, value : ndarray
        The nodes of all trees, concatenated; a leaf has ``left == -1``, and
        ``value`` holds each leaf's contribution, learning rate included.
    roots : ndarray
        Index of each tree's root node.
    init : float
        The log-odds every prediction starts from.
    depth : int
        The deepest path of any tree (the number of steps a prediction takes).
    """

    def __init__(self, feature: np.ndarray, threshold: np.ndarray, left: np.ndarray, right: np.ndarray,
                 value: np.ndarray, roots: np.ndarray, init: float, depth: int) -> None:
        self.feature, self.threshold = feature.astype(np.int32), threshold.astype(np.float64)
        self.left, self.right = left.astype(np.int32), right.astype(np.int32)
        self.value, self.roots = value.astype(np.float64), roots.astype(np.int32)
        self.init, self.depth = float(init), int(depth)
        self._complete_tables()

    @classmethod
    def from_sklearn(cls, model, sample: np.ndarray) -> "TreeEnsemble":
        """Copy a fitted ``GradientBoostingClassifier``; ``sample`` rows check the copy predicts the same."""
        trees = [estimator.tree_ for estimator in model.estimators_[:, 0]]
        offsets = np.concatenate(([0], np.cumsum([t.node_count for t in trees])))

        def joined(pick) -> np.ndarray:
            return np.concatenate([pick(t) for t in trees])

        def child(side: str) -> np.ndarray:
            return np.concatenate([np.where(getattr(t, side) >= 0, getattr(t, side) + o, -1)
                                   for t, o in zip(trees, offsets)])

        ensemble = cls(
            feature=joined(lambda t: t.feature), threshold=joined(lambda t: t.threshold),
            left=child("children_left"), right=child("children_right"),
            value=joined(lambda t: t.value[:, 0, 0]) * model.learning_rate,
            roots=offsets[:-1], init=0.0, depth=max(t.max_depth for t in trees),
        )
        ensemble.init = float(np.mean(model.decision_function(sample) - ensemble.decision_function(sample)))
        if not np.allclose(ensemble.decision_function(sample), model.decision_function(sample), atol=1e-6):
            raise ValueError("the exported trees do not reproduce the fitted model")
        return ensemble

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Log-odds for each row of ``X``."""
        # Trees compare in float32, as scikit-learn does (against thresholds rounded down to float32: the same
        # answers, ``_complete_tables``).
        X = np.asarray(X, dtype=np.float32)
        out = np.empty(X.shape[0])
        trees, inner = self._leaf_value.shape[0], self._feature.size
        # A few rows at a time: arrays past glibc's mmap threshold (128 KB) were fresh memory at every call,
        # whose page faults cost more than the arithmetic.
        step = max(1, _CELLS // max(inner, 1))
        tree = np.arange(trees)[:, None] * self._leaf_value.shape[1]
        for start in range(0, X.shape[0], step):
            columns = np.ascontiguousarray(X[start:start + step].T)  # (features, rows)
            # Every node's test for every row at once, by rows of node tables laid level by level:
            # (nodes, rows); then each row walks down its trees by reading the tests of its path.
            goes_right = ~(columns[self._feature] <= self._threshold[:, None]).reshape(-1, trees * columns.shape[1])
            # A path's turns so far, right = 1.
            slot = np.zeros(goes_right.shape[1], dtype=np.min_scalar_type((1 << self.depth) - 1))
            for level in range(self.depth):
                first = (1 << level) - 1  # the level's first node: slot k's is ``first + k``
                turn = goes_right[first]
                for k in range(1, 1 << level):  # masks, not a gather per cell: several times faster
                    turn = turn & (slot != k) | (slot == k) & goes_right[first + k]
                slot = (slot << 1) | turn.view(np.uint8)
            # The same sum over the same (rows, trees) leaf values as a walk node by node: each total unchanged.
            leaves = self._leaf_value.ravel()[tree + slot.reshape(trees, -1)]
            out[start:start + step] = self.init + np.ascontiguousarray(leaves.T).sum(axis=1)
        return out

    def _complete_tables(self) -> None:
        """Each tree as a complete tree of ``depth`` levels, nodes numbered level by level (heap order) and laid
        tree after tree within a level: a leaf above the last level stands for all the slots below it (its
        value copied to each; the tests on its way down are never read apart, feature 0 and any threshold).
        Thresholds are rounded down to float32: a float32 value is at most a float64 threshold exactly when
        it is at most the largest float32 not above it, so the tests are answered in float32."""
        nodes = self.roots[:, None].astype(np.int64)
        features, thresholds = [], []
        for _ in range(self.depth):
            leaf = self.left[nodes] < 0
            features.append(np.where(leaf, 0, self.feature[nodes]).T.ravel())
            thresholds.append(np.where(leaf, 0.0, self.threshold[nodes]).T.ravel())
            nodes = np.stack((np.where(leaf, nodes, self.left[nodes]), np.where(leaf, nodes, self.right[nodes])),
                             axis=2).reshape(len(self.roots), -1)
        if not (self.left[nodes] < 0).all():
            raise ValueError(f"a tree is deeper than depth={self.depth}")
        threshold = np.concatenate(thresholds) if thresholds else np.zeros(0)
        with np.errstate(over="ignore"):
            rounded = threshold.astype(np.float32)
        self._threshold = np.where(rounded > threshold, np.nextafter(rounded, np.float32(-np.inf)), rounded)
        self._feature = np.concatenate(features).astype(np.intp) if features else np.zeros(0, np.intp)
        self._leaf_value = self.value[nodes]  # (trees, 2 ** depth)

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays to save (``init`` and ``depth`` go in the metadata)."""
        return {f"trees_{name}": getattr(self, name) for name in ARRAYS}

    @classmethod
    def from_arrays(cls, arrays, init: float, depth: int) -> "TreeEnsemble":
        return cls(**{name: arrays[f"trees_{name}"] for name in ARRAYS}, init=init, depth=depth)
