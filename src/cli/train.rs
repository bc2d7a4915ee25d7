//! `touchpoint train`: fits the topic and sentiment heads on the public sets
//! plus the project's own examples (and any extra labeled lines, such as staff
//! corrections), reports held-out metrics, and writes the model file.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::domain::classify::model::{LinearHead, Model};
use crate::domain::classify::{features::features, SENTIMENTS, TOPICS};

use super::datasets::{load_jsonl, load_public, Example, Split};
use super::report::Report;

/// Options of `touchpoint train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Folder with the public datasets.
    #[arg(long, default_value = "../shared/datasets")]
    pub datasets: PathBuf,
    /// The project's own labeled examples.
    #[arg(long, default_value = "data/examples.jsonl")]
    pub examples: PathBuf,
    /// Extra labeled JSON lines to train on (e.g. exported staff corrections); repeatable.
    #[arg(long)]
    pub extra: Vec<PathBuf>,
    /// Where to write the model.
    #[arg(long, default_value = "model/touchpoint.tpcm")]
    pub out: PathBuf,
    /// log2 of the number of feature buckets.
    #[arg(long, default_value_t = 12)]
    pub bits: u8,
    /// Passes over the training data.
    #[arg(long, default_value_t = 8)]
    pub epochs: u32,
    /// Also write the train/test splits as JSON lines here (for the reference benchmark).
    #[arg(long)]
    pub export_splits: Option<PathBuf>,
}

/// A small, seedable generator so training is reproducible everywhere.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

type Sample = (Vec<(u32, f32)>, usize);

/// Multinomial logistic regression with AdaGrad, then int8 quantisation.
pub fn train_head(
    name: &str,
    labels: &[&str],
    data: &[Sample],
    bits: u8,
    epochs: u32,
) -> LinearHead {
    let classes = labels.len();
    let buckets = 1usize << bits;
    let mut weights = vec![0f32; buckets * classes];
    let mut squared = vec![1e-6f32; buckets * classes];
    let mut biases = vec![0f32; classes];
    let mut bias_squared = vec![1e-6f32; classes];
    let rate = 0.4f32;
    let l2 = 1e-6f32;
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut scores = vec![0f32; classes];
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        for &index in &order {
            let (x, label) = &data[index];
            for (c, score) in scores.iter_mut().enumerate() {
                *score = biases[c]
                    + x.iter()
                        .map(|&(j, v)| v * weights[j as usize * classes + c])
                        .sum::<f32>();
            }
            let top = scores.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
            let total: f32 = scores.iter().map(|s| (s - top).exp()).sum();
            for c in 0..classes {
                let p = (scores[c] - top).exp() / total;
                let g = p - if c == *label { 1.0 } else { 0.0 };
                for &(j, v) in x {
                    let k = j as usize * classes + c;
                    let grad = g * v + l2 * weights[k];
                    squared[k] += grad * grad;
                    weights[k] -= rate * grad / squared[k].sqrt();
                }
                bias_squared[c] += g * g;
                biases[c] -= rate * g / bias_squared[c].sqrt();
            }
        }
    }
    let max = weights.iter().fold(0f32, |m, w| m.max(w.abs())).max(1e-6);
    let scale = max / 127.0;
    LinearHead::new(
        name.into(),
        labels.iter().map(|l| l.to_string()).collect(),
        scale,
        biases,
        weights
            .iter()
            .map(|w| (w / scale).round().clamp(-127.0, 127.0) as i8)
            .collect(),
    )
}

fn label_of<'a>(head: &str, example: &'a Example) -> Option<&'a String> {
    if head == "topic" {
        example.topic.as_ref()
    } else {
        example.sentiment.as_ref()
    }
}

fn samples(examples: &[&Example], head: &str, labels: &[&str], bits: u8) -> Vec<Sample> {
    examples
        .iter()
        .filter_map(|e| {
            let label = labels
                .iter()
                .position(|l| Some(*l) == label_of(head, e).map(String::as_str))?;
            Some((
                features(&crate::domain::pii::redact(&e.text).redacted, bits),
                label,
            ))
        })
        .collect()
}

fn evaluate(head: &LinearHead, data: &[Sample]) -> Report {
    let mut report = Report::default();
    for (x, label) in data {
        let (predicted, _) = head.predict(x);
        report.add(&head.labels[*label], &head.labels[predicted]);
    }
    report
}

fn export(dir: &std::path::Path, examples: &[Example]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    for (split, name) in [(Split::Train, "train"), (Split::Test, "test")] {
        let mut out = String::new();
        for e in examples.iter().filter(|e| e.split == split) {
            let line = serde_json::json!({"text": e.text, "topic": e.topic, "sentiment": e.sentiment, "source": e.source});
            out.push_str(&line.to_string());
            out.push('\n');
        }
        std::fs::write(dir.join(format!("{name}.jsonl")), out).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Runs `touchpoint train`.
pub fn run(args: &TrainArgs) -> ExitCode {
    let mut examples = match load_public(&args.datasets) {
        Ok(examples) => examples,
        Err(error) => {
            eprintln!("touchpoint train: {error}\n(the public datasets are described in MODEL.md)");
            return ExitCode::from(2);
        }
    };
    match load_jsonl(&args.examples, "touchpoint", None) {
        Ok(own) => examples.extend(own),
        Err(error) => {
            eprintln!("touchpoint train: {error}");
            return ExitCode::from(2);
        }
    }
    for extra in &args.extra {
        match load_jsonl(extra, "extra", Some(Split::Train)) {
            Ok(lines) => examples.extend(lines),
            Err(error) => {
                eprintln!("touchpoint train: {error}");
                return ExitCode::from(2);
            }
        }
    }
    if let Some(dir) = &args.export_splits {
        if let Err(error) = export(dir, &examples) {
            eprintln!("touchpoint train: cannot export splits: {error}");
            return ExitCode::from(2);
        }
    }
    let train: Vec<&Example> = examples
        .iter()
        .filter(|e| e.split == Split::Train)
        .collect();
    let test: Vec<&Example> = examples.iter().filter(|e| e.split == Split::Test).collect();
    eprintln!(
        "examples: {} train, {} held-out test",
        train.len(),
        test.len()
    );

    let mut heads = Vec::new();
    for (name, labels) in [("topic", &TOPICS[..]), ("sentiment", &SENTIMENTS[..])] {
        let train_set = samples(&train, name, labels, args.bits);
        let test_set = samples(&test, name, labels, args.bits);
        eprintln!("training {name} on {} examples", train_set.len());
        let head = train_head(name, labels, &train_set, args.bits, args.epochs);
        print!(
            "{}",
            evaluate(&head, &test_set).render(&format!("{name} (held-out)"))
        );
        heads.push(head);
    }
    let model = Model {
        bucket_bits: args.bits,
        heads,
    };
    let bytes = model.to_bytes();
    if let Err(error) = std::fs::write(&args.out, &bytes) {
        eprintln!(
            "touchpoint train: cannot write {}: {error}",
            args.out.display()
        );
        return ExitCode::from(2);
    }
    println!("wrote {} ({} bytes)", args.out.display(), bytes.len());
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_separable_problem_and_quantises_it() {
        let texts = [
            ("refund my money please", 0usize),
            ("where is my parcel", 1),
            ("give me a refund now", 0),
            ("parcel still not here", 1),
        ];
        let data: Vec<Sample> = texts.iter().map(|(t, l)| (features(t, 10), *l)).collect();
        let head = train_head("toy", &["refund", "delivery"], &data, 10, 20);
        assert!(head.weights.iter().any(|&w| w != 0));
        assert_eq!(head.predict(&features("refund please", 10)).0, 0);
        assert_eq!(head.predict(&features("my parcel", 10)).0, 1);
    }
}
