"""The learned reranker: logistic regression and boosted trees over explainable pair features.

Its probability is a weighted mean of two models' probabilities
(``linear_weight``, chosen out of fold on training data). Gradient-boosted
trees over the dense features of ``features.FEATURES`` learn how the
features interact (a high cosine means less when the numbers disagree).
The logistic model sees three blocks, all computed from the pair alone:
1. the dense features of ``features.FEATURES``, standardized;
2. the same features cut into quantile bins (one-hot), so a linear model
   can learn that, say, a character cosine of 0.9 means far more than
   twice 0.45;
3. hashed indicators of the words the two sides do not share and of the
   words they share, so it learns which differences matter ("not",
   "million", a weekday) and which do not ("said", "the");
4. hashed substitutions: each content word only one side has, paired with
   each content word only the other side has, so it learns which swaps
   keep the meaning ("told" for "said", "stock" for "shares") and which
   do not ("Monday" for "Friday").

It ships inside the package as ``models/reranker.npz``: plain arrays (the
trees as node tables, see ``trees``)
plus a JSON string with its training data and date, loaded without pickle.
``benchmarks/train_reranker.py`` fits it on public paraphrase data.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy import sparse

from dedup.confirm.design import HASH_FEATURES as _HASH_FEATURES
from dedup.confirm.design import SUBSTITUTION_FEATURES as _SUBSTITUTION_FEATURES
from dedup.confirm.design import SUBSTITUTIONS_PER_SIDE as _SUBSTITUTIONS_PER_SIDE
from dedup.confirm.design import design_matrix
from dedup.confirm.features import FEATURES, PairFeaturizer
from dedup.confirm.trees import TreeEnsemble
from dedup.util.validate import (
    check_between,
    check_fraction,
    check_int,
    check_positive,
    refuses_two_values,
)

MODEL_PATH = Path(__file__).resolve().parents[1] / "models" / "reranker.npz"  # dedup/models/
_FORMAT = 4


class ModelFileError(ValueError):
    """The reranker file is missing, unreadable or of another version."""


_RENAMED = {"threshold": "probability_threshold", "detector_threshold": "detector_probability_threshold"}


class Reranker:
    """Probability that a text pair states the same thing.

    Parameters
    ----------
    C : float, default=1.0
        Inverse L2 regularisation strength of the logistic regression
        (only used by ``fit``).
    n_bins : int, default=8
        Quantile bins per dense feature (only used by ``fit``).
    n_trees : int, default=600
        Boosting rounds of the tree model (only used by ``fit``).
    tree_depth : int, default=3
        Depth of each tree (only used by ``fit``).
    linear_weight : float, default=0.5
        Weight of the logistic model's probability in the mean (the trees
        get the rest); the training script sets it.
    substitution_weight : float, default=2.0
        Scale of the hashed substitutions in the logistic model's design
        (0 leaves them out); chosen out of fold on MRPC train.
    probability_threshold : float, default=0.5
        Probability at or above which a pair counts as a restatement when
        pairs are classified one by one (most accurate on training data);
        ``fit`` leaves it, the training script sets it.
    detector_probability_threshold : float, default=0.7
        The stricter probability the article detector confirms at (the
        lowest with precision 0.9 on training data); set the same way.

    ``threshold`` and ``detector_threshold``, the old names of the last two, still work for one release,
    with a ``DeprecationWarning`` (the model file keeps them as its keys).
    """

    @refuses_two_values(_RENAMED)
    def __init__(self, C: float = 1.0, n_bins: int = 8, n_trees: int = 600, tree_depth: int = 3,
                 linear_weight: float = 0.5, substitution_weight: float = 2.0,
                 probability_threshold: float = 0.5, detector_probability_threshold: float = 0.7) -> None:
        check_positive("C", C)
        check_between("linear_weight", linear_weight, 0.0, 1.0)
        check_between("substitution_weight", substitution_weight, 0.0)
        for name, value, least in (("n_bins", n_bins, 2), ("n_trees", n_trees, 1), ("tree_depth", tree_depth, 1)):
            check_int(name, value, least)
        for name, value in (("probability_threshold", probability_threshold),
                            ("detector_probability_threshold", detector_probability_threshold)):
            check_fraction(name, value, open_high=True)
        self.C = C
        self.n_bins = n_bins
        self.n_trees = n_trees
        self.tree_depth = tree_depth
        self.linear_weight = linear_weight
        self.substitution_weight = substitution_weight
        self.probability_threshold = probability_threshold
        self.detector_probability_threshold = detector_probability_threshold
        self.metadata: dict = {}

    def fit(self, dense: np.ndarray, a: Sequence[str], b: Sequence[str], y: np.ndarray,
            sample_weight: np.ndarray | None = None) -> "Reranker":
        """Fit on dense feature rows of the pairs ``(a[i], b[i])`` with 0/1 labels ``y``.

        ``sample_weight`` (one per pair) lets the training script count the
        hand-labelled pairs more than the generated ones.
        """
        from sklearn.ensemble import GradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression

        self.mean_ = dense.mean(axis=0)
        self.scale_ = np.where(dense.std(axis=0) > 0, dense.std(axis=0), 1.0)
        inner = np.linspace(0, 1, self.n_bins + 1)[1:-1]
        self.edges_ = np.quantile(dense, inner, axis=0).T  # (features, n_bins - 1)
        model = LogisticRegression(C=self.C, max_iter=5000).fit(self._design(dense, a, b), y,
                                                                 sample_weight=sample_weight)
        self.coef_, self.intercept_ = model.coef_[0].astype(np.float64), float(model.intercept_[0])
        boosted = GradientBoostingClassifier(n_estimators=self.n_trees, max_depth=self.tree_depth,
                                             learning_rate=0.05, subsample=0.8, random_state=0)
        boosted.fit(dense, y, sample_weight=sample_weight)
        self.trees_ = TreeEnsemble.from_sklearn(boosted, dense[:1000])
        return self

    def _design(self, dense: np.ndarray, a: Sequence[str], b: Sequence[str]) -> sparse.csr_matrix:
        """The logistic model's design matrix (see ``design.design_matrix``)."""
        # np.searchsorted(edges_[f], dense[:, f], side="right") for every feature f at once: the number of
        # edges at or below the value (a NaN sorts past them all).
        bins = (self.edges_[None, :, :] <= dense[:, :, None]).sum(axis=2)
        bins[np.isnan(dense)] = self.edges_.shape[1]
        return design_matrix((dense - self.mean_) / self.scale_, bins, self.n_bins, a, b, self.substitution_weight)

    def predict_proba(self, dense: np.ndarray, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """Probability of a restatement for each pair (a 1-d array): the weighted mean of the two models'."""
        linear, trees = self.component_probabilities(dense, a, b)
        return self.linear_weight * linear + (1 - self.linear_weight) * trees

    def component_probabilities(self, dense: np.ndarray, a: Sequence[str],
                                b: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(logistic, trees): each model's probability for each pair, before they are mixed."""
        if dense.shape[0] == 0:
            return np.zeros(0), np.zeros(0)
        linear = self._design(dense, a, b) @ self.coef_ + self.intercept_
        return _sigmoid(linear), _sigmoid(self.trees_.decision_function(dense))

    def save(self, path: str | Path) -> None:
        meta = {**self.metadata, **self._params(), "features": list(FEATURES), "hash_features": _HASH_FEATURES,
                "substitution_features": _SUBSTITUTION_FEATURES, "substitutions_per_side": _SUBSTITUTIONS_PER_SIDE,
                "trees_init": self.trees_.init, "trees_depth": self.trees_.depth, "format": _FORMAT}
        with open(path, "wb") as handle:
            np.savez_compressed(handle, mean=self.mean_, scale=self.scale_, edges=self.edges_,
                                coef=self.coef_.astype(np.float32), intercept=np.array(self.intercept_),
                                **self.trees_.arrays(), meta=np.array(json.dumps(meta, sort_keys=True)))

    def _params(self) -> dict:
        return {"C": self.C, "n_bins": self.n_bins, "n_trees": self.n_trees, "tree_depth": self.tree_depth,
                "linear_weight": self.linear_weight, "substitution_weight": self.substitution_weight,
                # The model file's keys keep their first names.
                "threshold": self.probability_threshold,
                "detector_threshold": self.detector_probability_threshold}

    @classmethod
    def load(cls, path: str | Path = MODEL_PATH) -> "Reranker":
        """Read a saved model (no pickle: plain arrays and a JSON string)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if meta.get("format") != _FORMAT or meta.get("features") != list(FEATURES) \
                        or meta.get("hash_features") != _HASH_FEATURES \
                        or meta.get("substitution_features") != _SUBSTITUTION_FEATURES \
                        or meta.get("substitutions_per_side") != _SUBSTITUTIONS_PER_SIDE:
                    raise ModelFileError(f"reranker model {path} was built for another version of dedup")
                arrays = {k: data[k] for k in data.files if k != "meta"}
                model = cls(**{k: meta[k] for k in ("C", "n_bins", "n_trees", "tree_depth", "linear_weight",
                                                    "substitution_weight")},
                            probability_threshold=meta["threshold"],
                            detector_probability_threshold=meta["detector_threshold"])
                model.trees_ = TreeEnsemble.from_arrays(arrays, meta["trees_init"], meta["trees_depth"])
        except (OSError, KeyError, ValueError) as error:
            if isinstance(error, ModelFileError):
                raise
            raise ModelFileError(f"cannot read reranker model {path}: {error}") from None
        model.metadata = meta
        model.mean_, model.scale_, model.edges_ = arrays["mean"], arrays["scale"], arrays["edges"]
        model.coef_, model.intercept_ = arrays["coef"].astype(np.float64), float(arrays["intercept"])
        return model


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@lru_cache(maxsize=1)
def default_reranker() -> Reranker:
    """The model shipped with the package, loaded once per process."""
    return Reranker.load(MODEL_PATH)


def score_pairs(featurizer: PairFeaturizer, a: Sequence[str], b: Sequence[str],
                reranker: Reranker | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(dense features, probabilities) of the pairs ``(a[i], b[i])`` with a fitted featurizer."""
    reranker = reranker or default_reranker()
    dense = featurizer.transform(a, b)
    return dense, reranker.predict_proba(dense, a, b)
