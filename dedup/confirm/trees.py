"""Gradient-boosted trees as plain arrays, so a fitted model ships without pickle.

scikit-learn fits the ensemble (``GradientBoostingClassifier``); this module
keeps only what prediction needs, read from the public ``tree_`` attribute
of each fitted tree: per node its feature, threshold, children and leaf
value. Prediction walks every row down every tree at once with numpy.
"""

from __future__ import annotations

import numpy as np

ARRAYS = ("feature", "threshold", "left", "right", "value", "roots")
_CELLS = 32768  # (rows x trees) walked at once: int32 arrays of 128 KB


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
        self._walk_tables()

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
        # Trees compare in float32, as scikit-learn does.
        X = np.asarray(X, dtype=np.float32)
        out = np.empty(X.shape[0])
        # A few rows at a time: (rows, trees) arrays past glibc's mmap threshold (128 KB) were fresh memory
        # at every step, whose page faults cost more than the arithmetic.
        step = max(1, _CELLS // max(self.roots.size, 1))
        for start in range(0, X.shape[0], step):
            rows = X[start:start + step]
            node = np.broadcast_to(self.roots, (rows.shape[0], self.roots.size))
            flat_rows = (np.arange(rows.shape[0], dtype=np.int32) * np.int32(rows.shape[1]))[:, None]
            values = rows.ravel()
            for _ in range(self.depth):
                # Not "<=" goes right, as in scikit-learn (a NaN too).
                goes_right = ~(values[flat_rows + self._feature[node]] <= self._threshold[node])
                node = self._child[2 * node + goes_right]
            # The same sum over the same (rows, trees) values as before: each row's total is unchanged.
            out[start:start + step] = self.init + self.value[node].sum(axis=1)
        return out

    def _walk_tables(self) -> None:
        """Node tables for walking: a leaf is its own child either way (so rows that reached one stay there),
        and its feature 0 and threshold are never used to choose; children interleaved (left, right)."""
        leaf = self.left < 0
        here = np.arange(self.left.size, dtype=np.int32)
        self._feature = np.where(leaf, 0, self.feature).astype(np.int32)
        self._threshold = self.threshold
        self._child = np.stack((np.where(leaf, here, self.left), np.where(leaf, here, self.right)),
                               axis=1).ravel().astype(np.int32)

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays to save (``init`` and ``depth`` go in the metadata)."""
        return {f"trees_{name}": getattr(self, name) for name in ARRAYS}

    @classmethod
    def from_arrays(cls, arrays, init: float, depth: int) -> "TreeEnsemble":
        return cls(**{name: arrays[f"trees_{name}"] for name in ARRAYS}, init=init, depth=depth)
