//! An unbounded single-consumer queue that allocates nothing until used.
//!
//! tokio's unbounded channel allocates a block of 32 slots when it is
//! created; an idle HTTP session holds several channels, so that alone
//! costs kilobytes per session. This queue keeps a `VecDeque` that grows
//! on demand and is reused, so an idle queue is a few words and a busy
//! one does not allocate per message.
//!
//! The queue itself has no bound; each user bounds what it puts in:
//! - an engine's queue of notifications for an in-order handler, by a
//!   semaphore permit per item (1,024; reading pauses at the cap);
//! - an SSE stream, by its byte budget (`HttpConfig::sse_buffer`): a reader
//!   further behind has its response ended, to resume from the event store;
//! - the engine's outgoing queue, by what its handlers send while the
//!   transport writes: one answer per request in flight
//!   (`EngineConfig::max_concurrency`), plus their notifications. Over HTTP
//!   a stalled reader is cut by `HttpConfig::write_timeout`; a stdio peer
//!   that never reads is not cut, and the notifications its handlers keep
//!   sending wait here.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let (tx, mut rx) = mcpwire_rpc::queue::unbounded();
//! tx.send("first").unwrap();
//! tx.clone().send("second").unwrap();
//! assert_eq!(rx.recv().await, Some("first"));
//! assert_eq!(rx.try_recv(), Some("second"));
//! drop(tx);
//! assert_eq!(rx.recv().await, None); // every sender is gone
//! # }
//! ```

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

struct State<T> {
    items: VecDeque<T>,
    senders: usize,
    receiver_alive: bool,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    ready: Notify,
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The sending side; cheap to clone.
pub struct Sender<T>(Arc<Shared<T>>);

impl<T> std::fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// The receiving side.
pub struct Receiver<T>(Arc<Shared<T>>);

/// A new, empty queue.
pub fn unbounded<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            items: VecDeque::new(),
            senders: 1,
            receiver_alive: true,
        }),
        ready: Notify::new(),
    });
    (Sender(shared.clone()), Receiver(shared))
}

impl<T> Sender<T> {
    /// Queues `item`, or hands it back when the receiver is gone.
    pub fn send(&self, item: T) -> Result<(), T> {
        let mut st = self.0.lock();
        if !st.receiver_alive {
            return Err(item);
        }
        st.items.push_back(item);
        drop(st);
        self.0.ready.notify_one();
        Ok(())
    }

    /// Whether the receiver is gone.
    pub fn is_closed(&self) -> bool {
        !self.0.lock().receiver_alive
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.0.lock().senders += 1;
        Sender(self.0.clone())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut st = self.0.lock();
        st.senders -= 1;
        let last = st.senders == 0;
        drop(st);
        if last {
            self.0.ready.notify_one();
        }
    }
}

impl<T> Receiver<T> {
    /// The next item; `None` once every sender is gone and the queue is
    /// drained.
    pub async fn recv(&mut self) -> Option<T> {
        loop {
            {
                let mut st = self.0.lock();
                if let Some(item) = st.items.pop_front() {
                    return Some(item);
                }
                if st.senders == 0 {
                    return None;
                }
            }
            // A send between the check and here leaves a permit, so this
            // does not miss it.
            self.0.ready.notified().await;
        }
    }

    /// The next item if one is queued.
    pub fn try_recv(&mut self) -> Option<T> {
        self.0.lock().items.pop_front()
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut st = self.0.lock();
        st.receiver_alive = false;
        st.items.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn items_arrive_in_order_and_the_end_is_seen() {
        let (tx, mut rx) = unbounded();
        let tx2 = tx.clone();
        let producer = tokio::spawn(async move {
            for i in 0..1000 {
                tx2.send(i).unwrap();
                if i % 100 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        });
        let mut got = Vec::new();
        while got.len() < 1000 {
            got.push(rx.recv().await.unwrap());
        }
        producer.await.unwrap();
        assert_eq!(got, (0..1000).collect::<Vec<_>>());
        drop(tx);
        assert_eq!(rx.recv().await, None);
    }

    #[tokio::test]
    async fn a_gone_receiver_refuses_items() {
        let (tx, rx) = unbounded::<u8>();
        assert!(!tx.is_closed());
        drop(rx);
        assert!(tx.is_closed());
        assert_eq!(tx.send(1), Err(1));
    }

    #[tokio::test]
    async fn a_waiting_receiver_wakes_on_send_and_on_close() {
        let (tx, mut rx) = unbounded::<u8>();
        let waiter = tokio::spawn(async move { (rx.recv().await, rx.recv().await) });
        tokio::task::yield_now().await;
        tx.send(7).unwrap();
        drop(tx);
        assert_eq!(waiter.await.unwrap(), (Some(7), None));
    }
}
