//! The operator API's answers about destinations
//! (`/v1/admin/sites/{site}/destinations…`), as the edge writes them and the
//! console's Settings reads them.

use serde::{Deserialize, Serialize};

use crate::domain::destination::{ChatwootTarget, DeliveryState, Filter, Kind};

/// A destination as the API shows it: never its secret. Schema `Destination`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    pub id: String,
    pub kind: Kind,
    pub name: String,
    /// Empty for R2.
    pub url: String,
    /// R2 only: the start of every object key (empty otherwise).
    #[serde(default)]
    pub prefix: String,
    /// The secret's last four characters, to tell keys apart.
    pub secret_hint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chatwoot: Option<ChatwootTarget>,
    /// Chatwoot: the path on this worker to set as the API inbox's webhook URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbound_url_path: Option<String>,
    pub filter: Filter,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// Deliveries by state.
    pub pending: u32,
    pub delivered: u32,
    pub dead: u32,
}

/// `GET …/destinations`. Schema `Destinations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destinations {
    pub destinations: Vec<Destination>,
}

/// One entry of a destination's delivery log. Schema `DestinationDelivery`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The idempotency key receivers see (`x-touchpoint-delivery`).
    pub id: String,
    pub event_id: String,
    /// An `EventType`'s name, or `export` for a day an R2 destination wrote.
    #[serde(rename = "type")]
    pub event_type: String,
    pub conversation_id: String,
    pub status: DeliveryState,
    pub attempts: u32,
    /// The last answer's HTTP status (0: none).
    pub last_status: u32,
    pub last_error: String,
    pub next_attempt_at: i64,
    pub created_at: i64,
    /// 0 until delivered.
    pub delivered_at: i64,
}

impl Delivery {
    /// Whether replay makes sense: out of attempts, or failing and waiting
    /// for its next try. A delivered one is never sent twice.
    pub fn replayable(&self) -> bool {
        match self.status {
            DeliveryState::Dead => true,
            DeliveryState::Pending => !self.last_error.is_empty(),
            DeliveryState::Delivered => false,
        }
    }
}

/// `GET …/destinations/{id}/deliveries`: the newest 200. Schema
/// `DestinationDeliveries`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deliveries {
    pub deliveries: Vec<Delivery>,
    /// Pass as `cursor` for the next (older) page; `None` at the oldest.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// `DELETE …/destinations/{id}`. Schema `DestinationDeleted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deleted {
    pub id: String,
    pub deleted: bool,
}

/// `POST …/deliveries/{id}/replay`: queued again. Schema `Replayed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replayed {
    pub id: String,
    pub status: DeliveryState,
}
