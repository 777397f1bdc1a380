//! Cells read before, by their text: an office's column repeats a few answers (`có`, `đúng
//! hạn`, `7/9`, `KAD`), and reading one means bringing it to NFC, trying the words of not
//! applicable, parsing it by the leaf's rule and checking it against the tiers. What a leaf's
//! cell reads as depends on its text alone ([`InputReader::read_leaf_cell`]), so a text met again
//! in the same column is given what it was read as the first time.
//!
//! [`InputReader::read_leaf_cell`]: super::InputReader::read_leaf_cell

use std::borrow::Cow;

use parindex_core::Input;
use parindex_core::batch::PackedInput;

use super::LeafCell;

/// The most texts remembered per leaf: a column of answers has a handful.
const TEXTS_PER_LEAF: usize = 16;
/// Longer texts are read each time: they are rarely repeated.
const LONGEST_TEXT: usize = 64;
/// After this many cells of a leaf, its memo is dropped if it found fewer than half of them:
/// a column of measurements, each different, would only pay for looking.
const TRIAL_CELLS: u32 = 256;

/// What the cells of each leaf read as, by their text; one per thread.
#[derive(Debug, Default)]
pub(crate) struct ReadMemo {
    leaves: Vec<LeafMemo>,
}

#[derive(Debug, Default)]
struct LeafMemo {
    /// Each text's [`key`], to pass over the others without comparing their texts.
    keys: Vec<u64>,
    texts: Vec<(Box<str>, Remembered)>,
    /// Where to look for a key first ([`slot`]): its text's position plus one, or 0 where no
    /// text is; a key whose place is taken goes to the next free one.
    slots: [u8; SLOTS],
    looked: u32,
    found: u32,
    dropped: bool,
}

/// A [`LeafCell`] without its borrow of the cell.
#[derive(Debug, Clone)]
enum Remembered {
    Blank,
    Refused(String, Option<&'static str>),
    Read {
        input: Input,
        /// The text as read, when it is not the cell's text as typed (brought to NFC, or a
        /// fraction turned into a percent).
        text: Option<Box<str>>,
        located: bool,
        /// The input packed, when it packs and scoring will not speak of its cell.
        packed: Option<PackedInput>,
    },
}

/// What a text read as before, for a reader that can take a packed input
/// ([`ReadMemo::find_packed`]).
pub(crate) enum Memoized<'c> {
    /// An input that packs, with nothing more to do with its cell.
    Packed(PackedInput),
    /// Any other cell.
    Cell(LeafCell<'c>),
}

impl ReadMemo {
    /// What a text of this leaf read as before, with its text borrowed from `typed` again.
    pub(crate) fn find<'c>(&mut self, leaf: usize, typed: &'c str) -> Option<LeafCell<'c>> {
        self.look_up(leaf, typed)
            .map(|remembered| remembered.cell(typed))
    }

    /// [`ReadMemo::find`], an input that packs given packed rather than copied: for a reader
    /// that keeps no text.
    pub(crate) fn find_packed<'c>(&mut self, leaf: usize, typed: &'c str) -> Option<Memoized<'c>> {
        self.look_up(leaf, typed)
            .map(|remembered| match remembered {
                Remembered::Read {
                    packed: Some(packed),
                    ..
                } => Memoized::Packed(*packed),
                other => Memoized::Cell(other.cell(typed)),
            })
    }

    /// What a text of this leaf was remembered as, counting the look.
    fn look_up(&mut self, leaf: usize, typed: &str) -> Option<&Remembered> {
        let memo = self.leaves.get_mut(leaf).filter(|m| !m.dropped)?;
        memo.looked += 1;
        let key = key(typed);
        // A text of up to six bytes is its key, whole: one of more is compared after.
        let whole = typed.len() <= KEY_BYTES;
        let mut slot = slot(key);
        loop {
            let i = usize::from(memo.slots[slot]).checked_sub(1)?;
            if memo.keys[i] == key && (whole || *memo.texts[i].0 == *typed) {
                memo.found += 1;
                return Some(&memo.texts[i].1);
            }
            slot = (slot + 1) % SLOTS;
        }
    }

    /// Remembers what a text of this leaf read as, while the leaf's memo has room and pays.
    pub(crate) fn remember(&mut self, leaf: usize, typed: &str, read: &LeafCell<'_>) {
        if self.leaves.len() <= leaf {
            self.leaves.resize_with(leaf + 1, LeafMemo::default);
        }
        let memo = &mut self.leaves[leaf];
        if memo.looked >= TRIAL_CELLS && memo.found * 2 < memo.looked {
            memo.dropped = true;
            memo.keys = Vec::new();
            memo.texts = Vec::new();
            memo.slots = [0; SLOTS];
        }
        if memo.dropped || memo.texts.len() >= TEXTS_PER_LEAF || typed.len() > LONGEST_TEXT {
            return;
        }
        let remembered = match read {
            LeafCell::Skipped => return,
            LeafCell::Blank => Remembered::Blank,
            LeafCell::Refused(message, check) => Remembered::Refused(message.clone(), *check),
            LeafCell::Read {
                input,
                text,
                located,
            } => Remembered::Read {
                packed: (!located).then(|| PackedInput::new(input)).flatten(),
                input: input.clone(),
                text: (text.as_ref() != typed).then(|| text.as_ref().into()),
                located: *located,
            },
        };
        let key = key(typed);
        let mut slot = slot(key);
        while memo.slots[slot] != 0 {
            slot = (slot + 1) % SLOTS;
        }
        memo.keys.push(key);
        memo.texts.push((typed.into(), remembered));
        // At most `TEXTS_PER_LEAF` texts, fewer than the slots, so one stays free.
        memo.slots[slot] = memo.texts.len() as u8;
    }
}

impl Remembered {
    /// The cell remembered, its text borrowed from `typed`.
    fn cell<'c>(&self, typed: &'c str) -> LeafCell<'c> {
        match self {
            Remembered::Blank => LeafCell::Blank,
            Remembered::Refused(message, check) => LeafCell::Refused(message.clone(), *check),
            Remembered::Read {
                input,
                text,
                located,
                ..
            } => LeafCell::Read {
                input: input.clone(),
                text: match text {
                    Some(text) => Cow::Owned(text.to_string()),
                    None => Cow::Borrowed(typed),
                },
                located: *located,
            },
        }
    }
}

/// Places of a leaf's texts by key: twice as many as the texts, so that a look finds its
/// text, or a free place, within a step or two.
const SLOTS: usize = 2 * TEXTS_PER_LEAF;

/// The place a key is first looked for, by the top bits of a multiplicative hash.
fn slot(key: u64) -> usize {
    (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - SLOTS.trailing_zeros())) as usize
}

/// The bytes of a text a [`key`] holds.
const KEY_BYTES: usize = 6;

/// A text's length and first six bytes in one word: texts with other keys differ, and texts
/// of up to six bytes with the same key are the same. Built in a register: through an array
/// on the stack, reading it back stalls.
fn key(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let first = match bytes.first_chunk::<8>() {
        Some(eight) => u64::from_le_bytes(*eight) & ((1 << (8 * KEY_BYTES)) - 1),
        None => bytes
            .iter()
            .take(KEY_BYTES)
            .enumerate()
            .fold(0u64, |word, (i, b)| word | u64::from(*b) << (8 * i)),
    };
    first | (bytes.len().min(0xffff) as u64) << 48
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{CellValue, GridCell, InputReader, Loc, PercentScale, ReadOptions};
    use parindex_core::batch::PackedInput;
    use parindex_core::{Plan, Value, shipped};

    /// Texts of every kind a leaf reads, or refuses: words in any case and however their marks
    /// are typed, numbers the Vietnamese way, ratios, dates, levels, blanks, and nonsense.
    const TEXTS: &[&str] = &[
        "có",
        "Có",
        "co\u{301}",
        "không",
        "KHÔNG",
        "x",
        "1",
        "0",
        "đạt",
        "không đạt",
        "KAD",
        "n/a",
        "không áp dụng",
        "  ",
        "85",
        "85,5",
        "85,5%",
        "0,875",
        "1.500",
        "1,500%",
        "7/9",
        "0/0",
        "9/7",
        "đúng hạn",
        "trễ hạn",
        "Tốt",
        "khá",
        "3",
        "-1",
        "100",
        "1e3",
        "12/03/2024",
        "31/02/2024",
        "?",
        "đ",
        "1,5 điểm",
        "0,5",
        "2",
        "10",
        "4/4",
        "abc",
    ];

    fn reads_alike(a: &LeafCell<'_>, b: &LeafCell<'_>) -> bool {
        match (a, b) {
            (LeafCell::Skipped, LeafCell::Skipped) | (LeafCell::Blank, LeafCell::Blank) => true,
            (LeafCell::Refused(m, c), LeafCell::Refused(n, d)) => m == n && c == d,
            (
                LeafCell::Read {
                    input,
                    text,
                    located,
                },
                LeafCell::Read {
                    input: i,
                    text: t,
                    located: l,
                },
            ) => input == i && text == t && located == l,
            _ => false,
        }
    }

    #[test]
    fn a_text_read_again_reads_as_it_read_afresh_on_every_shipped_leaf() {
        let mut packed_found = 0;
        for percents in [PercentScale::Percent, PercentScale::Fraction] {
            for shipped in shipped::list() {
                let set = shipped::load(&shipped.id).expect("shipped").set;
                let plan = Plan::new(&set);
                let options = ReadOptions { percents };
                let reader = InputReader::with_options(&plan, options);
                let reader = reader.leaf_reader();
                let mut memo = ReadMemo::default();
                for leaf in 0..plan.leaf_count() {
                    // Twice: the second time from the memo.
                    for round in 0..2 {
                        for text in TEXTS {
                            let cell = GridCell {
                                value: CellValue::Text((*text).into()),
                                loc: Loc::Text(1, 1),
                            };
                            let afresh = reader.read_leaf_cell_anew(leaf, &cell.value, None);
                            let read = reader.read_leaf_cell(leaf, &cell, None, &mut memo);
                            assert!(
                                reads_alike(&read, &afresh),
                                "{} leaf {leaf} {text:?} round {round}: {read:?} against {afresh:?}",
                                shipped.id
                            );
                            // Packed, exactly when the cell read packs with nothing more to do.
                            let packed = match &afresh {
                                LeafCell::Read {
                                    input,
                                    located: false,
                                    ..
                                } => PackedInput::new(input),
                                _ => None,
                            };
                            match reader.read_leaf_text_packed(leaf, text, &mut memo) {
                                Memoized::Packed(p) => {
                                    assert_eq!(Some(p), packed, "{text:?}");
                                    packed_found += 1;
                                }
                                Memoized::Cell(c) => assert!(reads_alike(&c, &afresh), "{text:?}"),
                            }
                        }
                    }
                }
                let found: u32 = memo.leaves.iter().map(|m| m.found).sum();
                assert!(found > 0, "{}: nothing read from the memo", shipped.id);
            }
        }
        assert!(packed_found > 0, "nothing given packed");
    }

    fn read(text: &'static str, input: Input) -> LeafCell<'static> {
        LeafCell::Read {
            input,
            text: Cow::Borrowed(text),
            located: false,
        }
    }

    #[test]
    fn gives_what_a_text_read_as_and_nothing_for_another_text_or_leaf() {
        let mut memo = ReadMemo::default();
        memo.remember(2, "có", &read("có", Input::Value(Value::Bool(true))));
        let found = memo.find(2, "có");
        assert!(
            matches!(
                found,
                Some(LeafCell::Read {
                    input: Input::Value(Value::Bool(true)),
                    text: Cow::Borrowed("có"),
                    located: false
                })
            ),
            "{found:?}"
        );
        assert!(memo.find(2, "Có").is_none());
        assert!(memo.find(1, "có").is_none());
        assert!(memo.find(3, "có").is_none());
    }

    #[test]
    fn keeps_the_text_as_read_when_it_is_not_as_typed() {
        let mut memo = ReadMemo::default();
        let decomposed = "co\u{301}";
        memo.remember(
            0,
            decomposed,
            &LeafCell::Read {
                input: Input::Value(Value::Bool(true)),
                text: Cow::Owned("có".to_owned()),
                located: true,
            },
        );
        let Some(LeafCell::Read { text, located, .. }) = memo.find(0, decomposed) else {
            panic!("not found");
        };
        assert_eq!(text, "có");
        assert!(matches!(text, Cow::Owned(_)));
        assert!(located);
    }

    #[test]
    fn remembers_refusals_and_blanks_but_not_skipped_leaves() {
        let mut memo = ReadMemo::default();
        memo.remember(
            0,
            "?",
            &LeafCell::Refused("no".to_owned(), Some("value-rule")),
        );
        memo.remember(0, " ", &LeafCell::Blank);
        memo.remember(0, "x", &LeafCell::Skipped);
        assert!(
            matches!(memo.find(0, "?"), Some(LeafCell::Refused(m, Some("value-rule"))) if m == "no")
        );
        assert!(matches!(memo.find(0, " "), Some(LeafCell::Blank)));
        assert!(memo.find(0, "x").is_none());
    }

    #[test]
    fn drops_a_leaf_whose_texts_do_not_repeat() {
        let mut memo = ReadMemo::default();
        for n in 0..TRIAL_CELLS * 2 {
            let text = n.to_string();
            assert!(memo.find(0, &text).is_none());
            memo.remember(0, &text, &LeafCell::Blank);
        }
        assert!(memo.leaves[0].dropped);
        assert!(memo.leaves[0].texts.is_empty());
        // A leaf that repeats keeps its memo.
        for _ in 0..TRIAL_CELLS * 2 {
            if memo.find(1, "đạt").is_none() {
                memo.remember(1, "đạt", &LeafCell::Blank);
            }
        }
        assert!(!memo.leaves[1].dropped);
        assert!(memo.find(1, "đạt").is_some());
    }

    #[test]
    fn texts_with_the_same_key_are_told_apart() {
        let mut memo = ReadMemo::default();
        let (a, b) = ("đạt yêu cầu", "đạt yêu cầX");
        assert_eq!(key(a), key(b));
        memo.remember(0, a, &LeafCell::Blank);
        assert!(memo.find(0, b).is_none());
        assert!(memo.find(0, a).is_some());
        assert_ne!(key("7/9"), key("7/90"));
        // A text of up to six bytes is its key: any other text has another.
        for (short, other) in [
            ("có", "cò"),
            ("7/9", "7/8"),
            ("100%", "100‰"),
            ("đạt", "đạt "),
        ] {
            assert_ne!(key(short), key(other), "{short} {other}");
        }
        assert_eq!(key("không"), key("không"));
    }

    proptest::proptest! {
        /// Two texts of up to six bytes have the same key only when they are the same text.
        #[test]
        fn a_short_text_is_its_key(a in "[aó1/%, ]{0,6}", b in "[aó1/%, ]{0,6}") {
            if a.len() <= KEY_BYTES && b.len() <= KEY_BYTES {
                proptest::prop_assert_eq!(key(&a) == key(&b), a == b);
            }
        }
    }

    #[test]
    fn remembers_a_bounded_number_of_short_texts() {
        let mut memo = ReadMemo::default();
        for n in 0..TEXTS_PER_LEAF + 4 {
            memo.remember(0, &n.to_string(), &LeafCell::Blank);
        }
        assert_eq!(memo.leaves[0].texts.len(), TEXTS_PER_LEAF);
        let long = "a".repeat(LONGEST_TEXT + 1);
        memo.remember(1, &long, &LeafCell::Blank);
        assert!(memo.find(1, &long).is_none());
    }
}
