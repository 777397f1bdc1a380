//! Work shared out over scoped threads, its results kept in the order of the items.

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
