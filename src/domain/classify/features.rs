//! Text to hashed features: words and character 3- and 4-grams of each
//! word, hashed with 32-bit FNV-1a into a fixed number of buckets, and word
//! pairs (in a region of buckets of their own since version 4; mixed into
//! the same buckets in versions 1 and 2). Hashing needs no vocabulary, so
//! the model stays small and the same bytes give the same features on every
//! platform (no `usize` involved).

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// Incremental FNV-1a.
#[derive(Clone, Copy)]
struct Fnv(u32);

impl Fnv {
    fn new(kind: u8) -> Self {
        Fnv(FNV_OFFSET).byte(kind)
    }
    #[inline(always)]
    fn byte(self, b: u8) -> Self {
        Fnv((self.0 ^ u32::from(b)).wrapping_mul(FNV_PRIME))
    }
    fn bytes(self, bytes: &[u8]) -> Self {
        bytes.iter().fold(self, |h, &b| h.byte(b))
    }
    fn finish(self) -> u32 {
        // Final avalanche so low bits (the bucket) depend on every input byte.
        let mut h = self.0;
        h ^= h >> 16;
        h = h.wrapping_mul(0x7feb_352d);
        h ^= h >> 15;
        h = h.wrapping_mul(0x846c_a68b);
        h ^ (h >> 16)
    }
}

/// Which n-grams a model's features are made of; fixed by its file version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureSet {
    /// Words, word pairs and character 3/4-grams (format versions 1 and 2).
    WithWordPairs,
    /// Words and character 3/4-grams (version 3). Word pairs were the
    /// largest share of distinct features: without them the same buckets
    /// collide less, and on validation topic gained a point (three seeds).
    Words,
    /// As `Words`, and each pair of neighbouring words hashed into 2^n
    /// buckets of its own (version 4), `PAIR_REGION | slot`: a head reads
    /// them only if it has rows for them (`row_of`), so the heads that gain
    /// from pairs (topic) pay for them and the others neither pay nor see
    /// them, and pairs never collide with the words they are made of.
    WordsAndPairs(u8),
}

/// The bit that marks a word pair's bucket (`FeatureSet::WordsAndPairs`);
/// the bits below it are the pair's slot. Pair buckets sort after the rest.
pub const PAIR_REGION: u32 = 1 << 31;

/// Most pair buckets a model may have (log2): the widget counts them in a
/// table of this many entries at most.
pub const MAX_PAIR_BITS: u8 = 16;

/// The row a head with 2^`bits` rows of words and n-grams reads `bucket`
/// from: n-gram buckets modulo its size, pair slots in the rows after them.
/// A head without pair rows has no such row; callers skip rows past the end.
#[inline(always)]
pub fn row_of(bucket: u32, bits: u8) -> usize {
    let rows = 1u32 << bits;
    if bucket & PAIR_REGION == 0 {
        (bucket & (rows - 1)) as usize
    } else {
        (bucket ^ PAIR_REGION) as usize + rows as usize
    }
}

/// Longest word whose character n-grams are used (longer ones are noise: URLs, hashes).
const MAX_NGRAM_WORD_CHARS: usize = 24;
/// Words considered per message; classification looks at the start of long texts.
const MAX_WORDS: usize = 256;

/// Lower-cases and splits into words: runs of letters and digits. `?` and `!`
/// are kept as words of their own, since they carry the kind and the tone.
pub fn words(text: &str) -> Vec<String> {
    Words::of(text).iter().map(str::to_owned).collect()
}

/// The words of a text (as `words`), lower-cased into one buffer: no
/// allocation per word.
#[derive(Debug, Default)]
pub struct Words {
    lower: String,
    spans: Vec<(usize, usize)>,
}

impl Words {
    pub fn of(text: &str) -> Self {
        let mut lower = String::with_capacity(text.len());
        let mut spans: Vec<(usize, usize)> = Vec::new();
        // The word being read is `lower[start..]`.
        let mut start = 0;
        let bytes = text.as_bytes();
        let mut at = 0;
        while let Some(&byte) = bytes.get(at) {
            // ASCII without decoding; other characters decoded one by one.
            let ch = if byte.is_ascii() {
                char::from(byte)
            } else {
                text.get(at..)
                    .and_then(|rest| rest.chars().next())
                    .unwrap_or(char::REPLACEMENT_CHARACTER)
            };
            at += ch.len_utf8().max(1);
            if ch.is_alphanumeric() || ch == '\'' && lower.len() > start {
                lower.push(if ch.is_ascii() {
                    ch.to_ascii_lowercase()
                } else {
                    crate::domain::text::fold_lowercase(ch)
                });
            } else {
                if lower.len() > start {
                    spans.push((start, lower.len()));
                }
                if ch == '?' || ch == '!' {
                    spans.push((lower.len(), lower.len() + 1));
                    lower.push(ch);
                }
                start = lower.len();
            }
            if spans.len() >= MAX_WORDS {
                break;
            }
        }
        if lower.len() > start && spans.len() < MAX_WORDS {
            spans.push((start, lower.len()));
        }
        // A word may end in apostrophes it took in; they are not part of it.
        // (A word starts with a letter or digit, so none becomes empty.)
        let bytes = lower.as_bytes();
        for (first, end) in &mut spans {
            while *end > *first && bytes.get(*end - 1) == Some(&b'\'') {
                *end -= 1;
            }
        }
        spans.retain(|(first, end)| end > first);
        Words { lower, spans }
    }

    /// The words, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.spans
            .iter()
            .map(|&(first, end)| self.lower.get(first..end).unwrap_or_default())
    }

    /// The words as slices of the buffer.
    pub fn to_vec(&self) -> Vec<&str> {
        self.iter().collect()
    }
}

/// Hashed features, (bucket, value), buckets sorted and unique; the words
/// and n-grams have unit length (word pairs, after them, count outside it).
pub fn features(text: &str, bucket_bits: u8, set: FeatureSet) -> Vec<(u32, f32)> {
    features_of_words(&Words::of(text).to_vec(), bucket_bits, set)
}

/// As `features`, for words already split by `words`.
pub fn features_of_words<W: AsRef<str>>(
    words: &[W],
    bucket_bits: u8,
    set: FeatureSet,
) -> Vec<(u32, f32)> {
    let mask = (1u32 << bucket_bits) - 1;
    // Buffers kept between messages (taken out and put back: no borrow to fail).
    let mut scratch = SCRATCH.take();
    let hashes = &mut scratch.hashes;
    hashes.clear();
    push_hashes(words, set, hashes);
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(hashes.len());
    // The widget only counts (its models are small; no second path to ship).
    if bucket_bits <= COUNTED_BUCKET_BITS || cfg!(target_arch = "wasm32") {
        scratch.count(mask, &mut out);
    } else {
        let mut buckets: Vec<u64> = hashes.iter().map(|&h| u64::from(h & mask)).collect();
        // Sorted as u64 with the widget's one sort (`text::sort_u64`, as `pii`).
        crate::domain::text::sort_u64(&mut buckets);
        for bucket in buckets {
            let bucket = bucket as u32;
            match out.last_mut() {
                Some((last, count)) if *last == bucket => *count += 1.0,
                _ => out.push((bucket, 1.0)),
            }
        }
    }
    // Only words and n-grams make the unit length: the heads without pair
    // rows then see exactly the features of version 3.
    let ngrams = out.len();
    if let FeatureSet::WordsAndPairs(pair_bits) = set {
        scratch.hashes.clear();
        for pair in words.windows(2) {
            if let [first, second] = pair {
                scratch
                    .hashes
                    .push(pair_hash(first.as_ref(), second.as_ref()));
            }
        }
        scratch.count((1 << pair_bits.min(MAX_PAIR_BITS)) - 1, &mut out);
        for (bucket, _) in out.iter_mut().skip(ngrams) {
            *bucket |= PAIR_REGION;
        }
    }
    SCRATCH.set(scratch);
    // Sub-linear counts, then unit length, so long messages do not shout.
    // sqrt is exactly rounded by IEEE 754, so native and wasm agree bit for bit
    // (a logarithm would come from different libm implementations).
    // Most counts are 1, whose root is 1 and whose value is 1 / norm: those
    // skip the root and share one division (the same operations, the same bits).
    let mut norm = 0.0f32;
    for (index, (_, value)) in out.iter_mut().enumerate() {
        if *value != 1.0 {
            *value = value.sqrt();
        }
        if index < ngrams {
            norm += *value * *value;
        }
    }
    let norm = norm.sqrt();
    if norm > 0.0 {
        let single = 1.0 / norm;
        for (_, value) in &mut out {
            *value = if *value == 1.0 { single } else { *value / norm };
        }
    }
    out
}

/// The hash of two neighbouring words.
fn pair_hash(first: &str, second: &str) -> u32 {
    Fnv::new(b'b')
        .bytes(first.as_bytes())
        .byte(b' ')
        .bytes(second.as_bytes())
        .finish()
}

/// Appends every feature hash of `words` to `hashes`, in order (the
/// version 4 pairs apart: they go to their own buckets).
fn push_hashes<W: AsRef<str>>(words: &[W], set: FeatureSet, hashes: &mut Vec<u32>) {
    // The word padded as "<word>" (at most 24 chars of 4 bytes), and where
    // each char starts: fixed buffers, no allocation.
    let mut padded = [0u8; 4 * MAX_NGRAM_WORD_CHARS + 2];
    let mut starts = [0usize; MAX_NGRAM_WORD_CHARS + 3];
    for (index, word) in words.iter().enumerate() {
        let word = word.as_ref();
        hashes.push(Fnv::new(b'w').bytes(word.as_bytes()).finish());
        if let Some(next) = words
            .get(index + 1)
            .filter(|_| set == FeatureSet::WithWordPairs)
        {
            hashes.push(pair_hash(word, next.as_ref()));
        }
        padded[0] = b'<';
        let mut len = 1;
        // `chars` counts the entries of `starts`: one per char plus the end.
        let mut chars = 1;
        if word.is_ascii() {
            // A char per byte: no decoding.
            let taken = word.len().min(MAX_NGRAM_WORD_CHARS);
            if let (Some(to), Some(from)) =
                (padded.get_mut(1..1 + taken), word.as_bytes().get(..taken))
            {
                to.copy_from_slice(from);
            }
            for start in starts.iter_mut().take(1 + taken).skip(1) {
                *start = len;
                len += 1;
            }
            chars += taken;
        } else {
            for (count, (at, ch)) in word.char_indices().enumerate() {
                if count == MAX_NGRAM_WORD_CHARS {
                    break;
                }
                starts[chars] = len;
                chars += 1;
                let width = ch.len_utf8();
                if let (Some(to), Some(from)) = (
                    padded.get_mut(len..len + width),
                    word.as_bytes().get(at..at + width),
                ) {
                    to.copy_from_slice(from);
                }
                len += width;
            }
        }
        starts[chars] = len;
        padded[len] = b'>';
        starts[chars + 1] = len + 1;
        chars += 1;
        if chars > 4 {
            for n in [3usize, 4] {
                for first in 0..=chars - n {
                    let gram = &padded[starts[first]..starts[first + n]];
                    hashes.push(Fnv::new(b'0' + n as u8).bytes(gram).finish());
                }
            }
        }
    }
}

/// Models with at most 2^14 buckets (as many as the built-in one), and every
/// model in wasm, count their features in a table instead of sorting them:
/// one pass over a bitmap gives the buckets in order, and sorting ~150
/// hashes per message cost more (a tenth of the time in wasm). The same
/// buckets, counts and order; natively, larger models (training
/// experiments) sort rather than scan a bitmap of 2^15 or more bits.
const COUNTED_BUCKET_BITS: u8 = 14;

/// A message's hashes, per-bucket counts and a bitmap of the buckets seen,
/// kept between messages (each message clears what it set).
#[derive(Default)]
struct Scratch {
    hashes: Vec<u32>,
    counts: Vec<u16>,
    seen: Vec<u64>,
}

impl Scratch {
    /// The hashes' buckets under `mask`, ascending, with how often each occurs.
    fn count(&mut self, mask: u32, out: &mut Vec<(u32, f32)>) {
        let buckets = mask as usize + 1;
        if self.counts.len() < buckets {
            self.counts.resize(buckets, 0);
            self.seen.resize(buckets.div_ceil(64), 0);
        }
        let (counts, seen) = (&mut self.counts, &mut self.seen);
        for &h in &self.hashes {
            let bucket = (h & mask) as usize;
            if let (Some(count), Some(bits)) = (counts.get_mut(bucket), seen.get_mut(bucket / 64)) {
                // At most 256 words of ~50 n-grams each: far below u16::MAX.
                *count = count.saturating_add(1);
                *bits |= 1 << (bucket % 64);
            }
        }
        // Only this mask's part of the bitmap (the pairs' table is smaller).
        for (index, bits) in seen.iter_mut().take(buckets.div_ceil(64)).enumerate() {
            let mut rest = *bits;
            *bits = 0;
            while rest != 0 {
                let bucket = index * 64 + rest.trailing_zeros() as usize;
                rest &= rest - 1;
                if let Some(count) = counts.get_mut(bucket) {
                    out.push((bucket as u32, f32::from(*count)));
                    *count = 0;
                }
            }
        }
    }
}

std::thread_local! {
    static SCRATCH: core::cell::Cell<Scratch> = const {
        core::cell::Cell::new(Scratch {
            hashes: Vec::new(),
            counts: Vec::new(),
            seen: Vec::new(),
        })
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lowercased_and_split() {
        assert_eq!(
            words("Where's my ORDER #123?!"),
            vec!["where's", "my", "order", "123", "?", "!"]
        );
        assert_eq!(
            words("Größe 42 – passt nicht"),
            vec!["größe", "42", "passt", "nicht"]
        );
        assert!(words("").is_empty());
        // Apostrophes inside a word stay, at its ends they go; `?`/`!` are words.
        assert_eq!(
            words("'quoted' don't'' rock'n'roll!'x ''"),
            vec!["quoted", "don't", "rock'n'roll", "!", "x"]
        );
    }

    #[test]
    fn words_stop_at_the_limit() {
        let many = "w ".repeat(MAX_WORDS + 10);
        assert_eq!(words(&many).len(), MAX_WORDS);
        // The limit counts `?` and `!` too, and a word cut by it is dropped.
        let text = format!("{}? tail", "w ".repeat(MAX_WORDS - 1));
        let split = words(&text);
        assert_eq!(split.len(), MAX_WORDS);
        assert_eq!(split.last().map(String::as_str), Some("?"));
        let text = format!("{}last", "w ".repeat(MAX_WORDS - 1));
        assert_eq!(words(&text).last().map(String::as_str), Some("last"));
    }

    /// The features as sorting every hash gives them (what the bucket
    /// table replaces), for comparison.
    fn sorted_features(text: &str, bucket_bits: u8, set: FeatureSet) -> Vec<(u32, f32)> {
        let mut hashes = Vec::new();
        push_hashes(&Words::of(text).to_vec(), set, &mut hashes);
        let mut buckets: Vec<u32> = hashes
            .iter()
            .map(|h| h & ((1 << bucket_bits) - 1))
            .collect();
        buckets.sort_unstable();
        let mut counts: Vec<(u32, f32)> = Vec::new();
        for bucket in buckets {
            match counts.last_mut() {
                Some((last, count)) if *last == bucket => *count += 1.0,
                _ => counts.push((bucket, 1.0)),
            }
        }
        let norm = counts
            .iter()
            .map(|(_, c)| c.sqrt() * c.sqrt())
            .sum::<f32>()
            .sqrt();
        counts
            .into_iter()
            .map(|(b, c)| {
                (
                    b,
                    if c == 1.0 {
                        1.0 / norm
                    } else {
                        c.sqrt() / norm
                    },
                )
            })
            .collect()
    }

    #[test]
    fn counted_buckets_are_the_sorted_buckets_to_the_bit() {
        let long = "order refund parcel ".repeat(100);
        let texts = [
            "My parcel never arrived",
            "Größe 42 – passt nicht, ich möchte zurückgeben!!",
            "a a a a a aaaa aaaa aaaa 名前 例え ☕ ?",
            "",
            "x",
            long.as_str(),
        ];
        for text in texts {
            for bits in [8, 13, 14, 15, 16] {
                for set in [FeatureSet::Words, FeatureSet::WithWordPairs] {
                    let got = features(text, bits, set);
                    let want = sorted_features(text, bits, set);
                    assert_eq!(got.len(), want.len(), "{text:?} {bits}");
                    for ((b, v), (wb, wv)) in got.iter().zip(&want) {
                        assert_eq!((b, v.to_bits()), (wb, wv.to_bits()), "{text:?} {bits}");
                    }
                }
            }
        }
    }

    #[test]
    fn word_pairs_get_buckets_of_their_own_and_leave_the_rest_as_it_was() {
        for text in [
            "My parcel never arrived",
            "never never never never",
            "Größe 42 – passt nicht!!",
            "x",
            "",
        ] {
            let words = features(text, 14, FeatureSet::Words);
            let both = features(text, 14, FeatureSet::WordsAndPairs(11));
            // The words and n-grams first, bit for bit as version 3 has them.
            let (head, pairs) = both.split_at(words.len());
            let bits = |f: &[(u32, f32)]| -> Vec<(u32, u32)> {
                f.iter().map(|(b, v)| (*b, v.to_bits())).collect()
            };
            assert_eq!(bits(head), bits(&words), "{text:?}");
            // Then one bucket per distinct pair, marked, in the region, sorted.
            let split = super::words(text);
            let mut distinct: Vec<(&String, &String)> =
                split.iter().zip(split.iter().skip(1)).collect();
            distinct.sort();
            distinct.dedup();
            assert!(pairs.len() <= distinct.len(), "{text:?}");
            assert_eq!(pairs.is_empty(), distinct.is_empty(), "{text:?}");
            assert!(pairs.windows(2).all(|w| w[0].0 < w[1].0));
            assert!(pairs
                .iter()
                .all(|(b, _)| b & PAIR_REGION != 0 && (b ^ PAIR_REGION) < 1 << 11));
        }
        // A repeated pair counts as a repeated word does (sub-linearly), and
        // the pairs are left out of the unit length.
        let repeated = features("never never never", 14, FeatureSet::WordsAndPairs(11));
        let single = features("never", 14, FeatureSet::Words);
        let (_, pair) = repeated[repeated.len() - 1];
        let (_, word) = repeated[0];
        assert_eq!(repeated.len(), single.len() + 1);
        assert!(
            (pair / word - (2f32 / 3.0).sqrt()).abs() < 1e-6,
            "{pair} {word}"
        );
        let norm: f32 = repeated.iter().map(|(_, v)| v * v).sum();
        assert!((norm - 1.0 - pair * pair).abs() < 1e-5, "{norm}");
        // Order matters for pairs, not for words.
        let ab = features("refund order", 14, FeatureSet::WordsAndPairs(11));
        let ba = features("order refund", 14, FeatureSet::WordsAndPairs(11));
        assert_eq!(ab[..ab.len() - 1], ba[..ba.len() - 1]);
        assert_ne!(ab.last(), ba.last());
    }

    #[test]
    fn rows_of_pairs_follow_the_rows_of_words() {
        assert_eq!(row_of(5, 2), 1);
        assert_eq!(row_of(PAIR_REGION | 3, 2), 4 + 3);
        assert_eq!(row_of(PAIR_REGION, 14), 1 << 14);
        assert_eq!(row_of((1 << 14) - 1, 14), (1 << 14) - 1);
    }

    #[test]
    fn features_are_unit_length_sorted_and_stable() {
        let f = features("My parcel never arrived", 14, FeatureSet::Words);
        assert!(f.windows(2).all(|w| w[0].0 < w[1].0));
        let norm: f32 = f.iter().map(|(_, v)| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-4);
        assert!(f.iter().all(|(b, _)| *b < (1 << 14)));
        assert_eq!(
            f,
            features("my PARCEL never arrived", 14, FeatureSet::Words)
        );
        // Word pairs add one feature per neighbouring pair.
        let pairs = features("My parcel never arrived", 14, FeatureSet::WithWordPairs);
        assert!(pairs.len() > f.len() && pairs.len() <= f.len() + 3);
    }
}
