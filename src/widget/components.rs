//! The panel's parts, each drawn from its props alone: the header with who is
//! there, the thread, and under the message box the classifier's preview of
//! the draft and how the visitor wants an answer.
//!
//! Plain functions the panel calls, not child components: the panel was the
//! only component with children, and Yew's code for mounting and updating
//! them (`VComp`, a `Scope` and a `Properties` builder per component) was
//! about 3 KB brotli of the widget. The thread and the reply fields are
//! drawn again only when their props change (`Drawn`), as they were as
//! components: formatting each message's time on every key would cost more
//! than the diff, and the call-back window's `min` is "now" as of the
//! fields' last change.

mod header;
mod preview;
mod reply_fields;
mod thread;

pub use header::{header, HeaderProps};
pub use preview::{preview, PreviewProps};
pub use reply_fields::{reply_fields, ReplyFieldsProps};
pub use thread::{thread, ThreadProps};

use std::cell::RefCell;

use yew::Html;

/// A part's props and what they drew, kept while the panel shows the part.
pub type Drawn<P> = RefCell<Option<(P, Html)>>;

/// `draw(props)`, or what the same props drew last time; `None` (the part is
/// not shown) forgets it, as unmounting a component would.
pub fn memo<P: PartialEq>(kept: &Drawn<P>, props: Option<P>, draw: fn(&P) -> Html) -> Html {
    let mut kept = kept.borrow_mut();
    let Some(props) = props else {
        *kept = None;
        return Html::default();
    };
    if let Some((old, html)) = &*kept {
        if *old == props {
            return html.clone();
        }
    }
    let html = draw(&props);
    *kept = Some((props, html.clone()));
    html
}
