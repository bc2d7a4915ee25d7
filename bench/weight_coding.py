#!/usr/bin/env python3
"""How many bytes a model file's coded weights would take under other
context models (MODEL.md, "Twenty-eighth session").

Reads a TPCM file of format version 5 or 6, decodes each head's weights as
`src/domain/classify/model/weights.rs` does, and prints, per head, the ideal
adaptive code length (the sum of -log2 p of each coded bit) under the
coder's own contexts beside variants of them. The first column matches the
file's streams within a few bytes a head, so the others say what a change
to the coder would save before anyone writes it.

    python3 bench/weight_coding.py [model/touchpoint.tpcm]
"""
import math
import struct
import sys

PROBABILITY_BITS = 11
ONE = 1 << PROBABILITY_BITS
ADAPT_SHIFT = 6
MAGNITUDE_STEPS = 16


class Reader:
    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, n):
        chunk = self.data[self.at:self.at + n]
        if len(chunk) != n:
            sys.exit("truncated model file")
        self.at += n
        return chunk

    def byte(self):
        return self.take(1)[0]

    def string(self):
        return self.take(self.byte()).decode()


def decode_stream(coded, classes, count, largest, by_row):
    """LZMA's range decoder with the weights' contexts (weights.rs `decode`)."""
    at, rng = 5, 0xFFFFFFFF
    code = int.from_bytes(coded[1:5], "big")
    columns = [[0] * (6 + MAGNITUDE_STEPS) for _ in range(classes)]

    def bit(ctx, i):
        nonlocal at, rng, code
        p = ctx[i] + ONE // 2
        bound = (rng >> PROBABILITY_BITS) * p
        one = code >= bound
        if one:
            code -= bound
            rng -= bound
            p -= p >> ADAPT_SHIFT
        else:
            rng = bound
            p += (ONE - p) >> ADAPT_SHIFT
        ctx[i] = p - ONE // 2
        while rng < 1 << 24:
            rng = (rng << 8) & 0xFFFFFFFF
            code = ((code << 8) | (coded[at] if at < len(coded) else 0)) & 0xFFFFFFFF
            at += 1
        return one

    weights = []
    for _ in range(count // classes):
        nonzero, previous = 0, 0
        for column in columns:
            weight = 0
            if bit(column, min(nonzero, 2)):
                nonzero += 1
                negative = bit(column, 3 + previous)
                previous = (1 + negative) * by_row
                magnitude = 1
                while magnitude < largest and bit(column, 6 + min(magnitude - 1, MAGNITUDE_STEPS - 1)):
                    magnitude += 1
                weight = -magnitude if negative else magnitude
            weights.append(weight)
    return weights


def read_model(path):
    data = open(path, "rb").read()
    r = Reader(data[:-4])
    if r.take(4) != b"TPCM":
        sys.exit("not a TPCM file")
    version = struct.unpack("<H", r.take(2))[0]
    if version < 5:
        sys.exit(f"format version {version}: only 5 and 6 code their weights")
    bucket_bits = r.byte()
    pair_bits = r.byte()
    heads = []
    for _ in range(r.byte()):
        name, bits, pairs = r.string(), r.byte(), r.byte()
        classes = r.byte()
        labels = [r.string() for _ in range(classes)]
        r.take(4 + 4 * classes)  # scale and biases
        largest = r.byte()
        length = struct.unpack("<I", r.take(4))[0]
        rows = (1 << bits) + (1 << pair_bits if pairs else 0)
        weights = decode_stream(r.take(length), classes, rows * classes, largest, int(version >= 6))
        heads.append(dict(name=name, bits=bits, classes=classes, labels=labels,
                          largest=largest, coded=length, weights=weights))
    return bucket_bits, heads


LOG = [0.0] + [-math.log2(p / ONE) for p in range(1, ONE)]


class Fixed:
    """One adaptive probability, as the coder keeps it."""
    __slots__ = ("p",)

    def __init__(self):
        self.p = ONE // 2

    def cost(self, one):
        p = self.p
        bits = LOG[ONE - p] if one else LOG[p]
        self.p = p - (p >> ADAPT_SHIFT) if one else p + ((ONE - p) >> ADAPT_SHIFT)
        return bits


class TwoRates:
    """Two probabilities, fast (1/16) and slow (1/128), averaged."""
    __slots__ = ("a", "b")

    def __init__(self):
        self.a = self.b = ONE // 2

    def cost(self, one):
        p = min(max((self.a + self.b) // 2, 1), ONE - 1)
        bits = LOG[ONE - p] if one else LOG[p]
        if one:
            self.a -= self.a >> 4
            self.b -= self.b >> 7
        else:
            self.a += (ONE - self.a) >> 4
            self.b += (ONE - self.b) >> 7
        return bits


def code_length(head, probability=Fixed, zero_states=3, zero_context=None):
    """Bytes the head's weights take with these contexts (ideal code length)."""
    classes, weights, largest = head["classes"], head["weights"], head["largest"]
    columns = [dict(zero={}, sign=[probability() for _ in range(3)],
                    magnitude=[probability() for _ in range(MAGNITUDE_STEPS)])
               for _ in range(classes)]
    total = 0.0
    for r in range(len(weights) // classes):
        nonzero, previous = 0, 0
        outside = zero_context(r) if zero_context else 0
        for column, weight in zip(columns, weights[r * classes:(r + 1) * classes]):
            key = (min(nonzero, zero_states - 1), outside)
            zero = column["zero"].setdefault(key, probability())
            total += zero.cost(weight != 0)
            if weight == 0:
                continue
            nonzero += 1
            total += column["sign"][previous].cost(weight < 0)
            previous = 1 + (weight < 0)
            for step in range(1, largest):
                total += column["magnitude"][min(step - 1, MAGNITUDE_STEPS - 1)].cost(abs(weight) > step)
                if abs(weight) == step:
                    break
    return total / 8


def row_nonzeros(head, row):
    c = head["classes"]
    return sum(1 for w in head["weights"][row * c:(row + 1) * c] if w)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "model/touchpoint.tpcm"
    bucket_bits, heads = read_model(path)
    by_name = {h["name"]: h for h in heads}
    kind = by_name.get("kind")

    def kind_rows(head):
        """The zero flag's context: how many non-zero weights kind's row for
        the same bucket holds (0, 1, 2+); pair rows apart."""
        if kind is None or head is kind:
            return None
        kind_rows_count = 1 << kind["bits"]
        own_rows = 1 << head["bits"]

        def context(r):
            if r >= own_rows:
                return 3
            if own_rows < kind_rows_count:  # a smaller head: both buckets kind keeps apart
                return min(row_nonzeros(kind, r) + row_nonzeros(kind, r + own_rows), 2)
            return min(row_nonzeros(kind, r % kind_rows_count), 2)
        return context

    print(f"{path}: coded bytes per head (ideal adaptive code length)")
    print("| head | rows x classes | in the file | coder's contexts | two rates | 4 row states | zero by kind's row |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    totals = [0, 0, 0, 0, 0]
    for head in heads:
        context = kind_rows(head)
        figures = [head["coded"], code_length(head), code_length(head, TwoRates),
                   code_length(head, zero_states=4),
                   code_length(head, zero_context=context) if context else code_length(head)]
        totals = [t + f for t, f in zip(totals, figures)]
        rows = len(head["weights"]) // head["classes"]
        print(f"| {head['name']} | {rows} x {head['classes']} | " + " | ".join(f"{f:,.0f}" for f in figures) + " |")
    print("| all | | " + " | ".join(f"{t:,.0f}" for t in totals) + " |")


if __name__ == "__main__":
    main()
