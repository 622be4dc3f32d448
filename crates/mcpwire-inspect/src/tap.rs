//! A transport around another that records every frame it carries in a
//! [`ProtocolLog`], both ways, and changes nothing else.
//!
//! ```
//! use std::sync::Arc;
//! use mcpwire::transport::{memory, FrameInfo, FrameWriter, Transport};
//! use mcpwire_inspect::events::Events;
//! use mcpwire_inspect::log::ProtocolLog;
//! use mcpwire_inspect::tap::Tapped;
//! let log = Arc::new(ProtocolLog::new(1, 100, Arc::new(Events::new(1))));
//! let (ours, _theirs) = memory::duplex();
//! let (_reader, mut writer) = Tapped::new(ours, log.clone()).split();
//! writer.write(br#"{"jsonrpc":"2.0","method":"x"}"#, &FrameInfo::notification("x"));
//! assert_eq!(log.len(), 1);
//! ```

use std::future::Future;
use std::io;
use std::sync::Arc;

use mcpwire::engine::Extensions;
use mcpwire::transport::{
    FrameInfo, FrameReader, FrameWriter, ReadEvent, RequestStreams, Transport,
};
use mcpwire::types::Incoming;

use crate::log::{Direction, ProtocolLog};

/// `T`, with its frames recorded in a log.
#[derive(Debug)]
pub struct Tapped<T> {
    inner: T,
    log: Arc<ProtocolLog>,
}

impl<T: Transport> Tapped<T> {
    /// Records what `inner` carries in `log`.
    pub fn new(inner: T, log: Arc<ProtocolLog>) -> Self {
        Tapped { inner, log }
    }
}

impl<T: Transport> Transport for Tapped<T> {
    type Reader = TapReader<T::Reader>;
    type Writer = TapWriter<T::Writer>;

    fn split(self) -> (Self::Reader, Self::Writer) {
        let (r, w) = self.inner.split();
        (
            TapReader {
                inner: r,
                log: self.log.clone(),
            },
            TapWriter {
                inner: w,
                log: self.log,
            },
        )
    }
}

/// The receiving half of a [`Tapped`] transport.
#[derive(Debug)]
pub struct TapReader<R> {
    inner: R,
    log: Arc<ProtocolLog>,
}

impl<R: FrameReader> FrameReader for TapReader<R> {
    async fn next_frame(&mut self) -> io::Result<ReadEvent<'_>> {
        let log = &self.log;
        let event = self.inner.next_frame().await?;
        match &event {
            ReadEvent::Frame(bytes) => log.record(Direction::In, bytes),
            ReadEvent::Message(incoming) => {
                // HTTP hands messages over decoded: write them back out.
                let text = match incoming {
                    Incoming::Message(m) => serde_json::to_vec(m),
                    Incoming::Batch(b) => serde_json::to_vec(b),
                    Incoming::Invalid(r) => Ok(format!("{r:?}").into_bytes()),
                };
                if let Ok(text) = text {
                    log.record(Direction::In, &text);
                }
            }
            ReadEvent::TooLarge(n) => log.record(
                Direction::In,
                format!("a frame of {n} bytes, dropped as too large").as_bytes(),
            ),
            ReadEvent::Eof => {}
        }
        Ok(event)
    }

    fn close_reason(&mut self) -> impl Future<Output = Option<String>> + Send {
        self.inner.close_reason()
    }

    fn extensions(&mut self) -> Extensions {
        self.inner.extensions()
    }
}

/// The sending half of a [`Tapped`] transport.
#[derive(Debug)]
pub struct TapWriter<W> {
    inner: W,
    log: Arc<ProtocolLog>,
}

impl<W: FrameWriter> FrameWriter for TapWriter<W> {
    const DIRECT: bool = W::DIRECT;

    fn write(&mut self, frame: &[u8], info: &FrameInfo<'_>) {
        self.log.record(Direction::Out, frame);
        self.inner.write(frame, info);
    }

    fn request_streams(&mut self) -> Option<&mut dyn RequestStreams> {
        self.inner.request_streams()
    }

    fn flush(&mut self) -> impl Future<Output = io::Result<()>> + Send {
        self.inner.flush()
    }

    fn close(&mut self) -> impl Future<Output = io::Result<()>> + Send {
        self.inner.close()
    }
}
