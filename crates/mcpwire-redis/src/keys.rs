//! The names of every key and channel mcpwire keeps in Redis.
//!
//! What belongs to one session carries the session's id as a hash tag
//! (`{…}`), so that on a Redis Cluster all of it sits in one slot and a
//! script or transaction may touch it together.

/// Builds key and channel names under one prefix.
///
/// ```
/// use mcpwire_redis::Keys;
/// let k = Keys::new("mcpwire");
/// assert_eq!(k.session("abc"), "mcpwire:{abc}:session");
/// assert_eq!(k.stream("abc", 7), "mcpwire:{abc}:stream:7");
/// ```
#[derive(Debug, Clone)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    /// Names under `prefix`.
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").task("t1"), "p:task:{t1}");
    /// ```
    pub fn new(prefix: &str) -> Keys {
        Keys {
            prefix: prefix.to_owned(),
        }
    }

    /// The prefix.
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").prefix(), "p");
    /// ```
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// A session's record.
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").session("s"), "p:{s}:session");
    /// ```
    pub fn session(&self, session: &str) -> String {
        format!("{}:{{{session}}}:session", self.prefix)
    }

    /// The events of one stream of a session.
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").stream("s", 2), "p:{s}:stream:2");
    /// ```
    pub fn stream(&self, session: &str, stream: u64) -> String {
        format!("{}:{{{session}}}:stream:{stream}", self.prefix)
    }

    /// The set of a session's streams, so that ending the session can
    /// remove them all.
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").streams("s"), "p:{s}:streams");
    /// ```
    pub fn streams(&self, session: &str) -> String {
        format!("{}:{{{session}}}:streams", self.prefix)
    }

    /// One task's record.
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").task("t"), "p:task:{t}");
    /// ```
    pub fn task(&self, task: &str) -> String {
        format!("{}:task:{{{task}}}", self.prefix)
    }

    /// The tasks of one owner, in creation order.
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").owner_tasks("o"), "p:tasks:{o}");
    /// ```
    pub fn owner_tasks(&self, owner: &str) -> String {
        format!("{}:tasks:{{{owner}}}", self.prefix)
    }

    /// The lock one update of a task holds, in the task's slot.
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").task_lock("t"), "p:task:{t}:lock");
    /// ```
    pub fn task_lock(&self, task: &str) -> String {
        format!("{}:task:{{{task}}}:lock", self.prefix)
    }

    /// Every live task by expiry, which bounds how many there are.
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").all_tasks(), "p:tasks:all");
    /// ```
    pub fn all_tasks(&self) -> String {
        format!("{}:tasks:all", self.prefix)
    }

    /// Every open session by when it was last known to expire, which
    /// bounds how many there are.
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").all_sessions(), "p:sessions:all");
    /// ```
    pub fn all_sessions(&self) -> String {
        format!("{}:sessions:all", self.prefix)
    }

    /// The open sessions of one principal, for its quota.
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").principal_sessions("u"), "p:sessions:{u}");
    /// ```
    pub fn principal_sessions(&self, principal: &str) -> String {
        format!("{}:sessions:{{{principal}}}", self.prefix)
    }

    /// The `requestState` key ring.
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").key_ring(), "p:keyring");
    /// ```
    pub fn key_ring(&self) -> String {
        format!("{}:keyring", self.prefix)
    }

    /// The channel of server events (list changes, resource updates).
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").events_channel(), "p:events");
    /// ```
    pub fn events_channel(&self) -> String {
        format!("{}:events", self.prefix)
    }

    /// Which instance writes one stream of a session.
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").stream_owner("s", 2), "p:{s}:owner:2");
    /// ```
    pub fn stream_owner(&self, session: &str, stream: u64) -> String {
        format!("{}:{{{session}}}:owner:{stream}", self.prefix)
    }

    /// An instance's heartbeat: present while the instance lives.
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").alive("i1"), "p:alive:{i1}");
    /// ```
    pub fn alive(&self, instance: &str) -> String {
        format!("{}:alive:{{{instance}}}", self.prefix)
    }

    /// The channel replicas relay messages on (answers, cancellations,
    /// messages for a GET stream, session changes).
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").relay_channel(), "p:relay");
    /// ```
    pub fn relay_channel(&self) -> String {
        format!("{}:relay", self.prefix)
    }

    /// The channel on which a session record's change or removal tells
    /// every instance to stop trusting its copy, and each instance answers
    /// that it did.
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").session_changes(), "p:sessions:changes");
    /// ```
    pub fn session_changes(&self) -> String {
        format!("{}:sessions:changes", self.prefix)
    }

    /// The instances that keep copies of session records, scored by their
    /// last heartbeat: those a change waits for.
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").session_readers(), "p:sessions:readers");
    /// ```
    pub fn session_readers(&self) -> String {
        format!("{}:sessions:readers", self.prefix)
    }

    /// The channel of the frames tunneled to one instance (requests for
    /// the sessions it holds, and the answers to those it forwarded).
    ///
    /// ```
    /// assert_eq!(mcpwire_redis::Keys::new("p").tunnel_channel("i1"), "p:tunnel:i1");
    /// ```
    pub fn tunnel_channel(&self, instance: &str) -> String {
        format!("{}:tunnel:{instance}", self.prefix)
    }
}

/// `bytes` random bytes from the operating system, as lower-case hex: the
/// names of keys and instances that must not meet.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).expect("the operating system's random source failed");
    b.iter().map(|x| format!("{x:02x}")).collect()
}
