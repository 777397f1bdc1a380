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
    if text.chars().all(stable_in_nfc) {
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

/// Whether two words are the same in any letter case (`Có` and `CÓ`), compared letter by
/// letter without building lowercase copies: yes/no, level names and timeliness words are
/// matched this way once per input cell. Both are expected in NFC.
///
/// ```
/// use parindex_core::text::same_word;
/// assert!(same_word("Đúng Hạn", "đúng hạn"));
/// assert!(same_word("KHÔNG ÁP DỤNG", "không áp dụng"));
/// assert!(!same_word("đúng", "đúng hạn"));
/// assert!(!same_word("có", "co"));
/// ```
pub fn same_word(a: &str, b: &str) -> bool {
    let (mut xs, mut ys) = (a.chars(), b.chars());
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y || x.eq_ignore_ascii_case(&y) => {}
            (Some(x), Some(y)) => {
                let (mut lx, mut ly) = (x.to_lowercase(), y.to_lowercase());
                if lx.len() != 1 || ly.len() != 1 {
                    // A letter whose lowercase is two (`İ`): compare the whole lowercase.
                    return a
                        .chars()
                        .flat_map(char::to_lowercase)
                        .eq(b.chars().flat_map(char::to_lowercase));
                }
                if lx.next() != ly.next() {
                    return false;
                }
            }
            // The letters so far have the same lowercase, and a letter's lowercase is never
            // empty: the longer word's is longer.
            (Some(_), None) | (None, Some(_)) => return false,
        }
    }
}

/// Whether a word is one of `words` in any letter case ([`same_word`]).
pub fn one_of(word: &str, words: &[&str]) -> bool {
    words.iter().any(|w| same_word(word, w))
}

/// Whether a character leaves any text it is in unchanged by NFC: it is below the combining
/// marks (ASCII, Latin-1, and Latin Extended-A and B with `đ`, `ơ`, `ư`) or a precomposed
/// letter of Latin Extended Additional (`ạ` to `ỹ`, the rest of Vietnamese). Text of only
/// these, the common case, is NFC without asking the normalisation tables character by
/// character.
fn stable_in_nfc(c: char) -> bool {
    c < '\u{300}' || ('\u{1e00}'..='\u{1eff}').contains(&c)
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

/// Why a unit id or a criterion's code cannot be told apart safely from others, per Unicode
/// TR39: it holds an invisible character (a zero-width space, a bidirectional control, a
/// control character, a space other than the plain one), or it mixes scripts (a Cyrillic `А`
/// or a Greek `Ο` among Latin letters). `None` when it is fine.
///
/// ```
/// use parindex_core::text::identifier_problem;
/// assert_eq!(identifier_problem("Phường Phú Thủy-1"), None);
/// assert!(identifier_problem("A\u{200b}").is_some());
/// assert!(identifier_problem("CAP-\u{410}B").is_some());
/// ```
pub fn identifier_problem(text: &str) -> Option<String> {
    // ASCII is of one script (Latin letters, and Common digits and signs), and its only
    // invisible characters are its controls: the check an office's ids nearly always take.
    if text.is_ascii() {
        return text
            .chars()
            .find(char::is_ascii_control)
            .map(invisible_character);
    }
    identifier_problem_of_any(text)
}

fn invisible_character(c: char) -> String {
    format!(
        "holds the invisible character U+{:04X}: retype it without it",
        u32::from(c)
    )
}

/// [`identifier_problem`] for any text.
fn identifier_problem_of_any(text: &str) -> Option<String> {
    use unicode_security::general_security_profile::IdentifierType;
    use unicode_security::mixed_script::AugmentedScriptSet;
    use unicode_security::{GeneralSecurityProfile, MixedScript};
    for c in text.chars() {
        let invisible = c.is_control()
            || (c.is_whitespace() && c != ' ')
            || c.identifier_type() == Some(IdentifierType::Default_Ignorable);
        if invisible {
            return Some(invisible_character(c));
        }
    }
    if text.is_single_script() {
        return None;
    }
    // The first letter whose script the letters before it do not share.
    let mut scripts = AugmentedScriptSet::default();
    for c in text.chars() {
        let mut next = scripts;
        next.intersect_with(AugmentedScriptSet::for_char(c));
        if next.is_empty() {
            return Some(format!(
                "mixes scripts: \"{c}\" (U+{:04X}) is not of the same script as the letters before it, though it may look like one of them; retype it",
                u32::from(c)
            ));
        }
        scripts = next;
    }
    Some("mixes scripts: retype it in one script".to_owned())
}

/// The first letter of a criterion's code that is not a Latin letter (a Cyrillic `І` that looks
/// like `I`): codes number the rows of a table as printed (`1.2.3`, `II.5.a`), in Latin
/// letters and digits.
///
/// ```
/// use parindex_core::text::non_latin_letter;
/// assert_eq!(non_latin_letter("II.5.a"), None);
/// assert_eq!(non_latin_letter("1.\u{406}"), Some('\u{406}'));
/// ```
pub fn non_latin_letter(code: &str) -> Option<char> {
    use unicode_security::mixed_script::AugmentedScriptSet;
    let latin = AugmentedScriptSet::for_char('a');
    code.chars().find(|&c| {
        let mut scripts = AugmentedScriptSet::for_char(c);
        scripts.intersect_with(latin);
        c.is_alphabetic() && scripts.is_empty()
    })
}

/// The TR39 skeleton of an identifier: two identifiers with the same skeleton look alike
/// (`A` and the fullwidth `Ａ`, `O` and `0`, `l` and `1`), though they are different text.
///
/// ```
/// use parindex_core::text::skeleton;
/// assert_eq!(skeleton("A"), skeleton("\u{ff21}"));
/// assert_ne!(skeleton("A"), skeleton("B"));
/// ```
pub fn skeleton(text: &str) -> String {
    // An ASCII text's skeleton is its characters' skeletons one after the other, since none
    // of them holds a combining mark (checked in the tests): looked up instead of decomposed
    // and mapped each time.
    if text.is_ascii() {
        let prototypes = ascii_skeletons();
        let mut out = String::with_capacity(text.len() + 2);
        for b in text.bytes() {
            out.push_str(&prototypes[usize::from(b)]);
        }
        return out;
    }
    unicode_security::skeleton(text).collect()
}

/// The skeleton of each ASCII character, by its code.
fn ascii_skeletons() -> &'static [Box<str>] {
    static SKELETONS: std::sync::OnceLock<Vec<Box<str>>> = std::sync::OnceLock::new();
    SKELETONS.get_or_init(|| {
        (0..128u8)
            .map(|b| unicode_security::skeleton(char::from(b).encode_utf8(&mut [0; 4])).collect())
            .collect()
    })
}

/// An amount with its noun in English, singular for exactly one: `1 point`, `0.5 points`,
/// `2 units`. Decimals are given normalised (`1`, not `1.0`).
///
/// ```
/// use parindex_core::text::plural;
/// assert_eq!(plural(1, "error"), "1 error");
/// assert_eq!(plural(3, "error"), "3 errors");
/// ```
pub fn plural(amount: impl std::fmt::Display, noun: &str) -> String {
    let shown = amount.to_string();
    let s = if shown == "1" || shown == "-1" {
        ""
    } else {
        "s"
    };
    format!("{shown} {noun}{s}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every ASCII text of up to two characters, and longer ones from their mixes.
    fn ascii_texts() -> impl Iterator<Item = String> {
        let one = (0..128u8).map(|b| char::from(b).to_string());
        let two = (0..128u8)
            .flat_map(|a| (0..128u8).map(move |b| format!("{}{}", char::from(a), char::from(b))));
        let longer = [
            "CAP-01", "rn", "m", "l1I|", "0O", "U00001", "Phuong 7", "a\tb", "x\u{7f}", "vv w",
        ]
        .into_iter()
        .map(str::to_owned);
        one.chain(two).chain(longer)
    }

    #[test]
    fn ascii_ids_are_checked_and_skeletonised_as_any_text_is() {
        use unicode_normalization::char::canonical_combining_class;
        for b in 0..128u8 {
            let c = char::from(b).to_string();
            let skeleton: String = unicode_security::skeleton(&c).collect();
            // Decomposed already, and with no mark that could reorder with a neighbour's.
            let marks = skeleton.chars().any(|c| canonical_combining_class(c) != 0);
            assert!(!marks, "{c:?} has the skeleton {skeleton:?}");
        }
        for text in ascii_texts() {
            assert_eq!(
                identifier_problem(&text),
                identifier_problem_of_any(&text),
                "{text:?}"
            );
            let general: String = unicode_security::skeleton(&text).collect();
            assert_eq!(skeleton(&text), general, "{text:?}");
        }
    }

    #[test]
    fn characters_taken_as_stable_are_normalised_and_compose_with_nothing_before_them() {
        use unicode_normalization::char::canonical_combining_class;
        for c in ('\u{0}'..'\u{300}').chain('\u{1e00}'..='\u{1eff}') {
            assert!(stable_in_nfc(c));
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
            // Nothing composes with a letter before it unless it is a combining mark or a
            // conjoining jamo, and these are neither.
            assert_eq!(
                format!("a{c}").nfc().collect::<String>(),
                format!("a{c}"),
                "{c:?}"
            );
        }
        assert!(!stable_in_nfc('\u{301}'));
    }

    proptest::proptest! {
        /// Letter by letter, as lowercase copies compare: `İ` lowers to two letters, the
        /// Kelvin sign to `k`.
        #[test]
        fn same_word_is_equal_lowercase(a in "[aAkKİiıIóÓ\u{212a} ]{0,6}", b in "[aAkKİiıIóÓ\u{212a} ]{0,6}") {
            proptest::prop_assert_eq!(same_word(&a, &b), a.to_lowercase() == b.to_lowercase());
            proptest::prop_assert!(same_word(&a, &a.to_uppercase()) == (a.to_lowercase() == a.to_uppercase().to_lowercase()));
        }
    }

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
