"""The baseline every model number is shown beside: TF-IDF word and character n-grams with
logistic regression (scikit-learn), trained on the same train split as the model.

Its one hyperparameter, the inverse regularisation strength C, is picked on the validation
split, just as the transformer's best checkpoint is: a baseline left untuned would flatter
the model.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from threadpoolctl import threadpool_limits

from train.scores.metrics import macro_f1

C_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)
DESCRIPTION = "TF-IDF (word 1-2-grams + character 2-5-grams within words, sublinear tf) + logistic regression"


def tfidf_features() -> FeatureUnion:
    # Character n-grams catch Indonesian affixes (me-, di-, -kan, -nya) and spelling variants
    # of transliterated names that whole words miss.
    return FeatureUnion([
        ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True, min_df=2)),
    ])


def fit_baseline(train_texts, train_labels, val_texts=(), val_labels=(), *, seed: int = 0) -> Pipeline:
    """Fit the features once, then one logistic regression per C; keep the best validation
    macro-F1 (the first C on ties, i.e. the strongest regularisation). Without a validation
    split, C = 1."""
    # 1. features from the training sentences only
    features = tfidf_features()
    x_train = features.fit_transform(list(train_texts))
    grid = C_GRID if len(val_texts) else (1.0,)
    x_val = features.transform(list(val_texts)) if len(val_texts) else None

    # 2. one classifier per C, scored on validation. One BLAS thread: lbfgs on a small sparse
    #    problem makes many tiny BLAS calls, and on a busy 2-core machine multithreaded
    #    OpenBLAS made them ~40x slower (21 s instead of 0.5 s for 200 sentences).
    best, best_score = None, -1.0
    with threadpool_limits(limits=1, user_api="blas"):
        for c in grid:
            clf = LogisticRegression(C=c, max_iter=5000, random_state=seed).fit(x_train, list(train_labels))
            score = macro_f1(list(val_labels), clf.predict(x_val)) if x_val is not None else 0.0
            if score > best_score:
                best, best_score = clf, score
    return Pipeline([("tfidf", features), ("logreg", best)])


def baseline_probabilities(baseline: Pipeline, texts, num_labels: int) -> np.ndarray:
    """Probabilities with one column per label id, also for labels the train split lacked."""
    probs = np.zeros((len(texts), num_labels))
    if len(texts):
        probs[:, baseline.classes_] = baseline.predict_proba(list(texts))
    return probs


def baseline_summary(baseline: Pipeline) -> dict:
    """What the report and the card say about the baseline."""
    return {"description": DESCRIPTION, "C": float(baseline.named_steps["logreg"].C), "C_grid": list(C_GRID)}
