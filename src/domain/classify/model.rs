//! The trained model: one linear head per label set over hashed features,
//! with int8 weights and a per-head scale, in a small versioned binary format.
//!
//! Format (little-endian), versions 2 to 6 (the version also says which
//! features the heads read: 2 words, word pairs and character n-grams; 3 the
//! same without word pairs; 4 to 6 as 3 plus word pairs in buckets of their
//! own — see `FeatureSet`; 5 codes the weights, and 6 codes their signs by
//! their row too, see `weights`):
//! ```text
//! "TPCM" | version u16 | bucket_bits u8 | [v4–v6: pair_bits u8] | head_count u8
//! per head: name (u8 len + bytes) | head_bits u8 | [v4–v6: reads_pairs u8]
//!           | class_count u8 | labels (u8 len + bytes each) | scale f32
//!           | biases f32 × classes
//!           | v2–v4: weights i8 × rows × classes, where rows =
//!             2^head_bits + reads_pairs × 2^pair_bits
//!           | v5, v6: largest magnitude u8 | coded length u32 | coded weights
//! FNV-1a u32 of everything before it
//! ```
//! A head may use fewer buckets than the features have (`head_bits ≤
//! bucket_bits`): it reads feature `b` at row `b mod 2^head_bits`, so small
//! heads (kind, urgency, expectation gap) cost little. In versions 4 to 6 a
//! head that reads word pairs has a row per pair bucket after those (`row_of`);
//! the others skip pair features. Version 1 (no `head_bits`: every head has
//! `bucket_bits`) is still read, so site models stored before version 2 keep
//! loading; a file is written back in the version of its feature set, so an
//! older site model keeps its features.

use super::features::{features, features_of_words, row_of, FeatureSet, MAX_PAIR_BITS};

mod weights;

use weights::Signs;

/// Magic bytes at the start of a model file.
pub const MAGIC: &[u8; 4] = b"TPCM";
/// The newest format version, which this build reads and trains.
pub const FORMAT_VERSION: u16 = 6;

/// The version a model is written in: the newest of its feature set.
fn version_of(features: FeatureSet) -> u16 {
    match features {
        FeatureSet::WithWordPairs => 2,
        FeatureSet::Words => 3,
        FeatureSet::WordsAndPairs(_) => FORMAT_VERSION,
    }
}

/// Why a model file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("not a Touchpoint model (bad magic bytes)")]
    BadMagic,
    #[error("model format version {0} is not supported (this build reads versions 1 to 6)")]
    UnsupportedVersion(u16),
    #[error("the model file is truncated")]
    Truncated,
    #[error("the model file is corrupt (checksum mismatch)")]
    BadChecksum,
    #[error("the model file is malformed: {0}")]
    Malformed(&'static str),
}

/// Most classes a head may have (and the lanes of a packed row).
pub const MAX_CLASSES: usize = 16;

/// One linear classifier: scores = bias + scale × Σ value × weight.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearHead {
    pub name: String,
    /// log2 of this head's rows of words and n-grams; their buckets are
    /// taken modulo 2^bits (word pairs: `row_of`).
    pub bits: u8,
    pub labels: Vec<String>,
    pub scale: f32,
    pub biases: Vec<f32>,
    /// Row-major: row × class; 2^bits rows, then a row per pair bucket if
    /// the head reads word pairs (`row_of`).
    pub weights: Vec<i8>,
}

impl LinearHead {
    /// A head over `weights` (row-major, bucket × class); at most `MAX_CLASSES` labels.
    pub fn new(
        name: String,
        bits: u8,
        labels: Vec<String>,
        scale: f32,
        biases: Vec<f32>,
        weights: Vec<i8>,
    ) -> Self {
        LinearHead {
            name,
            bits,
            labels,
            scale,
            biases,
            weights,
        }
    }

    fn classes(&self) -> usize {
        self.labels.len().clamp(1, MAX_CLASSES)
    }

    /// Raw scores per class for already-computed features.
    pub fn scores(&self, features: &[(u32, f32)]) -> Vec<f32> {
        let classes = self.classes();
        let mut acc = [0f32; MAX_CLASSES];
        for &(bucket, value) in features {
            let at = row_of(bucket, self.bits) * classes;
            if let Some(row) = self.weights.get(at..at + classes) {
                for (sum, &w) in acc.iter_mut().zip(row) {
                    *sum += value * f32::from(w);
                }
            }
        }
        finish_scores(&acc, &self.biases, self.scale)
            .as_slice()
            .to_vec()
    }

    /// Whether the head has rows for word pairs (beyond its 2^bits).
    pub fn reads_pairs(&self) -> bool {
        self.weights.len() > self.classes() << self.bits
    }

    /// The best class and its softmax probability.
    pub fn predict(&self, features: &[(u32, f32)]) -> (usize, f32) {
        best_class(&self.scores(features))
    }

    /// A two-class head trained one against the other has each row's two
    /// weights opposite (`w`, `-w`); a softmax over two scores reads only
    /// their difference, so the same head is the first class's weights at 0
    /// and the second's at twice the scale. Same predictions, same
    /// probabilities; the file stores a column of zeros, which compresses to
    /// next to nothing (the built-in gap head: 267 B less brotli). Returns
    /// whether the head was folded (not when any row's weights differ from
    /// opposites, or the head has other than two classes).
    pub fn fold_two_classes(&mut self) -> bool {
        let opposite = |row: &[i8]| matches!(row, [a, b] if i16::from(*a) == -i16::from(*b));
        if self.labels.len() != 2
            || !self.weights.chunks_exact(2).all(opposite)
            || self.weights.iter().all(|&w| w == 0)
        {
            return false;
        }
        for row in self.weights.chunks_exact_mut(2) {
            row[0] = 0;
        }
        self.scale *= 2.0;
        true
    }
}

/// bias + scale × sum, per class (on the stack: no allocation per head).
pub fn finish_scores(sums: &[f32], biases: &[f32], scale: f32) -> Scores {
    let mut scores = Scores([0.0; MAX_CLASSES], 0);
    for ((score, sum), bias) in scores.0.iter_mut().zip(sums).zip(biases) {
        *score = bias + sum * scale;
        scores.1 += 1;
    }
    scores
}

/// Up to `MAX_CLASSES` scores and how many there are.
pub struct Scores(pub [f32; MAX_CLASSES], usize);

impl Scores {
    pub fn as_slice(&self) -> &[f32] {
        self.0.get(..self.1).unwrap_or_default()
    }
}

/// The best of `scores` (the first of equals) and its softmax probability.
fn best_class(scores: &[f32]) -> (usize, f32) {
    let best = best_score(scores).0;
    (best, softmax(scores).0.get(best).copied().unwrap_or(0.0))
}

/// The softmax of `scores`, by `portable_exp`: the same bits natively and
/// in wasm (the kind stack reads these), and the widget's one exponential.
pub fn softmax(scores: &[f32]) -> Scores {
    let top = best_score(scores).1;
    let mut out = Scores([0.0; MAX_CLASSES], 0);
    let mut total = 0.0;
    for (p, s) in out.0.iter_mut().zip(scores) {
        *p = super::train::portable_exp(s - top);
        total += *p;
        out.1 += 1;
    }
    for p in &mut out.0 {
        *p /= total;
    }
    out
}

/// The best of `scores` (the first of equals) and its score.
pub fn best_score(scores: &[f32]) -> (usize, f32) {
    let (best, &top) = scores
        .iter()
        .enumerate()
        .fold((0, &f32::NEG_INFINITY), |best, item| {
            if item.1 > best.1 {
                item
            } else {
                best
            }
        });
    (best, top)
}

/// Heads with the same number of rows side by side in one row per bucket
/// (in the built-in model: topic alone at 16,384 rows and 1,024 of word
/// pairs, sentiment, urgency
/// and kind at 8,192, 16 lanes wide, the gap alone at 4,096 in 4 lanes), so
/// scoring all heads
/// reads each feature's rows once per pack instead of once per head. Each class still sums value × weight over the
/// features in the same order, so every score is the same to the bit.
#[derive(Debug, Clone)]
pub struct PackedHeads {
    packs: Vec<Pack>,
    /// Per head of the model: its pack and first lane.
    places: Vec<(usize, usize)>,
}

#[derive(Debug, Clone)]
struct Pack {
    /// log2 of the heads' rows of words and n-grams (`row_of`).
    bits: u8,
    /// Rows in all: 2^bits, and a row per pair bucket if the heads read pairs.
    row_count: usize,
    lanes_used: usize,
    /// How many heads share the rows.
    heads: u8,
    /// Lanes per row: 4 or `MAX_CLASSES`, the fewest that hold the pack's
    /// heads (a lone 3-class head reads 4 lanes a feature, not 16; an
    /// 8-lane variant cost more widget bytes than it saved time).
    width: usize,
    /// `width` lanes per row, int8 weights stored as bytes.
    rows: Vec<u8>,
    /// Natively, the same weights as floats (4× the memory, 1.3 MB for the
    /// built-in model): no int8 → float conversion per feature. The widget
    /// keeps only the bytes.
    #[cfg(not(target_arch = "wasm32"))]
    float_rows: Vec<f32>,
    /// Lanes per float row: the used lanes rounded up to whole vectors of
    /// four (12 for topic's 11 classes, not 16: a quarter fewer operations).
    #[cfg(not(target_arch = "wasm32"))]
    float_width: usize,
}

impl Pack {
    /// The pack's sums of value × weight over `features` (called from two
    /// places, kept out of line so the widget holds one copy).
    #[inline(never)]
    fn sums(&self, features: &[(u32, f32)]) -> [f32; MAX_CLASSES] {
        #[cfg(target_arch = "wasm32")]
        let sums = self.sums_by_lanes(features);
        #[cfg(not(target_arch = "wasm32"))]
        let sums = self.sums_by_row(features);
        sums
    }

    /// All lanes of a row per feature: vectorised natively.
    #[cfg(not(target_arch = "wasm32"))]
    fn sums_by_row(&self, features: &[(u32, f32)]) -> [f32; MAX_CLASSES] {
        match self.float_width {
            4 => self.sums_of_width::<4>(features),
            8 => self.sums_of_width::<8>(features),
            12 => self.sums_of_width::<12>(features),
            _ => self.sums_of_width::<MAX_CLASSES>(features),
        }
    }

    /// `sums_by_row` for rows of `WIDTH` lanes: with the width known when
    /// compiling, each row is whole vector operations (a width read at run
    /// time left a scalar loop that took a quarter of native classify).
    #[cfg(not(target_arch = "wasm32"))]
    fn sums_of_width<const WIDTH: usize>(&self, features: &[(u32, f32)]) -> [f32; MAX_CLASSES] {
        // Vectors of four lanes, each row whole loads of four (left to the
        // compiler, a 12-lane row became loads of two and one lane).
        let mut acc = [[0f32; 4]; MAX_CLASSES / 4];
        for &(bucket, value) in features {
            let at = row_of(bucket, self.bits) * WIDTH;
            if let Some(row) = self.float_rows.get(at..at + WIDTH) {
                for (sums, weights) in acc.iter_mut().zip(row.chunks_exact(4)) {
                    if let Ok(weights) = <&[f32; 4]>::try_from(weights) {
                        for (sum, &w) in sums.iter_mut().zip(weights) {
                            *sum += value * w;
                        }
                    }
                }
            }
        }
        let mut sums = [0f32; MAX_CLASSES];
        for (sum, lane) in sums.iter_mut().zip(acc.iter().flatten()) {
            *sum = *lane;
        }
        sums
    }

    /// All lanes of a row in locals, in one pass over the features: wasm
    /// (built for size, without SIMD) keeps them in registers instead of
    /// loading and storing a lane array per feature (a pass per four lanes
    /// took four passes a pack). Each lane adds the same products in the
    /// same order as `sums_by_row`, so the sums are the same to the bit.
    #[cfg(any(test, target_arch = "wasm32"))]
    fn sums_by_lanes(&self, features: &[(u32, f32)]) -> [f32; MAX_CLASSES] {
        let mut lanes = [0f32; MAX_CLASSES];
        if self.width == 4 {
            for &(bucket, value) in features {
                let at = row_of(bucket, self.bits) * 4;
                if let Some(&[a, b, c, d]) = self.rows.get(at..at + 4) {
                    lanes[0] += value * f32::from(a as i8);
                    lanes[1] += value * f32::from(b as i8);
                    lanes[2] += value * f32::from(c as i8);
                    lanes[3] += value * f32::from(d as i8);
                }
            }
            return lanes;
        }
        for &(bucket, value) in features {
            let at = row_of(bucket, self.bits) * MAX_CLASSES;
            if let Some(&[a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p]) =
                self.rows.get(at..at + MAX_CLASSES)
            {
                lanes[0] += value * f32::from(a as i8);
                lanes[1] += value * f32::from(b as i8);
                lanes[2] += value * f32::from(c as i8);
                lanes[3] += value * f32::from(d as i8);
                lanes[4] += value * f32::from(e as i8);
                lanes[5] += value * f32::from(f as i8);
                lanes[6] += value * f32::from(g as i8);
                lanes[7] += value * f32::from(h as i8);
                lanes[8] += value * f32::from(i as i8);
                lanes[9] += value * f32::from(j as i8);
                lanes[10] += value * f32::from(k as i8);
                lanes[11] += value * f32::from(l as i8);
                lanes[12] += value * f32::from(m as i8);
                lanes[13] += value * f32::from(n as i8);
                lanes[14] += value * f32::from(o as i8);
                lanes[15] += value * f32::from(p as i8);
            }
        }
        lanes
    }
}

/// The packs' sums for one message, to be read per head (`None`: a pack left
/// out until one of its heads is asked, `PackedHeads::add_sums_of`).
pub struct PackedSums(Vec<Option<[f32; MAX_CLASSES]>>);

impl PackedHeads {
    pub fn new(model: &Model) -> Self {
        // First which pack and lanes each head takes, then each pack's width.
        let mut packs: Vec<Pack> = Vec::new();
        let mut places = Vec::with_capacity(model.heads.len());
        for head in &model.heads {
            let classes = head.classes();
            let (bits, row_count) = (head.bits, head.weights.len() / classes);
            let index = packs
                .iter()
                .position(|p| {
                    (p.bits, p.row_count) == (bits, row_count)
                        && p.lanes_used + classes <= MAX_CLASSES
                })
                .unwrap_or(packs.len());
            if index == packs.len() {
                packs.push(Pack {
                    bits,
                    row_count,
                    lanes_used: 0,
                    heads: 0,
                    width: MAX_CLASSES,
                    rows: Vec::new(),
                    #[cfg(not(target_arch = "wasm32"))]
                    float_rows: Vec::new(),
                    #[cfg(not(target_arch = "wasm32"))]
                    float_width: MAX_CLASSES,
                });
            }
            if let Some(pack) = packs.get_mut(index) {
                places.push((index, pack.lanes_used));
                pack.lanes_used += classes;
                pack.heads += 1;
            }
        }
        for pack in &mut packs {
            pack.width = [4, MAX_CLASSES]
                .into_iter()
                .find(|&width| pack.lanes_used <= width)
                .unwrap_or(MAX_CLASSES);
            pack.rows = vec![0; pack.row_count * pack.width];
        }
        for (head, &(index, first)) in model.heads.iter().zip(&places) {
            if let Some(pack) = packs.get_mut(index) {
                let width = pack.width;
                for (row, weights) in pack
                    .rows
                    .chunks_mut(width)
                    .zip(head.weights.chunks(head.classes()))
                {
                    for (lane, &w) in row.iter_mut().skip(first).zip(weights) {
                        *lane = w as u8;
                    }
                }
            }
        }
        #[cfg(not(target_arch = "wasm32"))]
        for pack in &mut packs {
            pack.float_width = pack.lanes_used.div_ceil(4).clamp(1, 4) * 4;
            pack.float_rows = pack
                .rows
                .chunks(pack.width)
                .flat_map(|row| row.iter().take(pack.float_width))
                .map(|&w| f32::from(w as i8))
                .collect();
        }
        PackedHeads { packs, places }
    }

    /// Every pack's sums of value × weight over `features`, in their order,
    /// but for the pack of head `later` if it holds that head alone: the
    /// classifier asks the spam head only for some messages (a fourth pack
    /// read for every message cost 5% of classify).
    pub fn sums(&self, features: &[(u32, f32)], later: Option<usize>) -> PackedSums {
        let later = later
            .and_then(|head| self.places.get(head))
            .map(|&(pack, _)| pack)
            .filter(|&pack| self.packs.get(pack).is_some_and(|p| p.heads == 1));
        PackedSums(
            self.packs
                .iter()
                .enumerate()
                .map(|(index, pack)| (Some(index) != later).then(|| pack.sums(features)))
                .collect(),
        )
    }

    /// Sums head `head`'s pack into `sums` if `sums` left it out.
    pub fn add_sums_of(&self, head: usize, features: &[(u32, f32)], sums: &mut PackedSums) {
        if let Some(&(index, _)) = self.places.get(head) {
            if let (Some(slot @ None), Some(pack)) = (sums.0.get_mut(index), self.packs.get(index))
            {
                *slot = Some(pack.sums(features));
            }
        }
    }

    /// Head `index`'s best class, as `predict` without the probability (no
    /// exponentials: the kind, urgency and gap heads need only the class).
    /// `add`, per class, is added to the scores (log-odds): a lean toward a
    /// label, or the kind stack's term.
    pub fn best(
        &self,
        model: &Model,
        sums: &PackedSums,
        index: usize,
        add: &[f32],
    ) -> Option<usize> {
        let scores = self.scores(model, sums, index, add)?;
        Some(best_score(scores.as_slice()).0)
    }

    /// Head `index`'s best class and its probability, as `LinearHead::predict`
    /// (with `add` as in `best`): the equivalence test's (classifying reads
    /// `scores` and `model::softmax`).
    #[cfg(test)]
    pub fn predict(
        &self,
        model: &Model,
        sums: &PackedSums,
        index: usize,
        add: &[f32],
    ) -> Option<(usize, f32)> {
        let scores = self.scores(model, sums, index, add)?;
        Some(best_class(scores.as_slice()))
    }

    /// Head `index`'s scores from the summed rows, `add` added per class.
    pub fn scores(
        &self,
        model: &Model,
        sums: &PackedSums,
        index: usize,
        add: &[f32],
    ) -> Option<Scores> {
        let head = model.heads.get(index)?;
        let &(pack, first) = self.places.get(index)?;
        let lanes = sums
            .0
            .get(pack)?
            .as_ref()?
            .get(first..first + head.classes())?;
        let mut scores = finish_scores(lanes, &head.biases, head.scale);
        for (score, by) in scores.0.iter_mut().zip(add) {
            *score += by;
        }
        Some(scores)
    }
}

/// A set of heads over one feature space.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub bucket_bits: u8,
    /// The n-grams the heads were trained on (given by the file version).
    pub features: FeatureSet,
    pub heads: Vec<LinearHead>,
    /// The kind stack: a linear term over other heads' probabilities added
    /// to kind's scores (`train::fit_stack`). Kept out of `heads` so packing
    /// never sums features into it; in the file it is the last head, named
    /// `STACK_HEAD`, which older readers never ask for.
    pub stack: Option<LinearHead>,
}

/// The file's name for `Model::stack`.
pub const STACK_HEAD: &str = "kind_stack";

impl Model {
    /// The head called `name`, if the model has one.
    pub fn head(&self, name: &str) -> Option<&LinearHead> {
        self.heads.iter().find(|h| h.name == name)
    }

    /// Features of `text` in this model's space.
    pub fn features(&self, text: &str) -> Vec<(u32, f32)> {
        features(text, self.bucket_bits, self.features)
    }

    /// Features of already-split words in this model's space.
    pub fn features_of_words<W: AsRef<str>>(&self, words: &[W]) -> Vec<(u32, f32)> {
        features_of_words(words, self.bucket_bits, self.features)
    }

    /// Serialises to the binary format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        let version = version_of(self.features);
        out.extend_from_slice(&version.to_le_bytes());
        out.push(self.bucket_bits);
        let pair_bits = match self.features {
            FeatureSet::WordsAndPairs(bits) => Some(bits),
            _ => None,
        };
        out.extend(pair_bits);
        out.push((self.heads.len() + usize::from(self.stack.is_some())) as u8);
        for head in self.heads.iter().chain(&self.stack) {
            push_str(&mut out, &head.name);
            out.push(head.bits);
            if pair_bits.is_some() {
                out.push(u8::from(head.reads_pairs()));
            }
            out.push(head.labels.len() as u8);
            for label in &head.labels {
                push_str(&mut out, label);
            }
            out.extend_from_slice(&head.scale.to_le_bytes());
            for bias in &head.biases {
                out.extend_from_slice(&bias.to_le_bytes());
            }
            if pair_bits.is_some() {
                let largest = weights::largest_magnitude(&head.weights);
                let signs = Signs::of_version(version);
                let coded = weights::encode(&head.weights, head.labels.len(), largest, signs);
                out.push(largest);
                out.extend_from_slice(&(coded.len() as u32).to_le_bytes());
                out.extend_from_slice(&coded);
            } else {
                out.extend(head.weights.iter().map(|&w| w as u8));
            }
        }
        let checksum = fnv1a(&out);
        out.extend_from_slice(&checksum.to_le_bytes());
        out
    }

    /// Parses and checks the binary format.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        if bytes.len() < 4 || &bytes[..4] != MAGIC {
            return Err(ModelError::BadMagic);
        }
        if bytes.len() < 12 {
            return Err(ModelError::Truncated);
        }
        let (body, tail) = bytes.split_at(bytes.len() - 4);
        let mut reader = Reader { bytes: body, at: 4 };
        let version = u16::from_le_bytes(reader.array()?);
        if !(1..=FORMAT_VERSION).contains(&version) {
            return Err(ModelError::UnsupportedVersion(version));
        }
        if u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]) != fnv1a(body) {
            return Err(ModelError::BadChecksum);
        }
        let bucket_bits = reader.byte()?;
        if !(8..=20).contains(&bucket_bits) {
            return Err(ModelError::Malformed("bucket bits out of range"));
        }
        let features = match version {
            1 | 2 => FeatureSet::WithWordPairs,
            3 => FeatureSet::Words,
            _ => FeatureSet::WordsAndPairs(reader.byte()?),
        };
        let pair_rows = match features {
            FeatureSet::WordsAndPairs(bits @ 1..=MAX_PAIR_BITS) => 1usize << bits,
            FeatureSet::WordsAndPairs(_) => {
                return Err(ModelError::Malformed("pair bits out of range"))
            }
            _ => 0,
        };
        let head_count = reader.byte()?;
        let mut heads = Vec::with_capacity(usize::from(head_count));
        let mut stack = None;
        for _ in 0..head_count {
            let name = reader.string()?;
            let bits = if version == 1 {
                bucket_bits
            } else {
                reader.byte()?
            };
            if !(1..=bucket_bits).contains(&bits) {
                return Err(ModelError::Malformed(
                    "a head has more buckets than the features",
                ));
            }
            let rows = match (pair_rows, if pair_rows > 0 { reader.byte()? } else { 0 }) {
                (_, 0) => 1usize << bits,
                (pairs, 1) => (1usize << bits) + pairs,
                _ => return Err(ModelError::Malformed("a head's pair flag is not 0 or 1")),
            };
            let classes = usize::from(reader.byte()?);
            if !(2..=MAX_CLASSES).contains(&classes) {
                return Err(ModelError::Malformed("a head needs 2 to 16 classes"));
            }
            // Loops, not `collect::<Result<Vec<_>, _>>()`: its adaptors for
            // these two lists were about 480 B of the widget's brotli.
            let mut labels = Vec::with_capacity(classes);
            for _ in 0..classes {
                labels.push(reader.string()?);
            }
            let scale = f32::from_le_bytes(reader.array()?);
            let mut biases = Vec::with_capacity(classes);
            for _ in 0..classes {
                biases.push(f32::from_le_bytes(reader.array()?));
            }
            let weights = if version >= 5 {
                let largest = reader.byte()?;
                let length = u32::from_le_bytes(reader.array()?) as usize;
                let signs = Signs::of_version(version);
                weights::decode(
                    reader.take(length)?,
                    classes,
                    rows * classes,
                    largest,
                    signs,
                )?
            } else {
                reader
                    .take(rows * classes)?
                    .iter()
                    .map(|&b| b as i8)
                    .collect()
            };
            if !scale.is_finite() || biases.iter().any(|b| !b.is_finite()) {
                return Err(ModelError::Malformed("non-finite scale or bias"));
            }
            let head = LinearHead::new(name, bits, labels, scale, biases, weights);
            if head.name == STACK_HEAD {
                stack = Some(head);
            } else {
                heads.push(head);
            }
        }
        if reader.at != body.len() {
            return Err(ModelError::Malformed("trailing bytes"));
        }
        Ok(Model {
            bucket_bits,
            features,
            heads,
            stack,
        })
    }
}

fn push_str(out: &mut Vec<u8>, s: &str) {
    let bytes = &s.as_bytes()[..s.len().min(255)];
    out.push(bytes.len() as u8);
    out.extend_from_slice(bytes);
}

/// FNV-1a over bytes: the file checksum.
pub fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], ModelError> {
        let slice = self
            .bytes
            .get(self.at..self.at.saturating_add(n))
            .ok_or(ModelError::Truncated)?;
        self.at += n;
        Ok(slice)
    }
    fn byte(&mut self) -> Result<u8, ModelError> {
        Ok(self.take(1)?[0])
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], ModelError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
    fn string(&mut self) -> Result<String, ModelError> {
        let len = usize::from(self.byte()?);
        // The widget's small decoder rather than core's validator (its size).
        let mut text = String::with_capacity(len);
        if crate::domain::text::push_utf8(&mut text, self.take(len)?) {
            Ok(text)
        } else {
            Err(ModelError::Malformed("label is not UTF-8"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Model {
        let mut weights = vec![0i8; 4096 * 2];
        for (bucket, _) in features("refund please", 12, FeatureSet::Words) {
            weights[bucket as usize * 2 + 1] = 100;
        }
        Model {
            bucket_bits: 12,
            features: FeatureSet::Words,
            heads: vec![LinearHead::new(
                "topic".into(),
                12,
                vec!["other".into(), "refund".into()],
                0.05,
                vec![0.1, -0.1],
                weights,
            )],
            stack: None,
        }
    }

    #[test]
    fn round_trips_and_predicts() {
        let model = Model::from_bytes(&tiny().to_bytes()).unwrap();
        assert_eq!(model, tiny());
        let head = model.head("topic").unwrap();
        assert_eq!(head.predict(&model.features("refund please")).0, 1);
        let unrelated = model.features("zzz qqq");
        assert!(unrelated
            .iter()
            .all(|(b, _)| model.features("refund please").iter().all(|(r, _)| r != b)));
        assert_eq!(head.predict(&unrelated).0, 0);
    }

    /// The kind stack is the file's last head, out of `heads` in memory: a
    /// reader that knows it takes it out, one that does not sees a head it
    /// never asks for.
    #[test]
    fn the_stack_is_stored_as_the_last_head_and_read_back_apart() {
        for features in [FeatureSet::Words, FeatureSet::WordsAndPairs(4)] {
            let stack = LinearHead::new(
                STACK_HEAD.into(),
                4,
                vec!["other".into(), "refund".into()],
                0.1,
                vec![0.5, -0.5],
                (0..32).map(|i| (i % 31 - 15) as i8).collect(),
            );
            let model = Model {
                features,
                stack: Some(stack.clone()),
                ..tiny()
            };
            let bytes = model.to_bytes();
            let back = Model::from_bytes(&bytes).unwrap();
            assert_eq!(back, model);
            assert_eq!(back.heads.len(), 1);
            // As one more head, for a reader that does not know stacks.
            let mut as_heads = back.clone();
            as_heads.heads.push(stack);
            as_heads.stack = None;
            let mut heads_bytes = as_heads.to_bytes();
            assert_eq!(heads_bytes, bytes);
            // Wherever it is in the file, it is taken out.
            let mut first = as_heads.clone();
            first.heads.rotate_right(1);
            heads_bytes = first.to_bytes();
            assert_eq!(Model::from_bytes(&heads_bytes).unwrap(), model);
        }
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        let bytes = tiny().to_bytes();
        assert_eq!(Model::from_bytes(b"nope"), Err(ModelError::BadMagic));
        assert_eq!(
            Model::from_bytes(&bytes[..bytes.len() - 10]),
            Err(ModelError::BadChecksum)
        );
        let mut corrupt = bytes.clone();
        corrupt[40] ^= 1;
        assert_eq!(Model::from_bytes(&corrupt), Err(ModelError::BadChecksum));
        let mut future = bytes.clone();
        future[4] = 9;
        assert_eq!(
            Model::from_bytes(&future),
            Err(ModelError::UnsupportedVersion(9))
        );
        assert_eq!(Model::from_bytes(&bytes[..8]), Err(ModelError::Truncated));
        let mut ancient = bytes.clone();
        ancient[4] = 0;
        assert_eq!(
            Model::from_bytes(&ancient),
            Err(ModelError::UnsupportedVersion(0))
        );
    }

    /// `tiny()` plus a 2-bucket-bit head, so rows are shared by many features.
    fn with_small_head() -> Model {
        let mut model = tiny();
        model.heads.push(LinearHead::new(
            "gap".into(),
            2,
            vec!["false".into(), "true".into()],
            0.5,
            vec![0.0, 0.0],
            vec![0, 0, 0, 0, 0, 0, -3, 3],
        ));
        model
    }

    #[test]
    fn a_head_with_fewer_buckets_reads_features_modulo_its_size() {
        let model = Model::from_bytes(&with_small_head().to_bytes()).unwrap();
        assert_eq!(model, with_small_head());
        let head = model.head("gap").unwrap();
        // Rows 0–2 are zero, row 3 says "true": only buckets ≡ 3 (mod 4) count.
        assert_eq!(head.scores(&[(4, 1.0), (8, 1.0)]), vec![0.0, 0.0]);
        assert_eq!(head.scores(&[(7, 1.0)]), vec![-1.5, 1.5]);
        assert_eq!(head.predict(&[(4095, 0.5)]).0, 1);
        // A head may not have more rows than the features have buckets.
        let mut bad = with_small_head();
        bad.heads[1] = LinearHead::new(
            "gap".into(),
            13,
            vec!["false".into(), "true".into()],
            0.5,
            vec![0.0, 0.0],
            vec![0; 8192 * 2],
        );
        assert_eq!(
            Model::from_bytes(&bad.to_bytes()),
            Err(ModelError::Malformed(
                "a head has more buckets than the features"
            ))
        );
    }

    #[test]
    fn packed_heads_score_every_head_to_the_bit() {
        // Heads of three sizes, and more classes of one size than a row has
        // lanes, so some share a row, one needs a pack of its own, and a
        // lone small head gets a 4-lane pack; one reads word pairs, so it
        // gets a pack of its own beside a head of the same size without.
        let mut model = with_pairs();
        model.heads.push(with_small_head().heads[1].clone());
        let mut state = 0x9e37_79b9u32;
        let mut weights = |n: usize| -> Vec<i8> {
            (0..n)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    state as i8
                })
                .collect()
        };
        for (name, bits, classes) in [
            ("a", 12, 6),
            ("b", 2, 3),
            ("c", 12, 9),
            ("d", 12, 3),
            ("e", 5, 3),
            ("f", 7, 14),
        ] {
            let labels = (0..classes).map(|c| format!("{name}{c}")).collect();
            let head = LinearHead::new(
                name.into(),
                bits,
                labels,
                0.013,
                (0..classes).map(|c| c as f32 * 0.1 - 0.2).collect(),
                weights((1 << bits) * classes),
            );
            model.heads.push(head);
        }
        let packed = PackedHeads::new(&model);
        assert_eq!(packed.packs.len(), 6, "{:?}", packed.places);
        // Each pack is as narrow as its heads allow, and narrow ones exist.
        let widths: Vec<(usize, usize)> = packed
            .packs
            .iter()
            .map(|p| (p.lanes_used, p.width))
            .collect();
        for &(used, width) in &widths {
            let narrowest = [4, MAX_CLASSES].into_iter().find(|&w| used <= w);
            assert_eq!(Some(width), narrowest, "{widths:?}");
        }
        assert!(
            widths.iter().any(|&(_, width)| width < MAX_CLASSES),
            "{widths:?}"
        );
        // Natively, rows as wide as their lanes in vectors of four: every
        // width the native sums are compiled for is checked against wasm's.
        let mut float_widths: Vec<usize> = packed.packs.iter().map(|p| p.float_width).collect();
        float_widths.sort_unstable();
        float_widths.dedup();
        assert_eq!(float_widths, [4, 8, 12, 16], "{widths:?}");
        // `by` added to class `class`'s score alone.
        let lean = |class: usize, by: f32| {
            let mut add = vec![0.0; class + 1];
            add[class] = by;
            add
        };
        for text in [
            "refund please",
            "my parcel never arrived and nobody answers!!",
            "Größe 42 passt nicht, bitte umtauschen",
            "no refund",
            "",
        ] {
            let features = model.features(text);
            let sums = packed.sums(&features, None);
            // Both ways of summing (native, wasm) give the same bits.
            for pack in &packed.packs {
                let (row, eight) = (pack.sums_by_row(&features), pack.sums_by_lanes(&features));
                for lane in 0..pack.lanes_used {
                    assert_eq!(row[lane].to_bits(), eight[lane].to_bits());
                }
            }
            for (index, head) in model.heads.iter().enumerate() {
                let (class, p) = head.predict(&features);
                assert_eq!(packed.best(&model, &sums, index, &[]), Some(class));
                // A head's pack left for later is summed when asked for, and
                // only a pack the head holds alone is left out.
                let mut later = packed.sums(&features, Some(index));
                let pack = packed.places[index].0;
                let alone = packed.places.iter().filter(|p| p.0 == pack).count() == 1;
                let before = packed.best(&model, &later, index, &[]);
                assert_eq!(before, (!alone).then_some(class), "head {index}");
                packed.add_sums_of(index, &features, &mut later);
                assert_eq!(packed.best(&model, &later, index, &[]), Some(class));
                // An addition to the runner-up's score makes it the answer once it
                // is past the winner's (and nothing changes with no lean).
                let scores = head.scores(&features);
                if let Some(second) = (0..scores.len())
                    .filter(|&c| c != class)
                    .max_by(|&a, &b| scores[a].total_cmp(&scores[b]))
                {
                    let gap = scores[class] - scores[second];
                    assert_eq!(
                        packed.best(&model, &sums, index, &lean(second, gap * 0.5)),
                        Some(class)
                    );
                    assert_eq!(
                        packed.best(&model, &sums, index, &lean(second, gap + 0.01)),
                        Some(second)
                    );
                    assert_eq!(
                        packed.best(&model, &sums, index, &lean(99, 1e9)),
                        Some(class)
                    );
                    // A lane past the head's classes is not one of its scores.
                    let past = lean(head.labels.len(), 1e9);
                    assert_eq!(packed.best(&model, &sums, index, &past), Some(class));
                }
                let packed = packed.predict(&model, &sums, index, &[]);
                assert_eq!(
                    packed.map(|(c, p)| (c, p.to_bits())),
                    Some((class, p.to_bits()))
                );
            }
        }
    }

    /// `tiny()` with word pairs in 2^4 buckets, read by a second
    /// head (rows for them: "no refund" says "other", anything else
    /// "refund") and not by the first.
    fn with_pairs() -> Model {
        let mut model = Model {
            features: FeatureSet::WordsAndPairs(4),
            ..tiny()
        };
        let mut weights = vec![0i8; (4096 + 16) * 2];
        for (bucket, _) in model.features("no refund") {
            if bucket & super::super::features::PAIR_REGION != 0 {
                weights[row_of(bucket, 12) * 2] = 127;
            }
        }
        let mut pairs = model.heads[0].clone();
        pairs.name = "pairs".into();
        pairs.weights = weights;
        pairs.biases = vec![-0.1, 0.1];
        model.heads.push(pairs);
        model
    }

    #[test]
    fn word_pairs_have_rows_of_their_own() {
        let model = with_pairs();
        let bytes = model.to_bytes();
        assert_eq!(u16::from_le_bytes([bytes[4], bytes[5]]), FORMAT_VERSION);
        assert_eq!(Model::from_bytes(&bytes), Ok(model.clone()));
        assert!(!model.heads[0].reads_pairs() && model.heads[1].reads_pairs());
        // The head without pair rows scores as in version 3; the other
        // reads the pair "no refund".
        let text = model.features("no refund");
        let plain = tiny();
        assert_eq!(
            model.heads[0].scores(&text),
            plain.heads[0].scores(&plain.features("no refund"))
        );
        assert_eq!(model.heads[0].predict(&text).0, 1);
        assert_eq!(model.heads[1].predict(&text).0, 0);
        assert_eq!(model.heads[1].predict(&model.features("refund no")).0, 1);
        // What a file with pair rows may not say.
        // Magic, version, bucket bits; then head count, the name "topic"
        // (length and bytes) and its bits before its flag.
        let at_pair_bits = 4 + 2 + 1;
        let at_flag = at_pair_bits + 1 + 1 + 5 + 1 + 1;
        for (at, value, why) in [
            (at_pair_bits, 0, "pair bits out of range"),
            (at_pair_bits, MAX_PAIR_BITS + 1, "pair bits out of range"),
            (at_flag, 2, "a head's pair flag is not 0 or 1"),
        ] {
            let mut bad = bytes[..bytes.len() - 4].to_vec();
            bad[at] = value;
            let checksum = fnv1a(&bad);
            bad.extend_from_slice(&checksum.to_le_bytes());
            assert_eq!(
                Model::from_bytes(&bad),
                Err(ModelError::Malformed(why)),
                "{at} {value}"
            );
        }
        // A flag of 1 where the head has no pair rows misreads what follows.
        let mut short = bytes[..bytes.len() - 4].to_vec();
        short[at_flag] = 1;
        let checksum = fnv1a(&short);
        short.extend_from_slice(&checksum.to_le_bytes());
        assert_ne!(Model::from_bytes(&short), Ok(model));
    }

    #[test]
    fn a_folded_two_class_head_predicts_as_before() {
        // Opposite weights, as one-against-the-other training leaves them.
        let mut weights = vec![0i8; 16 * 2];
        for (row, w) in weights
            .chunks_exact_mut(2)
            .zip([3i8, -7, 0, 127, -127, 1].iter().cycle())
        {
            row.copy_from_slice(&[-w, *w]);
        }
        let head = LinearHead::new(
            "gap".into(),
            4,
            vec!["false".into(), "true".into()],
            0.3,
            vec![0.2, -0.5],
            weights,
        );
        let mut folded = head.clone();
        assert!(folded.fold_two_classes());
        assert!(folded.weights.chunks_exact(2).all(|row| row[0] == 0));
        for bucket in 0..16u32 {
            for value in [0.1f32, 0.5, 1.0] {
                let x = [(bucket, value), ((bucket + 5) % 16, value / 2.0)];
                let (before, after) = (head.predict(&x), folded.predict(&x));
                assert_eq!(before.0, after.0);
                assert!((before.1 - after.1).abs() < 1e-6, "{before:?} {after:?}");
            }
        }
        // Folded once: its first column is 0 and the second is not its opposite.
        assert!(!folded.fold_two_classes());
        // Not opposite, more than two classes, or nothing to fold: left alone.
        let mut uneven = head.clone();
        uneven.weights[1] = 4;
        assert!(!uneven.clone().fold_two_classes());
        assert!(!tiny().heads[0].clone().fold_two_classes());
        let mut three = LinearHead::new(
            "s".into(),
            1,
            vec!["a".into(), "b".into(), "c".into()],
            1.0,
            vec![0.0; 3],
            vec![1, -1, 0, 0, 0, 0],
        );
        assert!(!three.fold_two_classes());
        let mut empty = LinearHead::new(
            "e".into(),
            1,
            vec!["a".into(), "b".into()],
            1.0,
            vec![0.0; 2],
            vec![0; 4],
        );
        assert!(!empty.fold_two_classes());
    }

    /// `model` written the way older versions were: version 5 (signs coded
    /// by column alone; how site models were stored before version 6),
    /// version 4 (weights as raw int8, before version 5) or version 1 (no
    /// per-head bits; before version 2).
    fn older_version_bytes(model: &Model, version: u16) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&version.to_le_bytes());
        out.push(model.bucket_bits);
        if version >= 4 {
            let FeatureSet::WordsAndPairs(pair_bits) = model.features else {
                panic!("versions 4 and 5 have word pairs");
            };
            out.push(pair_bits);
        }
        out.push(model.heads.len() as u8);
        for head in &model.heads {
            push_str(&mut out, &head.name);
            if version >= 4 {
                out.push(head.bits);
                out.push(u8::from(head.reads_pairs()));
            }
            out.push(head.labels.len() as u8);
            for label in &head.labels {
                push_str(&mut out, label);
            }
            out.extend_from_slice(&head.scale.to_le_bytes());
            for bias in &head.biases {
                out.extend_from_slice(&bias.to_le_bytes());
            }
            if version == 5 {
                let largest = weights::largest_magnitude(&head.weights);
                let classes = head.labels.len();
                let coded = weights::encode(&head.weights, classes, largest, Signs::ByColumn);
                out.push(largest);
                out.extend_from_slice(&(coded.len() as u32).to_le_bytes());
                out.extend_from_slice(&coded);
            } else {
                out.extend(head.weights.iter().map(|&w| w as u8));
            }
        }
        let checksum = fnv1a(&out);
        out.extend_from_slice(&checksum.to_le_bytes());
        out
    }

    #[test]
    fn version_four_files_still_load_and_are_written_back_coded() {
        let model = with_pairs();
        let old = older_version_bytes(&model, 4);
        assert_eq!(Model::from_bytes(&old), Ok(model.clone()));
        let new = model.to_bytes();
        assert_eq!(u16::from_le_bytes([new[4], new[5]]), FORMAT_VERSION);
        // Mostly zeros: the coded weights are a small fraction of the raw ones.
        assert!(
            new.len() * 20 < old.len(),
            "{} of {} bytes",
            new.len(),
            old.len()
        );
        let mut corrupt = old.clone();
        corrupt[60] ^= 2;
        assert_eq!(Model::from_bytes(&corrupt), Err(ModelError::BadChecksum));
    }

    /// Site models stored in D1 as version 5 keep loading, and their next
    /// training writes version 6, whose row-coded signs are smaller.
    #[test]
    fn version_five_files_still_load_and_are_written_back_as_six() {
        let model = with_pairs();
        let old = older_version_bytes(&model, 5);
        assert_eq!(u16::from_le_bytes([old[4], old[5]]), 5);
        assert_eq!(Model::from_bytes(&old), Ok(model.clone()));
        let new = model.to_bytes();
        assert_eq!(u16::from_le_bytes([new[4], new[5]]), 6);
        assert_eq!(Model::from_bytes(&new), Ok(model));
        // The same stream read with the other version's sign contexts is
        // not the same weights (or not weights at all), once rows mix signs.
        let mut mixed = with_pairs();
        for (index, weight) in mixed.heads[0].weights.iter_mut().enumerate() {
            *weight = [0, 3, -2, 0, -1, 2, 1, -3][index % 8];
        }
        let old = older_version_bytes(&mixed, 5);
        assert_eq!(Model::from_bytes(&old), Ok(mixed));
        let mut relabelled = old[..old.len() - 4].to_vec();
        relabelled[4] = 6;
        let checksum = fnv1a(&relabelled);
        relabelled.extend_from_slice(&checksum.to_le_bytes());
        assert_ne!(Model::from_bytes(&relabelled), Model::from_bytes(&old));
    }

    /// A checksum of every head's weights, in file order.
    fn weights_checksum(model: &Model) -> u32 {
        let all: Vec<u8> = model
            .heads
            .iter()
            .flat_map(|head| head.weights.iter().map(|&w| w as u8))
            .collect();
        fnv1a(&all)
    }

    /// Real bytes of the previous coder: the built-in model as version 5
    /// wrote it (`d42133a6…`, kept in the fuzz corpus) decodes to the
    /// weights it was written from (the version 6 file committed with it
    /// held the same ones), and is written back as a smaller version 6.
    #[test]
    fn the_built_in_model_written_as_version_five_still_decodes() {
        let old = include_bytes!("../../../fuzz/corpus/model/builtin_v5.tpcm");
        assert_eq!(u16::from_le_bytes([old[4], old[5]]), 5);
        let model = Model::from_bytes(old).unwrap();
        assert_eq!(model.heads.len(), 6);
        assert_eq!(format!("{:08x}", weights_checksum(&model)), "4cdab79b");
        let new = model.to_bytes();
        assert_eq!(u16::from_le_bytes([new[4], new[5]]), 6);
        assert!(
            new.len() + 1_000 < old.len(),
            "{} against {}",
            new.len(),
            old.len()
        );
        assert_eq!(Model::from_bytes(&new), Ok(model));
    }

    #[test]
    fn coded_weights_that_do_not_fit_their_length_are_refused() {
        let model = with_pairs();
        let bytes = model.to_bytes();
        // The first head's coded length follows its name, bits, pair flag,
        // labels, scale, biases and largest magnitude.
        let at_length = 4 + 2 + 1 + 1 + 1 + 6 + 1 + 1 + 1 + 6 + 7 + 4 + 8 + 1;
        let length = u32::from_le_bytes(bytes[at_length..at_length + 4].try_into().unwrap());
        let with_length = |new: u32| {
            let mut bad = bytes[..bytes.len() - 4].to_vec();
            bad[at_length..at_length + 4].copy_from_slice(&new.to_le_bytes());
            let checksum = fnv1a(&bad);
            bad.extend_from_slice(&checksum.to_le_bytes());
            Model::from_bytes(&bad)
        };
        assert_eq!(with_length(length), Ok(model));
        assert_eq!(with_length(u32::MAX), Err(ModelError::Truncated));
        assert_eq!(
            with_length(3),
            Err(ModelError::Malformed(
                "the coded weights do not fit their head"
            ))
        );
        assert!(with_length(length + 1).is_err());
        assert!(with_length(length - 1).is_err());
    }

    #[test]
    fn version_one_files_still_load_and_are_still_checked() {
        let old = older_version_bytes(&tiny(), 1);
        let with_pairs = Model {
            features: FeatureSet::WithWordPairs,
            ..tiny()
        };
        assert_eq!(Model::from_bytes(&old), Ok(with_pairs.clone()));
        // Written back, it becomes version 2 (the newest with word pairs).
        let new = with_pairs.to_bytes();
        assert_eq!(u16::from_le_bytes([new[4], new[5]]), 2);
        assert_eq!(new.len(), old.len() + 1);
        assert_eq!(Model::from_bytes(&new), Ok(with_pairs));
        let mut corrupt = old.clone();
        corrupt[30] ^= 4;
        assert_eq!(Model::from_bytes(&corrupt), Err(ModelError::BadChecksum));
        assert_eq!(
            Model::from_bytes(&old[..old.len() - 1]),
            Err(ModelError::BadChecksum)
        );
    }

    #[test]
    fn the_version_says_which_features_the_heads_read() {
        let words = tiny();
        let bytes = words.to_bytes();
        assert_eq!(u16::from_le_bytes([bytes[4], bytes[5]]), 3);
        let newest = with_pairs().to_bytes();
        assert_eq!(u16::from_le_bytes([newest[4], newest[5]]), FORMAT_VERSION);
        let pairs = Model {
            features: FeatureSet::WithWordPairs,
            ..tiny()
        };
        let older = pairs.to_bytes();
        assert_eq!(u16::from_le_bytes([older[4], older[5]]), 2);
        assert_eq!(Model::from_bytes(&older), Ok(pairs.clone()));
        // A site model stored as version 2 keeps scoring word pairs.
        let text = "refund please now";
        assert!(pairs.features(text).len() > words.features(text).len());
    }
}
