//! Requests from a server that a person answers: sampling, elicitation
//! (form and URL modes) and the like, put to the page as dialogs.
//!
//! A server's request becomes a question on the live feed
//! (`{"type":"ask","ask":{"id","server","method","params"}}`); the page
//! answers it with `POST /api/asks/ID`, and that answer goes back to the
//! server. A question nobody answers within [`ASK_WAIT`] is withdrawn
//! (`{"type":"ask-gone","id"}`) and the server gets an error, and at most
//! [`MAX_OPEN_ASKS`] are open at once: a server that asks a million
//! questions gets errors, not memory.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use mcpwire_inspect::asks::{Answer, Asks};
//! use mcpwire_inspect::events::Events;
//! use serde_json::json;
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let asks = Arc::new(Asks::new(Arc::new(Events::new(1)), 4, Duration::from_secs(5)));
//! let asking = tokio::spawn({
//!     let asks = asks.clone();
//!     async move { asks.ask(1, "sampling/createMessage", json!({"maxTokens": 5})).await }
//! });
//! // The page sees the question, and answers it.
//! let open = loop {
//!     if let Some(q) = asks.open().pop() { break q; }
//!     tokio::task::yield_now().await;
//! };
//! assert_eq!(open["method"], "sampling/createMessage");
//! let id = open["id"].as_u64().unwrap();
//! asks.answer(id, Answer::Result(json!({"role": "assistant"}))).unwrap();
//! assert_eq!(asking.await.unwrap().unwrap(), json!({"role": "assistant"}));
//! # });
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::events::Events;

/// How long a question waits for the person: 5 minutes.
pub const ASK_WAIT: Duration = Duration::from_secs(300);

/// How many questions may be open at once, over every server: 64.
pub const MAX_OPEN_ASKS: usize = 64;

/// What the person answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The result to send back (a `CreateMessageResult`, an `ElicitResult`).
    Result(Value),
    /// A refusal, sent back as a JSON-RPC error with this message.
    Refuse(String),
}

/// Why a question got no answer.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum AskError {
    /// [`MAX_OPEN_ASKS`] questions are open already.
    #[error("the inspector has {0} questions open already; answer those first")]
    TooMany(usize),
    /// Nobody answered in time.
    #[error("nobody answered within {0:?}")]
    TimedOut(Duration),
    /// The person refused, saying why.
    #[error("{0}")]
    Refused(String),
    /// The server went away, or the inspector is closing.
    #[error("the question was withdrawn")]
    Withdrawn,
}

/// Why an answer was not taken.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum AnswerError {
    /// No open question has this id (answered already, or gone).
    #[error("no open question has id {0}")]
    Unknown(u64),
}

struct Open {
    question: Value,
    server: u32,
    reply: oneshot::Sender<Answer>,
}

/// The open questions.
pub struct Asks {
    next: AtomicU64,
    open: Mutex<BTreeMap<u64, Open>>,
    events: Arc<Events>,
    max: usize,
    wait: Duration,
}

impl std::fmt::Debug for Asks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Asks")
            .field("open", &self.lock().len())
            .field("max", &self.max)
            .field("wait", &self.wait)
            .finish()
    }
}

impl Asks {
    /// No questions yet; at most `max` open at once, each waiting `wait`.
    pub fn new(events: Arc<Events>, max: usize, wait: Duration) -> Asks {
        Asks {
            next: AtomicU64::new(1),
            open: Mutex::new(BTreeMap::new()),
            events,
            max,
            wait,
        }
    }

    /// Puts server `server`'s request `method` with `params` to the page
    /// and waits for the answer.
    pub async fn ask(&self, server: u32, method: &str, params: Value) -> Result<Value, AskError> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let question = json!({"id": id, "server": server, "method": method, "params": params});
        let (reply, answer) = oneshot::channel();
        {
            let mut open = self.lock();
            if open.len() >= self.max {
                return Err(AskError::TooMany(self.max));
            }
            open.insert(
                id,
                Open {
                    question: question.clone(),
                    server,
                    reply,
                },
            );
        }
        // Withdrawn however this ends: answered, timed out, or the server's
        // request dropped (cancelled, the connection gone).
        let _gone = Withdraw { asks: self, id };
        self.events
            .publish(&json!({"type": "ask", "ask": question}).to_string());
        match tokio::time::timeout(self.wait, answer).await {
            Ok(Ok(Answer::Result(v))) => Ok(v),
            Ok(Ok(Answer::Refuse(why))) => Err(AskError::Refused(why)),
            Ok(Err(_)) => Err(AskError::Withdrawn),
            Err(_) => Err(AskError::TimedOut(self.wait)),
        }
    }

    /// Answers question `id`.
    pub fn answer(&self, id: u64, answer: Answer) -> Result<(), AnswerError> {
        let open = self.lock().remove(&id).ok_or(AnswerError::Unknown(id))?;
        // The asker may have given up just now; then the answer is moot.
        let _ = open.reply.send(answer);
        Ok(())
    }

    /// The open questions, oldest first, as the page shows them.
    pub fn open(&self) -> Vec<Value> {
        self.lock().values().map(|o| o.question.clone()).collect()
    }

    /// Withdraws every open question of server `server` (it went away).
    pub fn withdraw_server(&self, server: u32) {
        let gone: Vec<u64> = {
            let mut open = self.lock();
            let ids: Vec<u64> = open
                .iter()
                .filter(|(_, o)| o.server == server)
                .map(|(id, _)| *id)
                .collect();
            for id in &ids {
                open.remove(id);
            }
            ids
        };
        for id in gone {
            self.publish_gone(id);
        }
    }

    fn publish_gone(&self, id: u64) {
        self.events
            .publish(&json!({"type": "ask-gone", "id": id}).to_string());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Open>> {
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Takes question `id` off the open ones when its asker is done, and tells
/// the pages so that its dialog closes.
struct Withdraw<'a> {
    asks: &'a Asks,
    id: u64,
}

impl Drop for Withdraw<'_> {
    fn drop(&mut self) {
        self.asks.lock().remove(&self.id);
        self.asks.publish_gone(self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asks(max: usize, wait: Duration) -> Arc<Asks> {
        Arc::new(Asks::new(Arc::new(Events::new(1)), max, wait))
    }

    async fn first_open(asks: &Asks) -> u64 {
        loop {
            if let Some(q) = asks.open().first() {
                return q["id"].as_u64().unwrap();
            }
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn a_refusal_reaches_the_asker_and_the_question_closes() {
        let a = asks(4, Duration::from_secs(5));
        let t = tokio::spawn({
            let a = a.clone();
            async move { a.ask(3, "elicitation/create", json!({})).await }
        });
        let id = first_open(&a).await;
        a.answer(id, Answer::Refuse("no".into())).unwrap();
        assert_eq!(t.await.unwrap(), Err(AskError::Refused("no".into())));
        assert!(a.open().is_empty());
        assert_eq!(
            a.answer(id, Answer::Result(json!({}))),
            Err(AnswerError::Unknown(id))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_unanswered_question_times_out_and_is_withdrawn() {
        let a = asks(4, Duration::from_secs(300));
        let r = a.ask(1, "sampling/createMessage", json!({})).await;
        assert_eq!(r, Err(AskError::TimedOut(Duration::from_secs(300))));
        assert!(a.open().is_empty());
    }

    #[tokio::test]
    async fn questions_past_the_bound_are_refused_at_once() {
        let a = asks(2, Duration::from_secs(5));
        let mut held = Vec::new();
        for _ in 0..2 {
            let a2 = a.clone();
            held.push(tokio::spawn(async move { a2.ask(1, "m", json!({})).await }));
        }
        while a.open().len() < 2 {
            tokio::task::yield_now().await;
        }
        assert_eq!(a.ask(1, "m", json!({})).await, Err(AskError::TooMany(2)));
        a.withdraw_server(1);
        for h in held {
            assert_eq!(h.await.unwrap(), Err(AskError::Withdrawn));
        }
    }

    #[tokio::test]
    async fn a_dropped_asker_takes_its_question_away() {
        let a = asks(4, Duration::from_secs(5));
        let t = tokio::spawn({
            let a = a.clone();
            async move { a.ask(1, "m", json!({})).await }
        });
        first_open(&a).await;
        t.abort();
        let _ = t.await;
        assert!(a.open().is_empty());
    }
}
