//! Text to hashed features: words (and, in older models, word pairs) and
//! character 3- and 4-grams of each word, hashed with 32-bit FNV-1a into a
//! fixed number of buckets. Hashing needs no vocabulary, so the model stays small and the same
//! bytes give the same features on every platform (no `usize` involved).

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// Incremental FNV-1a.
#[derive(Clone, Copy)]
struct Fnv(u32);

impl Fnv {
    fn new(kind: u8) -> Self {
        Fnv(FNV_OFFSET).byte(kind)
    }
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
        for ch in text.chars() {
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

/// Hashed, L2-normalised features: (bucket, value), buckets sorted and unique.
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
    let mut hashes: Vec<u32> = Vec::with_capacity(words.len() * 16);
    // Reused buffers: the word padded as "<word>", and where each char starts.
    let mut padded: Vec<u8> = Vec::with_capacity(64);
    let mut starts: Vec<usize> = Vec::with_capacity(32);
    for (index, word) in words.iter().enumerate() {
        let word = word.as_ref();
        hashes.push(Fnv::new(b'w').bytes(word.as_bytes()).finish());
        if let Some(next) = words
            .get(index + 1)
            .filter(|_| set == FeatureSet::WithWordPairs)
        {
            hashes.push(
                Fnv::new(b'b')
                    .bytes(word.as_bytes())
                    .byte(b' ')
                    .bytes(next.as_ref().as_bytes())
                    .finish(),
            );
        }
        padded.clear();
        starts.clear();
        starts.push(0);
        padded.push(b'<');
        for (count, (at, ch)) in word.char_indices().enumerate() {
            if count == MAX_NGRAM_WORD_CHARS {
                break;
            }
            starts.push(padded.len());
            padded.extend_from_slice(&word.as_bytes()[at..at + ch.len_utf8()]);
        }
        starts.push(padded.len());
        padded.push(b'>');
        starts.push(padded.len());
        // `starts` has one entry per char plus the end: chars = starts.len() - 1.
        let chars = starts.len() - 1;
        if chars > 4 {
            for n in [3usize, 4] {
                for first in 0..=chars - n {
                    let gram = &padded[starts[first]..starts[first + n]];
                    hashes.push(Fnv::new(b'0' + n as u8).bytes(gram).finish());
                }
            }
        }
    }
    // Sorted as u64 with the widget's one sort (`text::sort_u64`, as `pii`).
    let mut buckets: Vec<u64> = hashes.into_iter().map(|h| u64::from(h & mask)).collect();
    crate::domain::text::sort_u64(&mut buckets);
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(buckets.len());
    for bucket in buckets {
        let bucket = bucket as u32;
        match out.last_mut() {
            Some((last, count)) if *last == bucket => *count += 1.0,
            _ => out.push((bucket, 1.0)),
        }
    }
    // Sub-linear counts, then unit length, so long messages do not shout.
    // sqrt is exactly rounded by IEEE 754, so native and wasm agree bit for bit
    // (a logarithm would come from different libm implementations).
    // Most counts are 1, whose root is 1 and whose value is 1 / norm: those
    // skip the root and share one division (the same operations, the same bits).
    let mut norm = 0.0f32;
    for (_, value) in &mut out {
        if *value != 1.0 {
            *value = value.sqrt();
        }
        norm += *value * *value;
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
