#!/usr/bin/env python3
"""How much of the reference SVM's word-pair gain a few selected pairs keep.

The 64 KB model has no word pairs: hashed into its 16,384 rows they collide
with everything else and gained nothing (MODEL.md). A table holding only
chosen pairs could carry them; this study says how many are worth it before
anyone builds one. It fits the reference SVM (`reference_svm.classifier`,
with the reference's TF-IDF settings but words, character n-grams and word
pairs in separate blocks, and `?` and `!` kept as words as Touchpoint's
features keep them) on words + character 3/4-grams, on those plus
every word pair, and on those plus the top K pairs ranked by the norm of
their weights in the all-pairs model, by chi², and by document frequency;
and scores each on the natural dev set (never the test set).

    python3 bench/pair_selection.py target/splits data/natural-dev.jsonl [topic|kind|urgency|expectation_gap]

`target/splits` comes from `touchpoint train --export-splits target/splits`.
"""

import sys

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.feature_selection import chi2

from reference_svm import classifier, label_of, load, load_natural

TOKENS = r"(?u)\b\w+\b|[?!]"
SECOND_HALF = 730  # data/README.md: the dev set's second half starts at line 731


def main(splits, dev_path, head="topic"):
    x_train, y_train = load(f"{splits}/train.jsonl", head)
    dev = [row for row in load_natural(dev_path) if label_of(row, head) is not None]
    x_dev = [row["text"] for row in dev]
    gold = np.array([label_of(row, head) for row in dev])
    second = np.arange(len(dev)) >= SECOND_HALF

    words = TfidfVectorizer(analyzer="word", sublinear_tf=True, token_pattern=TOKENS)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True)
    pairs = TfidfVectorizer(analyzer="word", ngram_range=(2, 2), sublinear_tf=True, token_pattern=TOKENS)
    base_train = sp.hstack([words.fit_transform(x_train), chars.fit_transform(x_train)]).tocsr()
    base_dev = sp.hstack([words.transform(x_dev), chars.transform(x_dev)]).tocsr()
    pairs_train, pairs_dev = pairs.fit_transform(x_train), pairs.transform(x_dev)
    print(f"{head}: {len(x_train)} training examples, {pairs_train.shape[1]} distinct word pairs")

    def score(name, columns=None):
        train, test = base_train, base_dev
        if columns is not None:
            train = sp.hstack([base_train, pairs_train[:, columns]]).tocsr()
            test = sp.hstack([base_dev, pairs_dev[:, columns]]).tocsr()
        model = classifier().fit(train, y_train)
        right = model.predict(test) == gold
        print(f"  {name:<34} dev {right.mean() * 100:5.1f}%   second half {right[second].mean() * 100:5.1f}%")
        return model

    score("words + character n-grams")
    everything = score("and every word pair", np.arange(pairs_train.shape[1]))
    weights = everything.coef_[:, base_train.shape[1]:]
    rankings = {
        "weight norm": np.argsort(-np.sqrt((weights**2).sum(0))),
        "chi2": np.argsort(-np.nan_to_num(chi2(pairs_train, y_train)[0])),
        "document frequency": np.argsort(-np.asarray((pairs_train > 0).sum(0)).ravel()),
    }
    for ranking, order in rankings.items():
        for k in (1000, 2000, 4000):
            score(f"and the top {k} by {ranking}", order[:k])


if __name__ == "__main__":
    main(*sys.argv[1:])
