//! Settings → Classifier model (MODEL.md, "Site models"): when the site's
//! own model was trained, on how many corrections and examples, its held-out
//! accuracy beside the default model's, and Train now.

use yew::prelude::*;

use crate::console::api;
use crate::console::components::{clock, explain};
use crate::domain::site_model::{HeadReport, ModelStatus};

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

fn describe(status: &ModelStatus) -> String {
    let mut text = match &status.model {
        Some(m) => {
            let scores: Vec<String> = [
                scored("topic", &m.topic),
                scored("sentiment", &m.sentiment),
                scored("kind", &m.kind),
            ]
            .into_iter()
            .flatten()
            .collect();
            format!(
                "Trained {} on {} corrections and {} examples. Held-out accuracy: {}.",
                clock(m.trained_at),
                m.corrections,
                m.examples,
                if scores.is_empty() {
                    "none held out yet".into()
                } else {
                    scores.join("; ")
                }
            )
        }
        None => "No site model yet: visitors' widgets use the default model.".into(),
    };
    if status.stale {
        text.push_str(&format!(
            " New corrections or examples ({} and {} stored) are trained on within a minute.",
            status.corrections, status.examples
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
        use_effect_with((), move |_| call(false));
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
        let kind = HeadReport {
            trained_on: 8,
            held_out: 2,
            accuracy: Some(1.0),
            default_accuracy: Some(0.5),
        };
        assert_eq!(
            scored("kind", &kind).as_deref(),
            Some("kind 100.0% (default model 50.0%) on 2 held out")
        );
        // A report stored before kinds were learned has none.
        assert_eq!(scored("kind", &HeadReport::default()), None);
    }
}
