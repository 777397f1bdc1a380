//! Units' positions by a text of theirs (the id, or its look-alike skeleton), without a copy
//! of the text: a run of a million units would otherwise keep every id twice more.

use std::borrow::Cow;

use hashbrown::HashTable;

/// Positions, each found by the hash of its text and then by comparing the text that the
/// caller gives for a position. Hashed with a per-process random key, as the standard map is:
/// the texts are the user's.
#[derive(Debug, Clone, Default)]
pub(crate) struct TextIndex {
    /// The hash of each position's text, kept so that growing never asks for the texts.
    table: HashTable<(u64, usize)>,
    hasher: ahash::RandomState,
}

impl TextIndex {
    fn hash(&self, text: &str) -> u64 {
        self.hasher.hash_one(text)
    }

    /// The position whose text, as `text_of` gives it, is `text`.
    pub(crate) fn find<'t>(
        &self,
        text: &str,
        text_of: impl Fn(usize) -> Cow<'t, str>,
    ) -> Option<usize> {
        self.table
            .find(self.hash(text), |&(_, position)| text_of(position) == text)
            .map(|&(_, position)| position)
    }

    /// Adds a position for its text, which no other position has.
    pub(crate) fn insert(&mut self, text: &str, position: usize) {
        let hash = self.hash(text);
        self.table
            .insert_unique(hash, (hash, position), |&(hash, _)| hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_found_by_their_text_and_others_are_not() {
        let ids = ["U1", "U2", "Phường 1", "U10"];
        let mut index = TextIndex::default();
        for (position, id) in ids.iter().enumerate() {
            index.insert(id, position);
        }
        let text_of = |p: usize| Cow::Borrowed(ids[p]);
        for (position, id) in ids.iter().enumerate() {
            assert_eq!(index.find(id, text_of), Some(position));
        }
        assert_eq!(index.find("U3", text_of), None);
        assert_eq!(index.find("", text_of), None);
    }

    #[test]
    fn a_hundred_thousand_positions_survive_the_table_growing() {
        let ids: Vec<String> = (0..100_000).map(|n| format!("U{n}")).collect();
        let mut index = TextIndex::default();
        for (position, id) in ids.iter().enumerate() {
            index.insert(id, position);
        }
        let text_of = |p: usize| Cow::Borrowed(ids[p].as_str());
        for (position, id) in ids.iter().enumerate().step_by(997) {
            assert_eq!(index.find(id, text_of), Some(position));
        }
        assert_eq!(index.find("U100000", text_of), None);
    }
}
