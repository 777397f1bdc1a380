//! Text as it enters the engine: one Unicode form for every Vietnamese word.
//!
//! Vietnamese can be written two ways that look the same: composed, one code point per letter
//! with its marks (`có` is `c`, `ó`), or decomposed, a base letter followed by combining marks
//! (`c`, `o`, U+0301). Keyboards in composing mode and text pasted from word processors give
//! the second; most files give the first. Compared byte for byte, the two never match, so a
//! criterion named one way would not be found by a cell written the other.
//!
//! The engine keeps everything in NFC, the composed form: criteria and plan files are read
//! into NFC, and every function that matches text an office wrote (yes/no, not applicable,
//! level names, stage names, survey answers) brings it to NFC first. Readers of input files
//! call [`nfc`] on each cell for the same reason.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// The text in Unicode Normalization Form C (composed), borrowed when it already is.
///
/// Text that is already NFC (all ASCII text, and almost every file) is returned as it is,
/// without allocating; only text with decomposed marks is rebuilt.
///
/// ```
/// use std::borrow::Cow;
/// use parindex_core::text::nfc;
///
/// // "có" typed as `c`, `o` and a combining acute accent.
/// let typed = "co\u{301}";
/// assert_eq!(nfc(typed), "có");
/// assert_eq!(nfc(typed).len(), "có".len());
///
/// // Composed text is borrowed, not copied.
/// assert!(matches!(nfc("không áp dụng"), Cow::Borrowed(_)));
/// ```
pub fn nfc(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        // "Maybe" needs the full composition to decide; keep the original when nothing moved.
        IsNormalized::Maybe | IsNormalized::No => {
            let composed: String = text.nfc().collect();
            if composed == text {
                Cow::Borrowed(text)
            } else {
                Cow::Owned(composed)
            }
        }
    }
}

/// [`nfc`] as an owned string, for values kept in the model.
pub(crate) fn nfc_string(text: &str) -> String {
    nfc(text).into_owned()
}

/// Whether the text is already in NFC, so that [`nfc`] would borrow it.
pub(crate) fn is_nfc(text: &str) -> bool {
    matches!(nfc(text), Cow::Borrowed(_))
}

/// An owned string in NFC: the same string, not a copy, when it already is.
pub(crate) fn into_nfc(text: String) -> String {
    match nfc(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(composed) => composed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composes_decomposed_vietnamese() {
        assert_eq!(nfc("kho\u{302}ng a\u{301}p du\u{323}ng"), "không áp dụng");
        assert_eq!(
            nfc("thu\u{309} tu\u{323}c ha\u{300}nh chi\u{301}nh"),
            "thủ tục hành chính"
        );
        // A letter with two marks, the marks in either canonical order.
        assert_eq!(nfc("e\u{302}\u{301}"), "ế");
        assert_eq!(nfc("Vie\u{323}\u{302}t"), "Việt");
    }

    #[test]
    fn borrows_text_already_composed() {
        for text in ["", "1.2.3", "có", "Phường Phú Thủy", "ế"] {
            assert!(matches!(nfc(text), Cow::Borrowed(_)), "{text}");
        }
        // Quick check says "maybe" for a combining mark that composes with nothing before it.
        assert!(matches!(nfc("\u{301}"), Cow::Borrowed(_)));
    }
}
