//! Work shared out over scoped threads, its results kept in the order of the items.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// `work` over `items` cut into at most `threads` runs of consecutive items, a thread each, and
/// the results of the runs one after the other, in the order of the items: the same whatever
/// the number of threads. One thread works on the caller's; a panic on a thread is resumed on
/// the caller's.
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
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(items.len().div_ceil(threads))
            .map(|run| scope.spawn(move || work(run)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// `work` over `0..count` cut into ranges of `chunk` positions, each taken by the first of up to
/// `threads` threads that is free, and every range's result given to `take` on the caller's
/// thread in the order of the positions: the same calls whatever the number of threads. A
/// result is given as soon as those before it are, so only a few are held at once rather than
/// every one until the last is done. A panic on a thread is resumed on the caller's.
///
/// ```
/// let mut squares = Vec::new();
/// parindex_core::threads::in_order_chunks(5, 2, 2, |run| run.map(|x| x * x).collect::<Vec<_>>(), |part| {
///     squares.extend(part)
/// });
/// assert_eq!(squares, [0, 1, 4, 9, 16]);
/// ```
pub fn in_order_chunks<R: Send>(
    count: usize,
    chunk: usize,
    threads: usize,
    work: impl Fn(Range<usize>) -> R + Sync,
    mut take: impl FnMut(R),
) {
    let chunk = chunk.max(1);
    let chunks = count.div_ceil(chunk);
    let range = move |k: usize| k * chunk..((k + 1) * chunk).min(count);
    let threads = threads.clamp(1, chunks.max(1));
    if threads == 1 {
        (0..chunks).for_each(|k| take(work(range(k))));
        return;
    }
    let next = AtomicUsize::new(0);
    let (sender, results) = mpsc::channel();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (sender, next, work) = (sender.clone(), &next, &work);
                scope.spawn(move || {
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= chunks || sender.send((k, work(range(k)))).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        // The results end when every thread has ended, having worked or panicked.
        drop(sender);
        let mut early = BTreeMap::new();
        let mut expected = 0;
        for (k, result) in results {
            early.insert(k, result);
            while let Some(result) = early.remove(&expected) {
                take(result);
                expected += 1;
            }
        }
        for handle in handles {
            handle
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
        }
    });
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
                        |part| taken.push(part),
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
            |()| {},
        );
    }
}
