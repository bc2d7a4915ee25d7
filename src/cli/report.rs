//! Classification metrics: accuracy, macro-F1, a per-label table and a
//! confusion matrix, over string labels.

use std::collections::BTreeSet;

/// Gold and predicted labels for one head.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pairs: Vec<(String, String)>,
}

impl Report {
    pub fn add(&mut self, gold: &str, predicted: &str) {
        self.pairs.push((gold.to_string(), predicted.to_string()));
    }

    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    fn labels(&self) -> Vec<String> {
        let set: BTreeSet<&String> = self.pairs.iter().flat_map(|(g, p)| [g, p]).collect();
        set.into_iter().cloned().collect()
    }

    pub fn accuracy(&self) -> f64 {
        if self.pairs.is_empty() {
            return 0.0;
        }
        self.pairs.iter().filter(|(g, p)| g == p).count() as f64 / self.pairs.len() as f64
    }

    /// How many times `label` was predicted.
    pub fn predicted_count(&self, label: &str) -> usize {
        self.pairs.iter().filter(|(_, p)| p == label).count()
    }

    /// (precision, recall, f1, support) for `label`.
    pub fn per_label(&self, label: &str) -> (f64, f64, f64, usize) {
        let tp = self
            .pairs
            .iter()
            .filter(|(g, p)| g == label && p == label)
            .count() as f64;
        let predicted = self.pairs.iter().filter(|(_, p)| p == label).count() as f64;
        let support = self.pairs.iter().filter(|(g, _)| g == label).count();
        let precision = if predicted > 0.0 { tp / predicted } else { 0.0 };
        let recall = if support > 0 {
            tp / support as f64
        } else {
            0.0
        };
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        (precision, recall, f1, support)
    }

    /// Mean F1 over the labels that occur in the gold data.
    pub fn macro_f1(&self) -> f64 {
        let gold: BTreeSet<&String> = self.pairs.iter().map(|(g, _)| g).collect();
        if gold.is_empty() {
            return 0.0;
        }
        gold.iter().map(|l| self.per_label(l).2).sum::<f64>() / gold.len() as f64
    }

    /// The printable report.
    pub fn render(&self, head: &str) -> String {
        use std::fmt::Write;
        let labels = self.labels();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "== {head}: {} examples, accuracy {:.2}%, macro-F1 {:.2}%",
            self.len(),
            self.accuracy() * 100.0,
            self.macro_f1() * 100.0
        );
        let _ = writeln!(
            out,
            "{:<14} {:>9} {:>9} {:>9} {:>8}",
            "label", "precision", "recall", "f1", "support"
        );
        for label in &labels {
            let (p, r, f, s) = self.per_label(label);
            let _ = writeln!(
                out,
                "{label:<14} {:>8.2}% {:>8.2}% {:>8.2}% {s:>8}",
                p * 100.0,
                r * 100.0,
                f * 100.0
            );
        }
        let _ = writeln!(out, "confusion matrix (rows gold, columns predicted):");
        let short = |l: &str| l.chars().take(6).collect::<String>();
        let _ = write!(out, "{:<14}", "");
        for label in &labels {
            let _ = write!(out, " {:>6}", short(label));
        }
        let _ = writeln!(out);
        for gold in &labels {
            let _ = write!(out, "{gold:<14}");
            for predicted in &labels {
                let n = self
                    .pairs
                    .iter()
                    .filter(|(g, p)| g == gold && p == predicted)
                    .count();
                let _ = write!(out, " {n:>6}");
            }
            let _ = writeln!(out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics() {
        let mut r = Report::default();
        r.add("a", "a");
        r.add("a", "b");
        r.add("b", "b");
        r.add("b", "b");
        assert_eq!(r.accuracy(), 0.75);
        let (p, rec, _, s) = r.per_label("b");
        assert!((p - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(rec, 1.0);
        assert_eq!(s, 2);
        assert!(r.render("x").contains("accuracy 75.00%"));
    }
}
