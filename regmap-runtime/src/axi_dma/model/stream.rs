//! The AXI4-Stream side of the model: what MM2S sends into and S2MM receives
//! from. [`Loopback`] connects the two channels through a FIFO, as an
//! `axis_data_fifo` between `M_AXIS_MM2S` and `S_AXIS_S2MM` would;
//! [`TestStream`] plays a scripted source and a recording sink instead.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

/// The stream logic attached to the model's two AXI4-Stream ports.
///
/// The model calls these from whichever thread drives it, with its own lock
/// held; an implementation must not call back into the model.
pub trait StreamPeer: Send {
    /// TREADY towards MM2S: how many bytes it may send now. 0 stalls MM2S.
    fn ready(&mut self) -> usize;
    /// MM2S sends `data` (never more than [`StreamPeer::ready`] allowed);
    /// `last` is TLAST on its final byte.
    fn send(&mut self, data: Vec<u8>, last: bool);
    /// TVALID towards S2MM: the next run of bytes and whether TLAST ends it,
    /// or `None` while the source has nothing.
    fn peek(&mut self) -> Option<(&[u8], bool)>;
    /// S2MM accepted the first `n` bytes of the run [`StreamPeer::peek`] returned.
    fn consume(&mut self, n: usize);
    /// The DMA's soft reset (or the stream's own reset) drops whatever is queued.
    fn reset(&mut self) {}
    /// A buffer [`StreamPeer::send`] handed over earlier and is done with, for
    /// MM2S to fill again (saves an allocation per burst). `None` by default.
    fn recycle(&mut self) -> Option<Vec<u8>> {
        None
    }
}

/// A run of stream bytes; `last` marks TLAST on its final byte.
#[derive(Debug)]
struct Run {
    data: Vec<u8>,
    taken: usize,
    last: bool,
}

/// A FIFO of runs, shared by [`Loopback`] and [`TestStream`].
#[derive(Debug, Default)]
struct Fifo {
    runs: VecDeque<Run>,
    bytes: usize,
    /// Buffers of runs fully consumed, kept for reuse (at most a few).
    spent: Vec<Vec<u8>>,
}

impl Fifo {
    fn push(&mut self, data: Vec<u8>, last: bool) {
        if data.is_empty() && !last {
            return;
        }
        self.bytes += data.len();
        self.runs.push_back(Run {
            data,
            taken: 0,
            last,
        });
    }

    fn peek(&self) -> Option<(&[u8], bool)> {
        self.runs.front().map(|r| (&r.data[r.taken..], r.last))
    }

    fn consume(&mut self, n: usize) {
        if let Some(run) = self.runs.front_mut() {
            let n = n.min(run.data.len() - run.taken);
            run.taken += n;
            self.bytes -= n;
            if run.taken == run.data.len()
                && let Some(done) = self.runs.pop_front()
                && self.spent.len() < 4
            {
                self.spent.push(done.data);
            }
        }
    }

    fn clear(&mut self) {
        self.runs.clear();
        self.bytes = 0;
    }
}

/// MM2S looped back into S2MM through a FIFO of `capacity` bytes: packets
/// (and their TLAST) arrive at S2MM as MM2S sent them. When the FIFO is full
/// MM2S stalls until S2MM drains it.
#[derive(Debug)]
pub struct Loopback {
    fifo: Fifo,
    capacity: usize,
}

impl Loopback {
    /// Default FIFO depth: 64 KiB.
    pub const DEFAULT_CAPACITY: usize = 64 * 1024;

    /// A loopback holding at most `capacity` bytes in flight (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            fifo: Fifo::default(),
            capacity: capacity.max(1),
        }
    }

    /// Bytes sent by MM2S and not yet taken by S2MM.
    pub fn buffered(&self) -> usize {
        self.fifo.bytes
    }
}

impl Default for Loopback {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

impl StreamPeer for Loopback {
    fn ready(&mut self) -> usize {
        self.capacity.saturating_sub(self.fifo.bytes)
    }
    fn send(&mut self, data: Vec<u8>, last: bool) {
        self.fifo.push(data, last);
    }
    fn peek(&mut self) -> Option<(&[u8], bool)> {
        self.fifo.peek()
    }
    fn consume(&mut self, n: usize) {
        self.fifo.consume(n);
    }
    fn reset(&mut self) {
        self.fifo.clear();
    }
    fn recycle(&mut self) -> Option<Vec<u8>> {
        self.fifo.spent.pop()
    }
}

#[derive(Debug, Default)]
struct TestStreamInner {
    source: Fifo,
    sink: Vec<(Vec<u8>, bool)>,
    accept: Option<usize>,
}

/// A scripted stream for tests: S2MM receives the packets you queue (with or
/// without TLAST, from any thread, at any time), MM2S sends into a recorder
/// that accepts as many bytes as you allow.
///
/// Cloning gives another handle on the same stream: install one clone in the
/// model with [`AxiDmaModel::set_stream`](super::AxiDmaModel::set_stream) and
/// keep the other.
///
/// ```
/// use regmap_runtime::axi_dma::model::TestStream;
/// let stream = TestStream::new();
/// stream.push(vec![1, 2, 3], false); // three bytes, no TLAST: S2MM waits for more
/// stream.set_accept(Some(0));        // TREADY stuck low: MM2S stalls
/// ```
#[derive(Debug, Clone, Default)]
pub struct TestStream {
    inner: Arc<Mutex<TestStreamInner>>,
    // `peek` hands out a slice that outlives the lock guard: a copy held here.
    staged: Vec<u8>,
}

impl TestStream {
    /// An empty stream whose sink accepts everything.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, TestStreamInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `data` for S2MM; `last` asserts TLAST on its final byte.
    pub fn push(&self, data: Vec<u8>, last: bool) {
        self.lock().source.push(data, last);
    }

    /// Bytes queued for S2MM and not yet received.
    pub fn pending(&self) -> usize {
        self.lock().source.bytes
    }

    /// How many more bytes MM2S may send: `None` for no limit, `Some(0)` holds
    /// TREADY low.
    pub fn set_accept(&self, limit: Option<usize>) {
        self.lock().accept = limit;
    }

    /// What MM2S sent so far, as runs with their TLAST flag.
    pub fn sent(&self) -> Vec<(Vec<u8>, bool)> {
        self.lock().sink.clone()
    }

    /// What MM2S sent so far, concatenated.
    pub fn sent_bytes(&self) -> Vec<u8> {
        self.lock()
            .sink
            .iter()
            .flat_map(|(d, _)| d.iter().copied())
            .collect()
    }
}

impl StreamPeer for TestStream {
    fn ready(&mut self) -> usize {
        self.lock().accept.unwrap_or(usize::MAX)
    }
    fn send(&mut self, data: Vec<u8>, last: bool) {
        let mut inner = self.lock();
        if let Some(limit) = inner.accept.as_mut() {
            *limit = limit.saturating_sub(data.len());
        }
        inner.sink.push((data, last));
    }
    fn peek(&mut self) -> Option<(&[u8], bool)> {
        let last = {
            let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            let (data, last) = inner.source.peek()?;
            self.staged.clear();
            self.staged.extend_from_slice(data);
            last
        };
        Some((&self.staged[..], last))
    }
    fn consume(&mut self, n: usize) {
        self.lock().source.consume(n);
    }
    fn reset(&mut self) {
        self.lock().source.clear();
    }
}
