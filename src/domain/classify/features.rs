//! Text to hashed features: word unigrams and bigrams and character 3- and
//! 4-grams of each word, hashed with 32-bit FNV-1a into a fixed number of
//! buckets. Hashing needs no vocabulary, so the model stays small and the same
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

/// Longest word whose character n-grams are used (longer ones are noise: URLs, hashes).
const MAX_NGRAM_WORD_CHARS: usize = 24;
/// Words considered per message; classification looks at the start of long texts.
const MAX_WORDS: usize = 256;

/// Lower-cases and splits into words: runs of letters and digits. `?` and `!`
/// are kept as words of their own, since they carry the kind and the tone.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for ch in text.chars() {
        if ch.is_alphanumeric() || ch == '\'' && !current.is_empty() {
            current.push(crate::domain::text::fold_lowercase(ch));
        } else {
            if !current.is_empty() {
                out.push(core::mem::take(&mut current));
            }
            if ch == '?' || ch == '!' {
                out.push(ch.to_string());
            }
        }
        if out.len() >= MAX_WORDS {
            break;
        }
    }
    if !current.is_empty() && out.len() < MAX_WORDS {
        out.push(current);
    }
    for word in &mut out {
        while word.ends_with('\'') {
            word.pop();
        }
    }
    out.retain(|w| !w.is_empty());
    out
}

/// Hashed, L2-normalised features: (bucket, value), buckets sorted and unique.
pub fn features(text: &str, bucket_bits: u8) -> Vec<(u32, f32)> {
    features_of_words(&words(text), bucket_bits)
}

/// As `features`, for words already split by `words`.
pub fn features_of_words(words: &[String], bucket_bits: u8) -> Vec<(u32, f32)> {
    let mask = (1u32 << bucket_bits) - 1;
    let mut hashes: Vec<u32> = Vec::with_capacity(words.len() * 16);
    // Reused buffers: the word padded as "<word>", and where each char starts.
    let mut padded: Vec<u8> = Vec::with_capacity(64);
    let mut starts: Vec<usize> = Vec::with_capacity(32);
    for (index, word) in words.iter().enumerate() {
        hashes.push(Fnv::new(b'w').bytes(word.as_bytes()).finish());
        if let Some(next) = words.get(index + 1) {
            hashes.push(
                Fnv::new(b'b')
                    .bytes(word.as_bytes())
                    .byte(b' ')
                    .bytes(next.as_bytes())
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
    let mut norm = 0.0f32;
    for (_, value) in &mut out {
        *value = value.sqrt();
        norm += *value * *value;
    }
    let norm = norm.sqrt();
    if norm > 0.0 {
        for (_, value) in &mut out {
            *value /= norm;
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
    }

    #[test]
    fn features_are_unit_length_sorted_and_stable() {
        let f = features("My parcel never arrived", 14);
        assert!(f.windows(2).all(|w| w[0].0 < w[1].0));
        let norm: f32 = f.iter().map(|(_, v)| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-4);
        assert!(f.iter().all(|(b, _)| *b < (1 << 14)));
        assert_eq!(f, features("my PARCEL never arrived", 14));
    }
}
