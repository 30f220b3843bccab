//! Bodies written while they are read: a report or a calendar of any size is written on a
//! database thread, a chunk at a time, and sent as it comes, through a bounded channel so that
//! a slow client slows the writer instead of filling the memory.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::Bytes;
use tokio::sync::mpsc;

use crate::store::{DbConnection, Store, StoreError, StoreResult};

/// Chunks of about this many bytes go to the client.
const CHUNK: usize = 64 * 1024;
/// How many chunks may wait for the client before the writer waits.
const DEPTH: usize = 4;

type Chunk = Result<Bytes, StoreError>;

/// Where a body is written: text is gathered into chunks, and each full chunk is sent.
pub struct Sink {
    buffer: String,
    tx: mpsc::Sender<Chunk>,
}

impl Sink {
    /// The text written so far and not yet sent; write to it, then call [`Sink::flush_full`].
    pub fn buffer(&mut self) -> &mut String {
        &mut self.buffer
    }

    /// Sends what is written when it fills a chunk. Fails when the client has gone, which
    /// ends the work.
    pub fn flush_full(&mut self) -> StoreResult<()> {
        if self.buffer.len() >= CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> StoreResult<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buffer).into_bytes());
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| StoreError::Internal("the client went away".into()))
    }
}

/// A response body fed through the channel.
pub struct StreamedBody {
    first: Option<Bytes>,
    rx: mpsc::Receiver<Chunk>,
}

impl MessageBody for StreamedBody {
    type Error = StoreError;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, StoreError>>> {
        let this = self.get_mut();
        if let Some(first) = this.first.take() {
            return Poll::Ready(Some(Ok(first)));
        }
        this.rx.poll_recv(cx)
    }
}

/// Runs `work` with a pooled connection on a blocking thread, writing the body into a
/// [`Sink`], and returns the body as it is written. The body starts once the first chunk is
/// written (or the work is done): an error before that, such as a filter that names an unknown
/// owner, is returned here, so that it becomes an error status; an error after it breaks off
/// the body, since its status is sent.
pub async fn stream<F>(store: &Store, work: F) -> StoreResult<StreamedBody>
where
    F: FnOnce(&mut DbConnection, &mut Sink) -> StoreResult<()> + Send + 'static,
{
    let (tx, mut rx) = mpsc::channel::<Chunk>(DEPTH);
    let failed = tx.clone();
    let store = store.clone();
    actix_web::rt::spawn(async move {
        let result = store
            .run(move |conn| {
                let mut sink = Sink {
                    buffer: String::new(),
                    tx,
                };
                work(conn, &mut sink)?;
                sink.flush()
            })
            .await;
        if let Err(error) = result {
            // Nobody to tell when the client has gone.
            let _ = failed.send(Err(error)).await;
        }
    });
    match rx.recv().await {
        Some(Ok(first)) => Ok(StreamedBody {
            first: Some(first),
            rx,
        }),
        Some(Err(error)) => Err(error),
        None => Ok(StreamedBody { first: None, rx }),
    }
}
