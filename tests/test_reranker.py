"""The learned confirm stage: pair features, the shipped model, and the detector's --confirm learned."""

import json
import zipfile

import jsonschema
import numpy as np
import pytest
from click.testing import CliRunner

from dedup import Detector
from dedup.cli.main import main
from dedup.confirm.features import FEATURES, PairFeaturizer
from dedup.confirm.reranker import MODEL_PATH, ModelFileError, Reranker, default_reranker
from dedup.confirm.trees import TreeEnsemble

from .test_cli import SCHEMA

SOLD = "Yucaipa owned Dominick's before selling the chain to Safeway in 1998 for $2.5 billion."
SOLD_OTHER_PRICE = "Yucaipa bought Dominick's in 1995 for $693 million and sold it to Safeway for $1.8 billion in 1998."
SOLD_REWORDED = "Yucaipa sold the Dominick's chain to Safeway in 1998 for $2.5 billion, having owned it before."
STORM = ("A fierce storm closed schools across the northern region on Monday, and buses will not run "
         "until the roads are cleared.")
UNRELATED = "The city council approved a new budget for public libraries, adding two branches in the east."


def features(a, b, collection=()):
    featurizer = PairFeaturizer().fit(list(collection) + [a, b])
    return dict(zip(FEATURES, featurizer.transform([a], [b])[0]))


def test_verbatim_pair_has_full_overlap_features():
    f = features(STORM, STORM, [UNRELATED, SOLD])
    for name in ("word_cosine", "char_cosine", "jaccard", "containment", "sentence_alignment", "longest_run"):
        assert f[name] == pytest.approx(1.0), name
    assert f["numbers_conflict"] == f["names_conflict"] == f["negation_mismatch"] == 0.0


def test_numbers_that_disagree_are_flagged_and_agreeing_ones_are_not():
    assert features(SOLD, SOLD_OTHER_PRICE)["numbers_conflict"] > 0.5
    assert features(SOLD, SOLD_REWORDED)["numbers_conflict"] == 0.0


def test_negation_dates_and_names_are_compared():
    f = features("The minister will attend the summit on Friday.", "The minister will not attend the summit.")
    assert f["negation_mismatch"] == 1.0
    assert f["dates_one_sided"] == 1.0
    f = features("Talks between Kyiv and Moscow stalled.", "Talks between Kyiv and Washington stalled.")
    assert 0.0 < f["names_conflict"] < 1.0


def test_featurizer_rejects_mismatched_lists_and_handles_empty_input():
    featurizer = PairFeaturizer().fit([STORM, UNRELATED])
    with pytest.raises(ValueError, match="same length"):
        featurizer.transform([STORM], [])
    assert featurizer.transform([], []).shape == (0, len(FEATURES))


def test_shipped_model_loads_without_pickle_and_names_its_training_data():
    with zipfile.ZipFile(MODEL_PATH) as archive:
        assert all(name.endswith(".npy") for name in archive.namelist())
    with np.load(MODEL_PATH, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
    assert meta["features"] == list(FEATURES)
    assert "mrpc-train" in meta["training_data"] and meta["trained"]
    model = default_reranker()
    assert 0 < model.probability_threshold < 1 and 0 < model.detector_probability_threshold < 1
    assert np.count_nonzero(model.coef_) > len(FEATURES)
    assert model.trees_.roots.size == model.n_trees


def test_reranker_prefers_a_paraphrase_to_a_pair_with_other_numbers():
    a, b = [SOLD, SOLD, STORM], [SOLD_REWORDED, SOLD_OTHER_PRICE, UNRELATED]
    featurizer = PairFeaturizer().fit(a + b)
    p = default_reranker().predict_proba(featurizer.transform(a, b), a, b)
    assert p[0] > p[1] > p[2]
    assert p[0] >= default_reranker().probability_threshold > p[2]


def test_verbatim_and_lightly_edited_repeats_keep_their_recall():
    paragraphs = [
        "Heavy rain flooded the old town centre on Tuesday, and the river rose two metres above its usual level.",
        "The finance ministry said inflation slowed to 2.1 percent in March, the lowest rate in three years.",
        "Engineers at the port finished repairs on the northern pier after a cargo ship struck it last winter.",
        "The national museum will reopen its east wing next month after a renovation that lasted four years.",
    ]
    edits = [
        paragraphs[0],  # verbatim
        paragraphs[1].replace("slowed", "eased"),  # one word replaced
        paragraphs[2].replace("last winter", "in the winter"),
        paragraphs[3].replace(" next month", ""),  # words dropped
    ]
    filler = [
        "A local bakery won a regional prize for its rye bread.",
        "The football club signed a young goalkeeper from a rival team.",
    ]
    text = "\n\n".join(paragraphs + filler + edits)
    report = Detector(confirm="learned").detect(text)
    pairs = {(m.a, m.b) for m in report.matches}
    assert {(i, i + 6) for i in range(4)} <= pairs
    assert all(m.reranker is not None for m in report.matches)
    assert not {(4, 5)} & pairs


def test_save_and_load_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    dense = rng.random((60, len(FEATURES)))
    y = (dense[:, 0] > 0.5).astype(float)
    texts = [f"word{i} other{i % 7}" for i in range(60)]
    model = Reranker(probability_threshold=0.4, detector_probability_threshold=0.8).fit(dense, texts, texts[::-1], y)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = Reranker.load(path)
    assert (loaded.probability_threshold, loaded.detector_probability_threshold) == (0.4, 0.8)
    np.testing.assert_allclose(loaded.predict_proba(dense, texts, texts[::-1]),
                               model.predict_proba(dense, texts, texts[::-1]), rtol=1e-5)


def test_probability_mixes_the_two_models_and_sample_weights_count():
    rng = np.random.default_rng(2)
    dense = rng.random((200, len(FEATURES)))
    y = (dense[:, 0] + rng.normal(0, 0.3, 200) > 0.5).astype(float)
    texts = [f"word{i} other{i % 7}" for i in range(200)]
    model = Reranker(n_trees=20, linear_weight=0.3).fit(dense, texts, texts, y)
    linear, trees = model.component_probabilities(dense, texts, texts)
    np.testing.assert_allclose(model.predict_proba(dense, texts, texts), 0.3 * linear + 0.7 * trees)
    assert not np.allclose(linear, trees)
    weights = np.where(y == 1, 5.0, 1.0)  # positives counted five times lean every probability up
    weighted = Reranker(n_trees=20, linear_weight=0.3).fit(dense, texts, texts, y, weights)
    assert weighted.predict_proba(dense, texts, texts).mean() > model.predict_proba(dense, texts, texts).mean()


def test_the_logistic_part_learns_which_word_swaps_keep_the_meaning():
    # Every verb is as often in a restatement as in a non-restatement: only the pair of swapped words tells.
    same, different = [("approved", "backed"), ("rejected", "opposed")], [("approved", "opposed"),
                                                                         ("rejected", "backed")]
    subjects = [f"{town} council" for town in ("Leeds", "Derby", "Bath", "York", "Hull", "Ely", "Wells", "Ripon")]
    a, b, y = [], [], []
    for subject in subjects:
        for label, swaps in ((1.0, same), (0.0, different)):
            for x, z in swaps:
                for first, second in ((x, z), (z, x)):
                    a.append(f"The {subject} {first} the harbour plan.")
                    b.append(f"The {subject} {second} the harbour plan.")
                    y.append(label)
    y = np.array(y)
    dense = PairFeaturizer().fit(a + b).transform(a, b)
    train, test = np.arange(len(y)) < 48, np.arange(len(y)) >= 48  # the last two towns are held out

    def pick(rows):
        return [a[i] for i in np.flatnonzero(rows)], [b[i] for i in np.flatnonzero(rows)]

    gaps = {}
    for weight in (0.0, 2.0):
        model = Reranker(n_trees=1, linear_weight=1.0, substitution_weight=weight).fit(dense[train], *pick(train),
                                                                                      y[train])
        p = model.predict_proba(dense[test], *pick(test))
        gaps[weight] = p[y[test] == 1].min() - p[y[test] == 0].max()
    assert gaps[2.0] > 0 >= gaps[0.0]  # without the swaps the two kinds cannot be told apart


def test_word_order_and_stems_are_features():
    plain = "Officials closed schools in the north after the storm on Monday"
    f = features(plain, plain.replace("closed", "closes"))
    assert f["stem_bigram_min"] == 1.0 > f["bigram_min"]
    assert f["edit_distance"] == 0.0 and f["bleu_forward"] == f["bleu_backward"] == 1.0
    halves = plain.split(" in ")
    swapped = features(plain, f"In {halves[1]} officials {halves[0].split(' ', 1)[1]}")
    assert swapped["stem_unigram_min"] == 1.0  # the same words
    assert swapped["edit_distance"] > 0.5 and swapped["bleu_forward"] < 0.9  # in another order


def test_unreadable_model_file_is_a_clear_error(tmp_path):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a model")
    with pytest.raises(ModelFileError, match="junk.npz"):
        Reranker.load(junk)


def test_exported_trees_predict_what_scikit_learn_predicts():
    from sklearn.ensemble import GradientBoostingClassifier

    rng = np.random.default_rng(1)
    X = rng.random((400, 5))
    y = ((X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(0, 0.2, 400)) > 0.8).astype(int)
    model = GradientBoostingClassifier(n_estimators=40, max_depth=3, random_state=0).fit(X[:300], y[:300])
    trees = TreeEnsemble.from_sklearn(model, X[:300])
    np.testing.assert_allclose(trees.decision_function(X[300:]), model.decision_function(X[300:]), atol=1e-6)
    again = TreeEnsemble.from_arrays(trees.arrays(), trees.init, trees.depth)
    np.testing.assert_array_equal(again.decision_function(X), trees.decision_function(X))


def test_a_title_restated_in_a_longer_sentence_is_confirmed():
    # A headline in the present tense, its lede in the past with details added.
    report = Detector().detect("Storm closes schools.\n\nA storm closed schools across the region on Monday, "
                               "officials said.\n\nThe council approved a budget for two new libraries.")
    assert [(m.a, m.b) for m in report.matches] == [(0, 1)]


@pytest.mark.parametrize("bad", [dict(C=0), dict(n_bins=1), dict(n_trees=0), dict(tree_depth=0),
                                 dict(probability_threshold=1.0), dict(detector_probability_threshold=0), dict(linear_weight=1.5),
                                 dict(linear_weight=True), dict(linear_weight=float("nan")),
                                 dict(substitution_weight=-1), dict(substitution_weight="2"),
                                 dict(substitution_weight=float("inf"))])
def test_reranker_parameters_are_validated(bad):
    (name,) = bad
    with pytest.raises(ValueError, match=name):
        Reranker(**bad)


def test_detector_rejects_an_unknown_confirm_mode():
    with pytest.raises(ValueError, match="confirm"):
        Detector(confirm="magic")


def test_cli_confirm_option_switches_the_confirm_stage(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("\n\n".join([STORM, UNRELATED, STORM.replace("fierce ", "")]), encoding="utf-8")
    runner = CliRunner()
    learned = json.loads(runner.invoke(main, ["scan", str(path), "-f", "json"]).stdout)
    plain = json.loads(runner.invoke(main, ["scan", str(path), "--confirm", "tfidf", "-f", "json"]).stdout)
    learned_matches = learned["documents"][0]["matches"]
    assert [(m["a"], m["b"]) for m in learned_matches] == [(0, 2)]
    assert 0.0 < learned_matches[0]["reranker"] <= 1.0
    assert all(m["reranker"] is None for m in plain["documents"][0]["matches"])
    jsonschema.validate(learned, SCHEMA)
    result = runner.invoke(main, ["scan", str(path), "--confirm", "learned", "--probability-threshold", "1.5"])
    assert result.exit_code == 2 and "probability-threshold" in result.output
