//! Settings → Classifier model (MODEL.md, "Site models"): when the site's
//! own model was trained, on how many corrections and examples, its held-out
//! accuracy beside the default model's, and Train now.

use yew::prelude::*;

use crate::console::api;
use crate::console::components::{clock, explain};
use crate::console::hooks::use_effect_on;
use crate::domain::site_model::{HeadReport, ModelStatus, TrainedModel};

#[derive(PartialEq, Properties)]
pub struct ModelProps {
    pub token: String,
    pub site: String,
}

/// A share as "91.3%", with integers only: float formatting would add
/// several KB to the console.
fn percent(share: f64) -> String {
    let tenths = (share * 1000.0).round() as u32;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// "topic 91.3% (default model 89.9%) on 218 held out", or nothing without a held-out share.
fn scored(name: &str, head: &HeadReport) -> Option<String> {
    let (site, default) = (head.accuracy?, head.default_accuracy?);
    Some(format!(
        "{name} {} (default model {}) on {} held out",
        percent(site),
        percent(default),
        head.held_out
    ))
}

/// Every head's held-out score that has one, topic first.
fn scores(model: &TrainedModel) -> Vec<String> {
    [
        scored("topic", &model.topic),
        scored("sentiment", &model.sentiment),
        scored("kind", &model.kind),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// "1 correction", "3 corrections".
fn counted(n: u32, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn describe(status: &ModelStatus) -> String {
    let mut text = match &status.model {
        Some(m) => {
            let scores = scores(m);
            format!(
                "Trained {} on {} and {}. Held-out accuracy: {}.",
                clock(m.trained_at),
                counted(m.corrections, "correction"),
                counted(m.examples, "example"),
                if scores.is_empty() {
                    "none held out yet".into()
                } else {
                    scores.join("; ")
                }
            )
        }
        None => "No site model yet: visitors' widgets use the default model.".into(),
    };
    if let Some(why) = &status.refused {
        text.push_str(" Visitors get the default model: ");
        text.push_str(why);
        text.push('.');
    }
    if status.stale {
        text.push_str(&format!(
            " New corrections or examples ({} and {} stored) are trained on within a minute.",
            status.corrections, status.examples
        ));
    }
    if status.needs_more {
        text.push_str(&format!(
            " Too few to train on yet ({} and {}): more are needed.",
            counted(status.corrections, "correction"),
            counted(status.examples, "example")
        ));
    }
    text
}

#[function_component(ModelSection)]
pub fn model_section(props: &ModelProps) -> Html {
    let shown = use_state(String::new);
    let call = {
        let (shown, token, site) = (shown.clone(), props.token.clone(), props.site.clone());
        move |train: bool| {
            let (shown, token, site) = (shown.clone(), token.clone(), site.clone());
            shown.set("…".into());
            wasm_bindgen_futures::spawn_local(async move {
                let answer = if train {
                    api::train_model(&token, &site).await
                } else {
                    api::site_model(&token, &site).await
                };
                shown.set(answer.map_or_else(|f| explain(&f), |s| describe(&s)));
            });
        }
    };
    {
        let call = call.clone();
        use_effect_on((), move |_| call(false));
    }
    html! {
        <div class="site-model">
            <h3>{ "Classifier model" }</h3>
            <p class="model-status">{ (*shown).clone() }</p>
            <button class="train" disabled={*shown == "…"} onclick={move |_| call(true)}>{ "Train now" }</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_head_held_out_is_described_and_a_head_without_any_is_left_out() {
        let held = |held_out, accuracy| HeadReport {
            trained_on: 8,
            held_out,
            accuracy: Some(accuracy),
            default_accuracy: Some(0.5),
        };
        let mut model = TrainedModel::new(0, "00000000".into(), 10, 2, Default::default());
        model.topic = held(3, 0.6667);
        model.kind = held(2, 1.0);
        assert_eq!(
            scores(&model),
            [
                "topic 66.7% (default model 50.0%) on 3 held out",
                "kind 100.0% (default model 50.0%) on 2 held out"
            ]
        );
        // A report stored before kinds were learned, read as the console reads it.
        let stored = r#"{"trained_at":1,"checksum":"00000000","examples":1,"corrections":0,
            "topic":{"trained_on":1,"held_out":1,"accuracy":1.0,"default_accuracy":0.0},
            "sentiment":{"trained_on":0,"held_out":0,"accuracy":null,"default_accuracy":null}}"#;
        let value = crate::domain::json_text::parse(stored).unwrap();
        let old: TrainedModel = crate::domain::json_text::read(&value).unwrap();
        assert_eq!(old.kind, HeadReport::default());
        assert_eq!(
            scores(&old),
            ["topic 100.0% (default model 0.0%) on 1 held out"]
        );
    }

    #[test]
    fn the_status_says_what_visitors_get_and_what_waits() {
        let status = |refused: Option<&str>, stale, needs_more| ModelStatus {
            model: None,
            serving: "default".into(),
            refused: refused.map(Into::into),
            examples: 3,
            corrections: 1,
            stale,
            needs_more,
        };
        assert_eq!(
            describe(&status(None, false, true)),
            "No site model yet: visitors' widgets use the default model. \
             Too few to train on yet (1 correction and 3 examples): more are needed."
        );
        assert!(describe(&status(Some("worse"), true, false)).contains(
            "Visitors get the default model: worse. New corrections or examples (1 and 3 stored)"
        ));
    }
}
