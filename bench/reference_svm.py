"""Reference for the classifier benchmark: a full-vocabulary TF-IDF + linear SVM
(scikit-learn) trained and tested on exactly the splits `touchpoint train`
uses, so the two are measured side by side.

    target/release/touchpoint train --export-splits target/splits
    python3 bench/reference_svm.py target/splits

Prints topic accuracy and macro-F1, and sentiment accuracy and macro-F1.
"""
import json
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC


def load(path, head):
    texts, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row.get(head):
                texts.append(row["text"])
                labels.append(row[head])
    return texts, labels


def main(splits):
    for head in ("topic", "sentiment"):
        x_train, y_train = load(f"{splits}/train.jsonl", head)
        x_test, y_test = load(f"{splits}/test.jsonl", head)
        model = make_pipeline(
            make_union(
                TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True),
                TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True, lowercase=True),
            ),
            LinearSVC(C=0.5, class_weight="balanced"),
        )
        model.fit(x_train, y_train)
        predicted = model.predict(x_test)
        print(
            f"reference {head}: {len(x_test)} held-out, accuracy {accuracy_score(y_test, predicted) * 100:.2f}%, "
            f"macro-F1 {f1_score(y_test, predicted, average='macro') * 100:.2f}%"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/splits")
