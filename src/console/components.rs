//! The console's parts, each drawn from its props: sign-in, the top bar, the
//! inbox filters and list, the open conversation with its messages, and the
//! visitor's journey.

mod conversation;
mod filters;
mod inbox;
mod journey;
mod message;
mod sign_in;
mod top_bar;

pub use conversation::{run, ConversationPane, ConversationPaneProps, PendingReply};
pub use filters::{Filters, FiltersProps};
pub use inbox::{InboxList, InboxListProps};
pub use journey::{Journey, JourneyProps};
pub use message::{MessageItem, MessageItemProps};
pub use sign_in::{SignIn, SignInProps};
pub use top_bar::{Page, TopBar, TopBarProps};

use wasm_bindgen::JsValue;

use crate::fetch::Failure;

/// Moves the keyboard focus to the element with this id, if it is there.
pub fn focus_on(id: &str) {
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
    {
        let _ = element.focus();
    }
}

/// Why a call failed, in the console's words.
pub fn explain(failure: &Failure) -> String {
    match failure {
        Failure::Network => "The worker could not be reached. Nothing was lost; try again.".into(),
        Failure::Api { message, .. } => message.clone(),
    }
}

/// An instant in the staff member's own time zone and language.
pub fn clock(ms: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    String::from(date.to_locale_string("default", &JsValue::UNDEFINED))
}
