"""How the classifier holds up when visitors type differently: the natural
development set (data/natural-dev.jsonl, the set tuned on) as written and
rewritten the ways visitors write — without `?` and `!`, without any
punctuation, without accents, in capitals, with typos (one letter in 25
changed, a fixed seed), with a greeting and a sign-off, with emoji — and
each head's accuracy on every version, read from `touchpoint classify`.

    cargo build --profile native --features cli
    python3 bench/typing_variants.py [data/natural-dev.jsonl] [target/native/touchpoint]

Prints one row per rewrite. MODEL.md ("On the natural test set", the
twenty-seventh session) records what it measured and what was tried.
"""
import json
import random
import re
import subprocess
import sys
import unicodedata

HEADS = ("topic", "sentiment", "kind", "urgency", "expectation_gap")


def without_accents(text):
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def with_typos(text, rng):
    chars = list(text)
    for _ in range(max(1, len(chars) // 25)):
        at = rng.randrange(len(chars))
        if chars[at].isalpha():
            chars[at] = rng.choice("aeiourstnl")
    return "".join(chars)


def rewrites():
    rng = random.Random(1)
    return {
        "as written": lambda t: t,
        "no ? or !": lambda t: re.sub(r"[?!¿¡]", "", t),
        "no punctuation": lambda t: re.sub(r"[^\w\s]", "", t),
        "no accents": without_accents,
        "capitals": str.upper,
        "typos (1 in 25)": lambda t: with_typos(t, rng),
        "greeting, sign-off": lambda t: "Hello, " + t + " Thanks in advance, Maria",
        "emoji": lambda t: t + " 😡😡",
    }


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else "data/natural-dev.jsonl"
    binary = sys.argv[2] if len(sys.argv) > 2 else "target/native/touchpoint"
    rows = [json.loads(line) for line in open(data, encoding="utf-8")]
    print(f"{len(rows)} messages from {data}; accuracy per head (%)")
    print(f"| rewrite | {' | '.join(HEADS)} |")
    print("|---|" + "---:|" * len(HEADS))
    for name, rewrite in rewrites().items():
        lines = "".join(json.dumps({"text": rewrite(r["text"])}) + "\n" for r in rows)
        answers = subprocess.run([binary, "classify"], input=lines, capture_output=True, text=True, check=True)
        got = [json.loads(line) for line in answers.stdout.splitlines()]
        if len(got) != len(rows):
            sys.exit(f"{name}: {len(got)} answers for {len(rows)} messages")
        cells = []
        for head in HEADS:
            right = sum(str(r.get(head)).lower() == str(g.get(head)).lower() for r, g in zip(rows, got))
            cells.append(f"{100 * right / len(rows):.1f}")
        print(f"| {name} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
