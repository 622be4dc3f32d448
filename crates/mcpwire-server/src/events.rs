//! The fan-out of server events to sessions: one task per server reads the
//! notification bus and hands each event to every live session that wants
//! it (list changes, updates of subscribed resources).

use std::sync::{Arc, Mutex, MutexGuard, Weak};

use mcpwire_types::methods;
use serde_json::json;

use super::state::SessionState;
use super::{Server, ServerEvent};
use mcpwire_rpc::engine::Peer;

/// A session as the server's event fan-out sees it.
pub(crate) struct EventLink {
    pub(crate) peer: Peer,
    pub(crate) state: Arc<SessionState>,
}

impl EventLink {
    /// Sends one server event to this session, if it wants it.
    pub(crate) fn deliver(&self, ev: &ServerEvent) {
        let state = &self.state;
        if !state.is_open() || !state.takes_events() {
            return;
        }
        let (method, params) = match ev {
            ServerEvent::ToolsChanged => (methods::NOTIFICATIONS_TOOLS_LIST_CHANGED, None),
            ServerEvent::PromptsChanged => (methods::NOTIFICATIONS_PROMPTS_LIST_CHANGED, None),
            ServerEvent::ResourcesChanged => (methods::NOTIFICATIONS_RESOURCES_LIST_CHANGED, None),
            ServerEvent::ResourceUpdated(uri) => {
                if !state.is_subscribed(uri) {
                    return;
                }
                (
                    methods::NOTIFICATIONS_RESOURCES_UPDATED,
                    Some(json!({ "uri": uri })),
                )
            }
            // For the replica running the task, not for clients.
            ServerEvent::TaskCancelled(_) | ServerEvent::TaskInput { .. } => return,
        };
        let _ = self.peer.notify(method, params);
    }
}

/// The sessions that get server events, held weakly: a session that ends
/// drops out on its own.
#[derive(Default)]
pub(crate) struct Links {
    list: Mutex<(Vec<Weak<EventLink>>, usize)>,
}

impl Links {
    fn lock(&self) -> MutexGuard<'_, (Vec<Weak<EventLink>>, usize)> {
        self.list.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn register(&self, link: &Arc<EventLink>) {
        let mut guard = self.lock();
        let (list, prune_at) = &mut *guard;
        // Ended sessions are swept when the list doubles, which keeps
        // registration amortized O(1).
        if list.len() >= *prune_at {
            list.retain(|w| w.strong_count() > 0);
            *prune_at = (list.len() * 2).max(64);
        }
        list.push(Arc::downgrade(link));
    }

    fn live(&self) -> Vec<Arc<EventLink>> {
        self.lock().0.iter().filter_map(Weak::upgrade).collect()
    }
}

impl Server {
    /// Registers a session for server events, starting the one task per
    /// server that hands the bus's events to its sessions.
    pub(crate) fn register_session(&self, link: &Arc<EventLink>) {
        self.start_fan_out();
        self.inner.links.register(link);
    }

    /// Starts, once, the task that reads the bus: it hands server events
    /// to sessions, and what another replica relays about a task running
    /// here to the task.
    pub(crate) fn start_fan_out(&self) {
        self.inner.fan_out.call_once(|| {
            let mut events = self.inner.bus.subscribe();
            let inner = Arc::downgrade(&self.inner);
            tokio::spawn(async move {
                use futures_util::StreamExt;
                while let Some(ev) = events.next().await {
                    // Sessions and tasks hold the server, so none is left
                    // once it is gone.
                    let Some(inner) = inner.upgrade() else { break };
                    match ev {
                        ServerEvent::TaskCancelled(id) => inner.tasks.stop_here(&id),
                        ServerEvent::TaskInput { task, answers } => {
                            inner.tasks.answer_here(task, answers);
                        }
                        ev => {
                            for link in inner.links.live() {
                                link.deliver(&ev);
                            }
                        }
                    }
                }
            });
        });
    }
}
