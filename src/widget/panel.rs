//! The panel shell: a dialog with a heading and a close button. Availability,
//! the composer and the thread live inside it.

use yew::prelude::*;

/// Styles adopted by the shadow root (constructable stylesheet, CSP-safe).
pub const STYLE: &str = ".panel{position:fixed;right:20px;bottom:80px;width:360px;max-width:calc(100vw - 40px);\
height:480px;max-height:calc(100vh - 120px);background:#fff;color:#1b1b1b;border-radius:12px;\
box-shadow:0 8px 30px rgba(0,0,0,.3);display:flex;flex-direction:column;overflow:hidden}\
.panel header{display:flex;justify-content:space-between;align-items:center;padding:14px 16px;\
background:var(--touchpoint-accent,#1f4fd1);color:#fff}\
.panel h2{font-size:16px;margin:0}\
.panel .close{all:unset;cursor:pointer;padding:4px 8px;border-radius:6px}\
.panel .close:focus-visible{outline:3px solid #ffbf47}\
.panel .body{padding:16px;flex:1}\
@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;max-width:none;height:100vh;max-height:none;border-radius:0}}";

/// What the panel can be asked to do.
pub enum PanelAction {
    Close,
}

/// The panel's state.
#[derive(Clone, PartialEq)]
pub struct PanelState {
    pub open: bool,
}

impl Reducible for PanelState {
    type Action = PanelAction;

    fn reduce(self: std::rc::Rc<Self>, action: PanelAction) -> std::rc::Rc<Self> {
        match action {
            PanelAction::Close => std::rc::Rc::new(PanelState { open: false }),
        }
    }
}

/// The conversation panel.
#[function_component(Panel)]
pub fn panel() -> Html {
    let state = use_reducer(|| PanelState { open: true });
    if !state.open {
        return html! {};
    }
    let close = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(PanelAction::Close))
    };
    html! {
        <section class="panel" role="dialog" aria-modal="false" aria-labelledby="touchpoint-title">
            <header>
                <h2 id="touchpoint-title">{ "Talk to our team" }</h2>
                <button type="button" class="close" aria-label="Close" onclick={close}>{ "✕" }</button>
            </header>
            <div class="body"></div>
        </section>
    }
}
