"""Reference for the classifier benchmark: a full-vocabulary TF-IDF + linear SVM
(scikit-learn) trained and tested on exactly the splits `touchpoint train`
uses, so the two are measured side by side; then the same fitted SVM scored on
the natural test set (data/natural-test.jsonl, never trained or tuned on)
and, with `--dev`, on the natural development set (data/natural-dev.jsonl,
the one to tune on).

    target/native/touchpoint train --export-splits target/splits
    python3 bench/reference_svm.py target/splits data/natural-test.jsonl
    python3 bench/reference_svm.py --dev data/natural-dev.jsonl target/splits

Site adaptation (bench/site-adaptation.mjs runs it): the topic SVM trained on
the same training split alone and with a site's examples added, each scored
on that site's test messages; prints one JSON line.

    python3 bench/reference_svm.py --site target/splits EXAMPLES.jsonl MESSAGES.jsonl

and the SVM's score on the site's own examples, cross-validated as
`touchpoint train-site --cross-validate` does (five folds by the hash
`touchpoint train` splits by; only examples outside its training split are
scored); prints one JSON line.

    python3 bench/reference_svm.py --site-cv target/splits EXAMPLES.jsonl

Prints each head's accuracy and macro-F1 on the held-out splits (topic and
sentiment from every source; kind, urgency and expectation gap from the
sources labelled for them, the generated and the written visitor messages);
on the natural set, a per-language summary in the same rows as `touchpoint
eval` (topic, sentiment, kind and urgency accuracy, negative recall and
precision, expectation-gap precision and recall) and per-label precision
and recall for every head.
"""
import json
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC


HEADS = ("topic", "sentiment", "kind", "urgency", "expectation_gap")


def label_of(row, head):
    """A row's label for `head` as `touchpoint eval` names it (the gap's
    booleans as "true" / "false"), or None where the row has none."""
    value = row.get(head)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value or None


def load(path, head, with_sources=False):
    texts, labels, sources = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if label_of(row, head) is not None:
                texts.append(row["text"])
                labels.append(label_of(row, head))
                sources.append(row.get("source", ""))
    return (texts, labels, sources) if with_sources else (texts, labels)


def load_natural(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.lstrip().startswith("//"):
                rows.append(json.loads(line))
    return rows


def classifier():
    """The reference's linear SVM (also what bench/pair_selection.py fits)."""
    return LinearSVC(C=0.5, class_weight="balanced")


def fit(x_train, y_train):
    model = make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True, lowercase=True),
        ),
        classifier(),
    )
    model.fit(x_train, y_train)
    return model


def pct(value):
    return "—" if value is None else f"{value * 100:.1f}"


def label_pr(gold, predicted, label):
    """(precision, recall) of one label; None where undefined."""
    tp = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
    n_pred = sum(1 for p in predicted if p == label)
    n_gold = sum(1 for g in gold if g == label)
    return (tp / n_pred if n_pred else None, tp / n_gold if n_gold else None)


def natural_report(rows, predictions, title="the natural test set"):
    """Per-language summary, then per-label tables, for a natural set."""
    groups = sorted({r.get("language", "unlabelled") for r in rows}, key=lambda g: (g != "en", g))
    columns = ["all"] + groups

    def subset(column, head):
        pairs = [
            (label_of(r, head), p)
            for r, p in zip(rows, predictions.get(head, []))
            if label_of(r, head) is not None and (column == "all" or r.get("language", "unlabelled") == column)
        ]
        return [g for g, _ in pairs], [p for _, p in pairs]

    def measure(name, head, column):
        gold, predicted = subset(column, head)
        if not gold:
            return None
        if name.endswith("accuracy"):
            return accuracy_score(gold, predicted)
        if name.endswith("macro-F1"):
            return f1_score(gold, predicted, average="macro", labels=sorted(set(gold)), zero_division=0)
        precision, recall = label_pr(gold, predicted, "true" if head == "expectation_gap" else "negative")
        return recall if name.endswith("recall") else precision

    print(f"== reference SVM on {title}: {len(rows)} messages, percentages by language")
    print("| " + f"{'measure':<26}" + " |" + "".join(f" {c:>6} |" for c in columns))
    print("|" + "-" * 28 + "|" + "".join("-" * 7 + ":|" for _ in columns))
    counts = [len([r for r in rows if c == "all" or r.get("language", "unlabelled") == c]) for c in columns]
    print("| " + f"{'messages':<26}" + " |" + "".join(f" {n:>6} |" for n in counts))
    measures = (
        ("topic accuracy", "topic"),
        ("topic macro-F1", "topic"),
        ("sentiment accuracy", "sentiment"),
        ("negative recall", "sentiment"),
        ("negative precision", "sentiment"),
        ("kind accuracy", "kind"),
        ("urgency accuracy", "urgency"),
        ("expectation gap precision", "expectation_gap"),
        ("expectation gap recall", "expectation_gap"),
    )
    for name, head in measures:
        print("| " + f"{name:<26}" + " |" + "".join(f" {pct(measure(name, head, c)):>6} |" for c in columns))
    for head in (h for h in HEADS if h in predictions):
        gold, predicted = subset("all", head)
        labels = sorted(set(gold) | set(predicted))
        precision, recall, _, support = precision_recall_fscore_support(
            gold, predicted, labels=labels, zero_division=0
        )
        print(f"\n== reference SVM {head} on {title}, per label")
        print(f"{'label':<14} {'precision':>9} {'recall':>9} {'support':>8}")
        for label, p, r, s in zip(labels, precision, recall, support):
            print(f"{label:<14} {p * 100:>8.1f}% {r * 100:>8.1f}% {s:>8}")


def main(splits, natural=None, dev=None):
    rows = load_natural(natural) if natural else []
    dev_rows = load_natural(dev) if dev else []
    predictions, dev_predictions = {}, {}
    for head in HEADS:
        x_train, y_train = load(f"{splits}/train.jsonl", head)
        x_test, y_test, sources = load(f"{splits}/test.jsonl", head, with_sources=True)
        model = fit(x_train, y_train)
        predicted = model.predict(x_test)
        print(
            f"reference {head}: {len(x_test)} held-out, accuracy {accuracy_score(y_test, predicted) * 100:.2f}%, "
            f"macro-F1 {f1_score(y_test, predicted, average='macro') * 100:.2f}%"
        )
        # Per source, as `touchpoint train` prints it.
        for source in sorted(set(sources)):
            idx = [i for i, s in enumerate(sources) if s == source]
            gold = [y_test[i] for i in idx]
            pred = [predicted[i] for i in idx]
            print(
                f"reference {head} (held-out) {source}: {len(idx)} examples, accuracy {accuracy_score(gold, pred) * 100:.2f}%, "
                f"macro-F1 {f1_score(gold, pred, average='macro') * 100:.2f}%"
            )
        if rows:
            predictions[head] = list(model.predict([r["text"] for r in rows]))
        if dev_rows:
            dev_predictions[head] = list(model.predict([r["text"] for r in dev_rows]))
    if dev_rows:
        print()
        natural_report(dev_rows, dev_predictions, "the natural dev set")
    if rows:
        print()
        natural_report(rows, predictions)


def site(splits, examples, messages):
    """Topic accuracy on `messages`: the SVM on the default training split,
    and on it plus the site's `examples` (as a site model is trained)."""
    x_train, y_train = load(f"{splits}/train.jsonl", "topic")
    x_site, y_site = load(examples, "topic")
    x_test, y_test = load(messages, "topic")
    scores = {}
    for name, (x, y) in {"default": (x_train, y_train), "with_site": (x_train + x_site, y_train + y_site)}.items():
        scores[name] = accuracy_score(y_test, fit(x, y).predict(x_test))
    print(json.dumps({"messages": len(x_test), "site_examples": len(x_site), **scores}))


def fnv1a(data):
    h = 0x811C9DC5
    for byte in data:
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def site_cv(splits, examples):
    """Topic accuracy of the SVM trained on the default training split plus
    four fifths of the site's examples, on the fifth left out, for each fifth
    in turn, counting only examples `touchpoint train` does not train on."""
    x_train, y_train = load(f"{splits}/train.jsonl", "topic")
    x_site, y_site = load(examples, "topic")
    hashes = [fnv1a(t.strip().lower().encode("utf-8")) for t in x_site]
    right = total = 0
    for fold in range(5):
        rest = [(t, y) for t, y, h in zip(x_site, y_site, hashes) if h % 5 != fold]
        # Outside `touchpoint train`'s training split: its test fifth, or its validation eighth.
        held = [(t, y) for t, y, h in zip(x_site, y_site, hashes)
                if h % 5 == fold and (h % 5 == 0 or (h // 5) % 8 == 0)]
        model = fit(x_train + [t for t, _ in rest], y_train + [y for _, y in rest])
        predicted = model.predict([t for t, _ in held])
        right += sum(p == y for p, (_, y) in zip(predicted, held))
        total += len(held)
    print(json.dumps({"scored": total, "cross_validated": right / total if total else 0.0}))


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "--site":
    site(*sys.argv[2:])
elif __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "--site-cv":
    site_cv(*sys.argv[2:])
elif __name__ == "__main__":
    args, dev = sys.argv[1:], None
    if "--dev" in args and args.index("--dev") + 1 < len(args):
        at = args.index("--dev")
        dev = args[at + 1]
        args = args[:at] + args[at + 2:]
    main(
        args[0] if args else "target/splits",
        args[1] if len(args) > 1 else None,
        dev,
    )
