//! The one-thread multi-session loop of the HTTP load driver: a level-triggered epoll set of
//! session sockets (a plain blocking read for a single session).

use std::time::Instant;

use super::conn::IO_TIMEOUT;
use super::session::{Calls, Session};
use crate::echo::show;
use crate::sys::{Epoll, EpollEvent};

/// Runs `calls[j]` on `sessions[j]` for every j, each session one call at a time and all of them
/// at once, from this one thread: write a request, and whenever sockets turn readable (epoll;
/// a plain blocking read for a single session), read once, verify every whole response buffered
/// and write that session's next request. With `latencies`, each call's round trip is pushed.
pub fn run_calls(
    sessions: &mut [Session],
    calls: &[Calls],
    mut latencies: Option<&mut Vec<u64>>,
) -> Result<(), String> {
    let k = sessions.len();
    if calls.len() != k {
        return Err(format!("{} sessions but calls for {}", k, calls.len()));
    }
    let epoll = if k > 1 {
        let ep = Epoll::new().map_err(|e| format!("epoll_create1: {e}"))?;
        for (j, s) in sessions.iter().enumerate() {
            ep.add(&s.conn.stream, j)
                .map_err(|e| format!("epoll_ctl: {e}"))?;
        }
        Some(ep)
    } else {
        None
    };
    let mut events = vec![EpollEvent::EMPTY; k];
    let mut ready = Vec::with_capacity(k);
    let mut next = vec![0usize; k];
    let mut sent_at = vec![Instant::now(); k];
    let mut active = 0;
    for (j, s) in sessions.iter_mut().enumerate() {
        if !calls[j].is_empty() {
            sent_at[j] = Instant::now();
            s.send(&calls[j], 0)?;
            active += 1;
        }
    }
    while active > 0 {
        match &epoll {
            Some(ep) => ep
                .wait(&mut events, &mut ready, IO_TIMEOUT)
                .map_err(|e| format!("epoll_wait: {e}"))?,
            None => {
                ready.clear();
                ready.push(0);
            }
        }
        for &j in &ready {
            let (s, calls) = (&mut sessions[j], &calls[j]);
            s.conn
                .fill()
                .map_err(|e| format!("session {j}: reading response: {e}"))?;
            while let Some(head) = s
                .conn
                .try_response()
                .map_err(|e| format!("session {j}: reading response: {e}"))?
            {
                let i = next[j];
                if i >= calls.len() {
                    return Err(format!(
                        "session {j}: a response nobody asked for: {}",
                        show(&s.conn.body)
                    ));
                }
                s.verify_call(&head, calls, i)
                    .map_err(|e| format!("session {j}: {e}"))?;
                if let Some(l) = latencies.as_deref_mut() {
                    l.push(sent_at[j].elapsed().as_nanos() as u64);
                }
                s.settle(&head)?;
                if head.close
                    && let Some(ep) = &epoll
                {
                    ep.add(&s.conn.stream, j)
                        .map_err(|e| format!("epoll_ctl: {e}"))?;
                }
                next[j] += 1;
                if next[j] < calls.len() {
                    sent_at[j] = Instant::now();
                    s.send(calls, next[j])?;
                } else {
                    active -= 1;
                }
            }
        }
    }
    Ok(())
}
