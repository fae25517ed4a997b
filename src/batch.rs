//! Reading a batch of files on all cores while watching for a file that never finishes.
//!
//! Each worker takes the next file as soon as it finishes one, so piles of uneven files balance
//! themselves, and keeps its thread for the whole batch. The calling thread only collects records
//! and watches the clock: a file still being read after its limit gets a "took too long" record,
//! its worker is left to finish on its own (its result is then dropped), and a fresh worker takes
//! its place, so a reader that hangs without checking its deadline cannot stop the batch.
//!
//! (An earlier design handed every file from a rayon task to a waiting file thread and back: two
//! thread wake-ups per file, which on two cores left them idle for about 40% of the run.)

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// One file's work: its outcome (a record), from its index in the batch.
pub(crate) type Work<T> = dyn Fn(usize) -> T + Send + Sync;
/// How long a file may take, from its index (a file LibreOffice must convert first gets longer).
pub(crate) type Limit = dyn Fn(usize) -> Duration + Send + Sync;

/// How often the calling thread looks at the clock while no record arrives.
const TICK: Duration = Duration::from_millis(50);

/// Stack of a worker: deeply nested documents are read with explicit stacks, but leave room.
const WORKER_STACK: usize = 16 * 1024 * 1024;

/// What one worker is doing, as the watcher sees it.
#[derive(Default)]
struct Slot {
    /// The file being read: its index, when it started and how long it may take.
    reading: Option<(usize, Instant, Duration)>,
    /// Given up on: the worker reads no further file.
    abandoned: bool,
}

struct Shared<T> {
    next: AtomicUsize,
    count: usize,
    work: Arc<Work<T>>,
    limit: Arc<Limit>,
    slots: Mutex<Vec<Slot>>,
}

/// Read files `0..count` with `threads` workers (see the module docs). `timed_out(i)` is the
/// outcome of a file given up on; `progress` is called on this thread as each outcome arrives.
/// Outcomes come back in index order.
pub(crate) fn run<T: Send + 'static>(
    count: usize,
    threads: usize,
    work: Arc<Work<T>>,
    limit: Arc<Limit>,
    timed_out: impl Fn(usize) -> T,
    progress: impl Fn(&T),
) -> Vec<T> {
    let shared = Arc::new(Shared { next: AtomicUsize::new(0), count, work, limit, slots: Mutex::new(Vec::new()) });
    let (tx, rx) = mpsc::channel::<(usize, T)>();
    let mut started = 0;
    for _ in 0..threads.clamp(1, count.max(1)) {
        if start_worker(&shared, &tx) {
            started += 1;
        }
    }
    let mut results: Vec<Option<T>> = (0..count).map(|_| None).collect();
    if started == 0 {
        // No thread could be started: read here, relying on the readers' own deadlines.
        for (i, slot) in results.iter_mut().enumerate() {
            let record = (shared.work)(i);
            progress(&record);
            *slot = Some(record);
        }
        return results.into_iter().flatten().collect();
    }
    let mut done = 0;
    while done < count {
        match rx.recv_timeout(TICK) {
            Ok((i, record)) => {
                if let Some(slot) = results.get_mut(i).filter(|s| s.is_none()) {
                    progress(&record);
                    *slot = Some(record);
                    done += 1;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            // Cannot happen while `tx` is held here; stop rather than spin.
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        for i in give_up_on_late(&shared) {
            if let Some(slot) = results.get_mut(i).filter(|s| s.is_none()) {
                let record = timed_out(i);
                progress(&record);
                *slot = Some(record);
                done += 1;
            }
            // A fresh worker in place of the stuck one (if none can start, the others go on).
            start_worker(&shared, &tx);
        }
        if all_given_up(&shared) {
            // Every worker is stuck and none could be started: read what is left here, relying
            // on the readers' own deadlines.
            while let Some(i) = Some(shared.next.fetch_add(1, Ordering::Relaxed)).filter(|&i| i < count) {
                if let Some(slot) = results.get_mut(i).filter(|s| s.is_none()) {
                    let outcome = (shared.work)(i);
                    progress(&outcome);
                    *slot = Some(outcome);
                    done += 1;
                }
            }
        }
    }
    results.into_iter().enumerate().map(|(i, r)| r.unwrap_or_else(|| timed_out(i))).collect()
}

/// True when every worker started has been given up on.
fn all_given_up<T>(shared: &Shared<T>) -> bool {
    shared.slots.lock().is_ok_and(|slots| slots.iter().all(|s| s.abandoned))
}

/// Mark every worker past its file's limit as abandoned; the indexes of those files.
fn give_up_on_late<T>(shared: &Shared<T>) -> Vec<usize> {
    let now = Instant::now();
    let Ok(mut slots) = shared.slots.lock() else { return Vec::new() };
    let mut late = Vec::new();
    for slot in slots.iter_mut().filter(|s| !s.abandoned) {
        if let Some((i, start, limit)) = slot.reading {
            if now.duration_since(start) > limit {
                slot.abandoned = true;
                late.push(i);
            }
        }
    }
    late
}

/// Start one worker on a rayon thread of its own; false when no thread could be started.
fn start_worker<T: Send + 'static>(shared: &Arc<Shared<T>>, tx: &mpsc::Sender<(usize, T)>) -> bool {
    let id = match shared.slots.lock() {
        Ok(mut slots) => {
            slots.push(Slot::default());
            slots.len() - 1
        }
        Err(_) => return false,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "cpoms-qa-file".into())
        .stack_size(WORKER_STACK)
        .build();
    let Ok(pool) = pool else {
        if let Ok(mut slots) = shared.slots.lock() {
            if let Some(slot) = slots.get_mut(id) {
                slot.abandoned = true;
            }
        }
        return false;
    };
    let shared = Arc::clone(shared);
    let tx = tx.clone();
    // The pool's thread ends when this task does (dropping the pool does not wait for it).
    pool.spawn(move || worker(&shared, id, &tx));
    true
}

fn worker<T>(shared: &Shared<T>, id: usize, tx: &mpsc::Sender<(usize, T)>) {
    loop {
        let i = shared.next.fetch_add(1, Ordering::Relaxed);
        if i >= shared.count {
            return;
        }
        let limit = (shared.limit)(i);
        match shared.slots.lock() {
            Ok(mut slots) => match slots.get_mut(id) {
                Some(slot) if !slot.abandoned => slot.reading = Some((i, Instant::now(), limit)),
                _ => return,
            },
            Err(_) => return,
        }
        let record = (shared.work)(i);
        let abandoned = match shared.slots.lock() {
            Ok(mut slots) => slots.get_mut(id).is_none_or(|slot| {
                slot.reading = None;
                slot.abandoned
            }),
            Err(_) => true,
        };
        // Given up on while reading: the batch already has a record for this file.
        if abandoned || tx.send((i, record)).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Record, Status};

    fn record(i: usize) -> Record {
        Record::failed(format!("file {i:03}"), "docx", format!("read {i}"))
    }

    #[test]
    fn every_file_gets_its_record_in_order_whatever_the_threads() {
        for threads in [1, 2, 3, 8, 40] {
            let work: Arc<Work<Record>> = Arc::new(|i| {
                // Uneven files: some take longer.
                if i % 7 == 0 {
                    std::thread::sleep(Duration::from_millis(3));
                }
                record(i)
            });
            let seen = std::cell::Cell::new(0);
            let out = run(30, threads, work, Arc::new(|_| Duration::from_secs(30)), |_| unreachable!(), |_| seen.set(seen.get() + 1));
            let sources: Vec<String> = out.iter().map(|r| r.source.clone()).collect();
            let want: Vec<String> = (0..30).map(|i| format!("file {i:03}")).collect();
            assert_eq!(sources, want, "{threads} threads");
            assert_eq!(seen.get(), 30);
        }
        assert!(run(0, 2, Arc::new(record), Arc::new(|_| Duration::from_secs(1)), |_| unreachable!(), |_| {}).is_empty());
    }

    #[test]
    fn a_file_that_never_finishes_does_not_stop_the_batch() {
        // File 3 hangs (a reader that never checks its deadline); file 5 is slow but in time.
        let work: Arc<Work<Record>> = Arc::new(|i| {
            match i {
                3 => std::thread::sleep(Duration::from_secs(3600)),
                5 => std::thread::sleep(Duration::from_millis(100)),
                _ => {}
            }
            record(i)
        });
        let started = Instant::now();
        let out = run(
            12,
            2,
            work,
            Arc::new(|_| Duration::from_millis(300)),
            |i| Record::failed(format!("file {i:03}"), "docx", "took too long"),
            |_| {},
        );
        assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
        assert_eq!(out.len(), 12);
        for (i, r) in out.iter().enumerate() {
            assert_eq!(r.source, format!("file {i:03}"));
            assert_eq!(r.status, Status::Failed);
            let want = if i == 3 { "took too long".to_string() } else { format!("read {i}") };
            assert_eq!(r.errors, vec![want], "file {i}");
        }
    }
}
