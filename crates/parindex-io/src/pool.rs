//! Things the threads of a chunked job take, use and give back to be used again.

use std::sync::Mutex;

/// Things the threads take, use and give back to be used again.
pub(crate) struct Pool<T>(Mutex<Vec<T>>);

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Pool(Mutex::default())
    }
}

impl<T: Default> Pool<T> {
    /// One given back before, or a new one.
    pub(crate) fn take(&self) -> T {
        self.0
            .lock()
            .ok()
            .and_then(|mut kept| kept.pop())
            .unwrap_or_default()
    }

    /// Keeps one to be taken again.
    pub(crate) fn give(&self, item: T) {
        if let Ok(mut kept) = self.0.lock() {
            kept.push(item);
        }
    }
}
