//! How format versions 5 and 6 store a head's int8 weights: row by row through an
//! adaptive binary range coder (the one LZMA uses), so the file holds about
//! their entropy. Brotli on raw int8 bytes left about 3 KB of the built-in
//! model on the table (it models bytes, not "zero or not, sign, size" per
//! column); the bytes saved buy weights.
//!
//! Each weight is coded as: is it zero (in the context of its column and of
//! how many non-zero weights its row had before it), then its sign (per
//! column; since version 6 also by the sign before it in its row), then its
//! magnitude in unary up to the head's largest (per column and step). Every
//! probability adapts as it goes, so nothing but the largest magnitude is
//! stored beside the stream.
//!
//! Why the row's signs: a feature that speaks for one label speaks against
//! the others, and a centred row (sentiment, kind, urgency) is a positive
//! beside a negative, so a sign is far from a coin toss once its row has
//! shown one. On the built-in model that coded 1.2 KB smaller (sentiment
//! and urgency 0.5 KB each). Counting the row's positives and negatives
//! instead coded 0.2 KB smaller still but cost the widget's decoder more;
//! the size of the previous weight or the previous column added nothing.

use super::{ModelError, MAX_CLASSES};

/// Probabilities are 11-bit fixed point (LZMA's).
const PROBABILITY_BITS: u32 = 11;
const EVEN: i32 = 1 << (PROBABILITY_BITS - 1);
/// How fast a probability follows what it sees: 1/64 of the way per bit
/// (on the built-in model 6 coded 0.3 KB smaller than LZMA's 5).
const ADAPT_SHIFT: u32 = 6;
/// The range is renormalised a byte at a time below this.
const TOP: u32 = 1 << 24;
/// Magnitude steps past this share their context.
const MAGNITUDE_STEPS: usize = 16;

/// The adaptive probabilities (of a 0 bit) of one column, each stored as
/// its distance from even (so they start as zeros, which the widget's
/// code sets without a loop of stores): 3 for "is it zero" (by the non-zero
/// weights earlier in its row), 3 for the sign (by the sign before it in
/// its row: none, positive, negative; version 5 uses the first alone),
/// `MAGNITUDE_STEPS` for the magnitude.
type Contexts = [[i16; PER_COLUMN]; MAX_CLASSES];
const PER_COLUMN: usize = 3 + 3 + MAGNITUDE_STEPS;
const SIGN: usize = 3;
const MAGNITUDE: usize = 6;

/// How a stream codes its signs: per column alone (format version 5), or
/// also by the sign before it in its row (version 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signs {
    ByColumn,
    ByRow,
}

impl Signs {
    /// How a file of format `version` (5 or later) codes its signs.
    pub fn of_version(version: u16) -> Self {
        if version >= 6 {
            Signs::ByRow
        } else {
            Signs::ByColumn
        }
    }
}

/// The context of a magnitude's `step`-th unary bit (from 1).
fn magnitude_context(step: u8) -> usize {
    MAGNITUDE + usize::from(step - 1).min(MAGNITUDE_STEPS - 1)
}

/// What every malformed stream is refused with (one message: its cause is
/// a corrupt or hand-made file either way).
const MISFIT: ModelError = ModelError::Malformed("the coded weights do not fit their head");

/// One coded byte holds at most this many weights: a probability adapts no
/// closer to certain than 1,985 / 2,048, so a bit costs at least 0.045 bits
/// (177.4 bits a byte). A header cannot ask a short stream for a huge head.
const MOST_WEIGHTS_PER_BYTE: usize = 180;

/// The largest magnitude an int8 weight has (-128).
const LARGEST: u8 = 128;

/// The probability `context` holds, and moves it toward `bit`.
fn probability(context: &i16) -> u32 {
    (i32::from(*context) + EVEN) as u32
}

fn adapt(context: &mut i16, bit: bool) {
    let probability = i32::from(*context) + EVEN;
    let moved = if bit {
        probability - (probability >> ADAPT_SHIFT)
    } else {
        probability + (((1 << PROBABILITY_BITS) - probability) >> ADAPT_SHIFT)
    };
    *context = (moved - EVEN) as i16;
}

/// The largest magnitude among `weights` (at least 1, so a head of zeros
/// still has a valid header; at most `LARGEST`).
pub fn largest_magnitude(weights: &[i8]) -> u8 {
    weights
        .iter()
        .map(|w| w.unsigned_abs())
        .max()
        .unwrap_or(0)
        .max(1)
}

/// Codes `weights` (row-major, `classes` per row) with magnitudes up to
/// `largest` (`largest_magnitude`).
pub fn encode(weights: &[i8], classes: usize, largest: u8, signs: Signs) -> Vec<u8> {
    let mut columns: Contexts = [[0; PER_COLUMN]; MAX_CLASSES];
    let mut coder = Encoder::new();
    let by_row = usize::from(signs == Signs::ByRow);
    for row in weights.chunks(classes.max(1)) {
        let (mut nonzero, mut previous_sign) = (0usize, 0usize);
        for (&weight, column) in row.iter().zip(columns.iter_mut()) {
            coder.bit(&mut column[nonzero.min(2)], weight != 0);
            if weight == 0 {
                continue;
            }
            nonzero += 1;
            let negative = weight < 0;
            coder.bit(&mut column[SIGN + previous_sign], negative);
            previous_sign = (1 + usize::from(negative)) * by_row;
            let magnitude = weight.unsigned_abs();
            for step in 1..largest {
                coder.bit(&mut column[magnitude_context(step)], magnitude > step);
                if magnitude == step {
                    break;
                }
            }
        }
    }
    coder.finish()
}

/// Decodes `count` weights of `classes` columns with magnitudes up to
/// `largest` from `coded`.
pub fn decode(
    coded: &[u8],
    classes: usize,
    count: usize,
    largest: u8,
    signs: Signs,
) -> Result<Vec<i8>, ModelError> {
    if classes == 0
        || classes > MAX_CLASSES
        || count % classes != 0
        || count > coded.len() * MOST_WEIGHTS_PER_BYTE
        || largest == 0
        || largest > LARGEST
    {
        return Err(MISFIT);
    }
    let mut columns: Contexts = [[0; PER_COLUMN]; MAX_CLASSES];
    let mut coder = Decoder::new(coded);
    let mut weights = Vec::with_capacity(count);
    let by_row = usize::from(signs == Signs::ByRow);
    for _ in 0..count / classes {
        // Past its end a stream reads as zeros, which may decode as
        // endless non-zero weights at full magnitude: stop there, so the
        // work stays within about 180 bits a byte of stream.
        if coder.at > coded.len() {
            return Err(MISFIT);
        }
        let (mut nonzero, mut previous_sign) = (0usize, 0usize);
        for column in columns.iter_mut().take(classes) {
            let mut weight = 0;
            if coder.bit(&mut column[nonzero.min(2)]) {
                nonzero += 1;
                let negative = coder.bit(&mut column[SIGN + previous_sign]);
                previous_sign = (1 + usize::from(negative)) * by_row;
                let mut magnitude = 1u8;
                while magnitude < largest && coder.bit(&mut column[magnitude_context(magnitude)]) {
                    magnitude += 1;
                }
                let value = i16::from(magnitude);
                // Only a hand-made stream says +128; it wraps to -128.
                weight = (if negative { -value } else { value }) as i8;
            }
            weights.push(weight);
        }
    }
    // The decoder reads exactly the bytes the encoder wrote (five to start,
    // one per renormalisation), so a stream read past its end or with bytes
    // left over is refused (the file's checksum guards the header's count).
    if coder.at != coded.len() {
        return Err(MISFIT);
    }
    Ok(weights)
}

/// LZMA's range encoder: `low` carries into bytes already written through
/// `cache` and a run of pending 0xFF bytes.
struct Encoder {
    low: u64,
    range: u32,
    cache: u8,
    pending: u64,
    out: Vec<u8>,
}

impl Encoder {
    fn new() -> Self {
        Encoder {
            low: 0,
            range: u32::MAX,
            cache: 0,
            pending: 1,
            out: Vec::new(),
        }
    }

    fn bit(&mut self, context: &mut i16, bit: bool) {
        let bound = (self.range >> PROBABILITY_BITS) * probability(context);
        if bit {
            self.low += u64::from(bound);
            self.range -= bound;
        } else {
            self.range = bound;
        }
        adapt(context, bit);
        while self.range < TOP {
            self.range <<= 8;
            self.shift_low();
        }
    }

    fn shift_low(&mut self) {
        if self.low < 0xFF00_0000 || self.low > u64::from(u32::MAX) {
            let carry = (self.low >> 32) as u8;
            let mut byte = self.cache;
            while self.pending > 0 {
                self.out.push(byte.wrapping_add(carry));
                byte = 0xFF;
                self.pending -= 1;
            }
            self.cache = ((self.low >> 24) & 0xFF) as u8;
        }
        self.pending += 1;
        self.low = (self.low & 0x00FF_FFFF) << 8;
    }

    fn finish(mut self) -> Vec<u8> {
        for _ in 0..5 {
            self.shift_low();
        }
        self.out
    }
}

/// LZMA's range decoder. Past the end of the stream it reads zeros and
/// counts on: `decode` then refuses the stream by its length.
struct Decoder<'a> {
    coded: &'a [u8],
    at: usize,
    range: u32,
    code: u32,
}

impl<'a> Decoder<'a> {
    fn new(coded: &'a [u8]) -> Self {
        // The encoder's first byte is always 0; the next four start the code.
        let start = coded.get(1..5).map_or([0; 4], |b| [b[0], b[1], b[2], b[3]]);
        Decoder {
            coded,
            at: 5,
            range: u32::MAX,
            code: u32::from_be_bytes(start),
        }
    }

    fn next(&mut self) -> u8 {
        let byte = self.coded.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        byte
    }

    fn bit(&mut self, context: &mut i16) -> bool {
        let bound = (self.range >> PROBABILITY_BITS) * probability(context);
        let bit = self.code >= bound;
        if bit {
            self.code -= bound;
            self.range -= bound;
        } else {
            self.range = bound;
        }
        adapt(context, bit);
        while self.range < TOP {
            self.range <<= 8;
            self.code = (self.code << 8) | u32::from(self.next());
        }
        bit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic mix of zeros and small weights, like a pruned head.
    fn pruned(count: usize, seed: u64) -> Vec<i8> {
        let mut state = seed;
        (0..count)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let draw = (state >> 33) as u32;
                if draw % 10 < 6 {
                    0
                } else {
                    let magnitude = 1 + (draw >> 8) % 3;
                    let value = magnitude as i8;
                    if draw & 16 == 0 {
                        value
                    } else {
                        -value
                    }
                }
            })
            .collect()
    }

    #[test]
    fn weights_round_trip_through_the_coder() {
        for (classes, seed) in [(1usize, 1u64), (2, 2), (3, 3), (11, 4), (16, 5)] {
            let weights = pruned(classes * 997, seed);
            let largest = largest_magnitude(&weights);
            for signs in [Signs::ByColumn, Signs::ByRow] {
                let coded = encode(&weights, classes, largest, signs);
                assert_eq!(
                    decode(&coded, classes, weights.len(), largest, signs),
                    Ok(weights.clone())
                );
            }
            let coded = encode(&weights, classes, largest, Signs::ByRow);
            // Near the entropy (60% zeros, a sign, three sizes: 2.0 bits a
            // weight), far from a byte.
            assert!(
                coded.len() * 8 < weights.len() * 23 / 10,
                "{} bytes",
                coded.len()
            );
        }
    }

    /// Rows like a centred three-label head's (sentiment, urgency): one
    /// label's weight positive, another's as negative, the third zero.
    #[test]
    fn row_signs_code_centred_rows_smaller() {
        let classes = 3;
        let mut weights = pruned(classes * 3000, 7);
        for (index, row) in weights.chunks_mut(classes).enumerate() {
            let magnitude = row[0].abs();
            let (up, down) = (index % 3, (index / 3 + 1 + index) % 3);
            for (column, weight) in row.iter_mut().enumerate() {
                *weight = match column {
                    _ if up == down => 0,
                    c if c == up => magnitude,
                    c if c == down => -magnitude,
                    _ => 0,
                };
            }
        }
        let largest = largest_magnitude(&weights);
        let by_column = encode(&weights, classes, largest, Signs::ByColumn);
        let by_row = encode(&weights, classes, largest, Signs::ByRow);
        assert!(
            by_row.len() * 100 < by_column.len() * 95,
            "{} against {} bytes",
            by_row.len(),
            by_column.len()
        );
        assert_eq!(
            decode(&by_row, classes, weights.len(), largest, Signs::ByRow),
            Ok(weights)
        );
    }

    #[test]
    fn extreme_weights_and_empty_heads_round_trip() {
        let extremes: Vec<i8> = vec![127, -127, -128, 0, 1, -1, 0, 0, 64, -64];
        let largest = largest_magnitude(&extremes);
        assert_eq!(largest, 128);
        let coded = encode(&extremes, 2, largest, Signs::ByRow);
        assert_eq!(
            decode(&coded, 2, extremes.len(), largest, Signs::ByRow),
            Ok(extremes)
        );
        let zeros = vec![0i8; 4096];
        let coded = encode(&zeros, 2, largest_magnitude(&zeros), Signs::ByRow);
        assert!(coded.len() < 64, "{} bytes for zeros", coded.len());
        assert_eq!(decode(&coded, 2, 4096, 1, Signs::ByRow), Ok(zeros));
        assert_eq!(
            decode(&encode(&[], 3, 1, Signs::ByRow), 3, 0, 1, Signs::ByRow),
            Ok(Vec::new())
        );
    }

    #[test]
    fn a_short_or_mismatched_stream_is_refused() {
        let weights = pruned(3 * 500, 9);
        let largest = largest_magnitude(&weights);
        let coded = encode(&weights, 3, largest, Signs::ByRow);
        let decode =
            |coded: &[u8], classes, count| decode(coded, classes, count, largest, Signs::ByRow);
        assert_eq!(
            decode(&coded[..coded.len() / 2], 3, weights.len()),
            Err(MISFIT)
        );
        let mut longer = coded.clone();
        longer.push(0);
        assert_eq!(decode(&longer, 3, weights.len()), Err(MISFIT));
        assert_eq!(decode(&coded, 3, 1000), Err(MISFIT));
        assert_eq!(decode(&coded, 0, 0), Err(MISFIT));
    }

    /// A stream whose code starts at the top of its range decodes every bit
    /// as a one: without the stop at the stream's end, each weight would
    /// take its full magnitude from the zeros read past it, for as many
    /// weights as the header asks (30 s natively for a 70 KB file).
    #[test]
    fn a_stream_that_runs_past_its_end_is_refused_at_once() {
        let mut hostile = vec![0u8, 0xFF, 0xFF, 0xFF, 0xFF];
        hostile.resize(4096, 0);
        let count = 16 * (hostile.len() * MOST_WEIGHTS_PER_BYTE / 16);
        for signs in [Signs::ByColumn, Signs::ByRow] {
            assert_eq!(decode(&hostile, 16, count, LARGEST, signs), Err(MISFIT));
        }
    }
}
