"""What the reference SVM's lead over the model is made of: the same linear
SVM (`reference_svm.classifier()`) fitted on the training split with
different features, each scored on the natural dev set (the one to tune
on), for the heads named. MODEL.md ("On the natural test set", fourteenth
session) has the table this prints.

    target/native/touchpoint train --export-splits target/splits
    python3 bench/feature_attribution.py target/splits data/natural-dev.jsonl kind,urgency,expectation_gap

Variants: the reference's TF-IDF of words and word pairs beside TF-IDF of
character 3/4-grams (each block unit length), without IDF, without pairs,
without either; then features built as `touchpoint` builds them (words and
character 3/4-grams of each padded word, square-root counts, one unit
length), hashed into 2^13 rows (2^14 for topic: kind's, urgency's and
sentiment's rows; the gap's own head has 2^12) or into 2^20 (next to no
collisions),
with words and n-grams normalised apart, and with word pairs hashed into
rows of their own. Hashing here is scikit-learn's, not FNV-1a: the
collision rate is the same, the colliding features differ.
"""
import re
import sys

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import normalize

from reference_svm import classifier, label_of, load, load_natural

WORD = re.compile(r"\w+|[?!]")


def words(text):
    return WORD.findall(text.lower())


def word_features(text):
    return ["w:" + w for w in words(text)]


def ngram_features(text):
    out = []
    for w in words(text):
        if len(w) <= 24:
            padded = "<" + w + ">"
            for n in (3, 4):
                out += ["c:" + padded[i:i + n] for i in range(len(padded) - n + 1)]
    return out


def ours(text):
    return word_features(text) + ngram_features(text)


def pairs(text):
    ws = words(text)
    return ["p:" + a + " " + b for a, b in zip(ws, ws[1:])]


def hashed(analyzer, bits, texts):
    counts = HashingVectorizer(analyzer=analyzer, n_features=2**bits, alternate_sign=False, norm=None).transform(texts)
    counts.data = np.sqrt(counts.data)
    return counts


def with_pairs(bits, pair_bits):
    """Ours plus word pairs in 2^pair_bits rows of their own, divided by the
    words' and n-grams' length as `features_of_words` divides them."""
    def build(texts):
        main = hashed(ours, bits, texts)
        length = np.sqrt(np.asarray(main.multiply(main).sum(1)).ravel())
        length[length == 0] = 1
        scale = sp.diags(1 / length)
        return sp.hstack([scale @ main, scale @ hashed(pairs, pair_bits, texts)]).tocsr()
    return build


def tfidf(idf, word_pairs):
    return make_union(
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2 if word_pairs else 1), sublinear_tf=True, use_idf=idf),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True, use_idf=idf),
    )


def variants(bits):
    apart = lambda texts: sp.hstack([normalize(hashed(word_features, bits, texts)), normalize(hashed(ngram_features, bits, texts))]).tocsr()
    words_and_pairs_apart = lambda texts: sp.hstack([
        normalize(sp.hstack([hashed(word_features, bits, texts), hashed(pairs, bits, texts)]).tocsr()),
        normalize(hashed(ngram_features, bits, texts)),
    ]).tocsr()
    return [
        ("reference: TF-IDF words + pairs, TF-IDF char 3/4-grams", tfidf(True, True)),
        ("... without IDF", tfidf(False, True)),
        ("... without word pairs", tfidf(True, False)),
        ("... without either", tfidf(False, False)),
        (f"ours, hashed into 2^{bits}", lambda texts: normalize(hashed(ours, bits, texts))),
        ("ours, hashed into 2^20", lambda texts: normalize(hashed(ours, 20, texts))),
        ("ours, words and n-grams each unit length", apart),
        ("ours and word pairs in 2^10 rows of their own", with_pairs(bits, 10)),
        (f"ours and word pairs in 2^{bits} rows of their own", with_pairs(bits, bits)),
        ("words with pairs, and n-grams, each unit length", words_and_pairs_apart),
    ]


def main(splits, dev_path, heads):
    dev = load_natural(dev_path)
    for head in heads:
        texts, labels = load(f"{splits}/train.jsonl", head)
        rows = [r for r in dev if label_of(r, head)]
        gold = [label_of(r, head) for r in rows]
        dev_texts = [r["text"] for r in rows]
        bits = 14 if head == "topic" else 13
        for name, features in variants(bits):
            if hasattr(features, "fit_transform"):
                model = make_pipeline(features, classifier()).fit(texts, labels)
                predicted = model.predict(dev_texts)
            else:
                predicted = classifier().fit(features(texts), labels).predict(features(dev_texts))
            accuracy = np.mean([g == p for g, p in zip(gold, predicted)])
            line = f"{head:<16} {name:<58} {accuracy * 100:5.1f}%"
            if head == "expectation_gap":
                hits = sum(1 for g, p in zip(gold, predicted) if g == p == "true")
                said = max(1, sum(p == "true" for p in predicted))
                real = max(1, sum(g == "true" for g in gold))
                line += f"  true P {hits / said * 100:.1f}% R {hits / real * 100:.1f}%"
            print(line, flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3].split(","))
