//! Work shared out over scoped threads, its results kept in the order of the items.

use std::collections::BTreeMap;
use std::ops::{ControlFlow, Range};
use std::sync::{Condvar, Mutex, PoisonError, mpsc};

/// `work` over `items` cut into at most `threads` runs of consecutive items, a thread each, and
/// the results of the runs one after the other, in the order of the items: the same whatever
/// the number of threads ([`in_order_chunks`], a run a chunk). One thread works on the
/// caller's; a panic on a thread is resumed on the caller's.
///
/// ```
/// let squares = parindex_core::threads::in_order(&[1, 2, 3, 4, 5], 2, |run: &[i32]| {
///     run.iter().map(|x| x * x).collect()
/// });
/// assert_eq!(squares, [1, 4, 9, 16, 25]);
/// ```
pub fn in_order<'a, T: Sync, R: Send>(
    items: &'a [T],
    threads: usize,
    work: impl Fn(&'a [T]) -> Vec<R> + Sync,
) -> Vec<R> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return work(items);
    }
    let mut results = Vec::new();
    in_order_chunks(
        items.len(),
        items.len().div_ceil(threads),
        threads,
        |run| work(&items[run]),
        |part| {
            results.extend(part);
            ControlFlow::Continue(())
        },
    );
    results
}

/// `work` over `0..count` cut into ranges of `chunk` positions, each taken by the first of up to
/// `threads` threads that is free, and every range's result given to `take` on the caller's
/// thread in the order of the positions: the same calls whatever the number of threads. A
/// result is given as soon as those before it are, and a thread takes a range only a few ahead
/// of the last given, so only a few results are held at once; the caller's thread gives while
/// the others work. `take` ends the work early by breaking: the ranges after are not worked. A
/// panic on a thread is resumed on the caller's.
///
/// ```
/// use std::ops::ControlFlow;
/// let mut squares = Vec::new();
/// let square = |run: std::ops::Range<usize>| run.map(|x| x * x).collect::<Vec<_>>();
/// parindex_core::threads::in_order_chunks(5, 2, 2, square, |part| {
///     squares.extend(part);
///     ControlFlow::Continue(())
/// });
/// assert_eq!(squares, [0, 1, 4, 9, 16]);
/// ```
pub fn in_order_chunks<R: Send>(
    count: usize,
    chunk: usize,
    threads: usize,
    work: impl Fn(Range<usize>) -> R + Sync,
    mut take: impl FnMut(R) -> ControlFlow<()>,
) {
    let chunk = chunk.max(1);
    let chunks = count.div_ceil(chunk);
    let range = move |k: usize| k * chunk..((k + 1) * chunk).min(count);
    let threads = threads.clamp(1, chunks.max(1));
    if threads == 1 {
        for k in 0..chunks {
            if take(work(range(k))).is_break() {
                return;
            }
        }
        return;
    }
    // Ranges a thread may take beyond the last given.
    let ahead = 2 * threads;
    let turns = Turns {
        state: Mutex::new(TurnState {
            next: 0,
            given: 0,
            stopped: false,
        }),
        changed: Condvar::new(),
    };
    let (sender, results) = mpsc::channel();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (sender, turns, work) = (sender.clone(), &turns, &work);
                scope.spawn(move || {
                    // A thread that panics stops the others, which would wait for its range.
                    let _stop = StopOnPanic(turns);
                    while let Some(k) = turns.next(chunks, ahead) {
                        if sender.send((k, work(range(k)))).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        // The results end when every thread has ended, having worked, stopped or panicked.
        drop(sender);
        // A panic in `take` stops the threads too, which the scope waits for.
        let _stop = StopOnPanic(&turns);
        let mut early = BTreeMap::new();
        let mut expected = 0;
        'results: for (k, result) in results {
            early.insert(k, result);
            while let Some(result) = early.remove(&expected) {
                if take(result).is_break() {
                    break 'results;
                }
                expected += 1;
                turns.given(expected);
            }
        }
        turns.stop();
        for handle in handles {
            handle
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
        }
    });
}

/// Stops the work of [`in_order_chunks`] when dropped by a panicking thread.
struct StopOnPanic<'t>(&'t Turns);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
}

/// Which range the threads of [`in_order_chunks`] take next, and how far they may go.
struct Turns {
    state: Mutex<TurnState>,
    changed: Condvar,
}

struct TurnState {
    /// The next range to take.
    next: usize,
    /// How many results have been given.
    given: usize,
    /// Whether the caller wants no more.
    stopped: bool,
}

impl Turns {
    /// The range a thread works next, once it is at most `ahead` beyond the last given;
    /// `None` when every one of the `chunks` is taken or the caller stopped.
    fn next(&self, chunks: usize, ahead: usize) -> Option<usize> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if state.stopped || state.next >= chunks {
                return None;
            }
            if state.next < state.given + ahead {
                state.next += 1;
                return Some(state.next - 1);
            }
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn given(&self, given: usize) {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .given = given;
        self.changed.notify_all();
    }

    fn stop(&self) {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .stopped = true;
        self.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_taken_in_order_for_any_number_of_threads() {
        for count in [0, 1, 7, 64, 1000] {
            for chunk in [1, 3, 64] {
                for threads in 1..=4 {
                    let mut taken = Vec::new();
                    in_order_chunks(
                        count,
                        chunk,
                        threads,
                        |run| {
                            // Later chunks finish first, to be held until their turn.
                            std::thread::sleep(std::time::Duration::from_micros(
                                (count - run.start) as u64 % 50,
                            ));
                            run.collect::<Vec<_>>()
                        },
                        |part| {
                            taken.push(part);
                            ControlFlow::Continue(())
                        },
                    );
                    assert!(
                        taken
                            .iter()
                            .all(|part| !part.is_empty() && part.len() <= chunk)
                    );
                    let flat: Vec<usize> = taken.into_iter().flatten().collect();
                    assert_eq!(
                        flat,
                        (0..count).collect::<Vec<_>>(),
                        "{count} {chunk} {threads}"
                    );
                }
            }
        }
    }

    #[test]
    #[should_panic(expected = "chunk 5")]
    fn a_panic_on_a_thread_reaches_the_caller() {
        in_order_chunks(
            10,
            1,
            2,
            |run| assert!(run.start != 5, "chunk {}", run.start),
            |()| ControlFlow::Continue(()),
        );
    }

    #[test]
    #[should_panic(expected = "taken 3")]
    fn a_panic_in_take_reaches_the_caller() {
        in_order_chunks(
            100,
            1,
            2,
            |run| run.start,
            |k| {
                assert!(k != 3, "taken {k}");
                ControlFlow::Continue(())
            },
        );
    }

    #[test]
    fn a_break_stops_the_work_after_a_few_ranges_ahead() {
        for threads in 1..=3 {
            let worked = std::sync::atomic::AtomicUsize::new(0);
            let mut taken = Vec::new();
            in_order_chunks(
                1000,
                1,
                threads,
                |run| {
                    worked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    run.start
                },
                |k| {
                    taken.push(k);
                    if k == 9 {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                },
            );
            assert_eq!(taken, (0..10).collect::<Vec<_>>());
            // At most the ranges ahead of the last given were worked besides.
            let worked = worked.into_inner();
            assert!(
                (10..=10 + 2 * threads + threads).contains(&worked),
                "{threads}: {worked}"
            );
        }
    }
}
