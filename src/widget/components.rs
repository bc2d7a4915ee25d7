//! The panel's parts, each drawn from its props alone: the header with who is
//! there, the thread, and under the message box the classifier's preview of
//! the draft and how the visitor wants an answer.

mod header;
mod preview;
mod reply_fields;
mod thread;

pub use header::{Header, HeaderProps};
pub use preview::{Preview, PreviewProps};
pub use reply_fields::{ReplyFields, ReplyFieldsProps};
pub use thread::{Thread, ThreadProps};
