//! A sum of decimals kept as a whole number and a scale while its terms are small and not
//! negative: scoring sums every node's children at every unit, and a decimal addition is a
//! call that unpacks both terms each time.
//!
//! The sum is the very decimal that adding the terms one by one to zero gives, to its scale:
//! a zero term leaves the sum as it is, a sum of zero becomes the term (with the term's scale),
//! and two terms that are not zero add at the greater of their scales. A negative or a wide
//! term, or a sum that no longer fits 64 bits, hands the sum over to decimal addition.

use rust_decimal::Decimal;

/// A running sum of decimals, from zero.
#[derive(Debug, Clone, Copy)]
pub(crate) enum DecimalSum {
    /// The sum so far, `mantissa / 10^scale`, not negative.
    Whole { mantissa: u64, scale: u32 },
    /// The sum so far, added as decimals.
    Decimal(Decimal),
}

impl Default for DecimalSum {
    fn default() -> Self {
        DecimalSum::Whole {
            mantissa: 0,
            scale: 0,
        }
    }
}

impl DecimalSum {
    /// Adds a term, as `sum + term` would.
    #[inline]
    pub(crate) fn add(&mut self, term: Decimal) {
        if let DecimalSum::Whole { mantissa, scale } = *self {
            let parts = (!term.is_sign_negative())
                .then(|| u64::try_from(term.mantissa()).ok())
                .flatten();
            if let Some(whole) = parts.and_then(|m| whole_sum(mantissa, scale, m, term.scale())) {
                *self = whole;
                return;
            }
            *self = DecimalSum::Decimal(whole_decimal(mantissa, scale));
        }
        if let DecimalSum::Decimal(sum) = self {
            *sum += term;
        }
    }

    /// Adds a term given as a node's packed word ([`crate::packed::node_word`]), as
    /// [`DecimalSum::add`] adds its decimal, without building the decimal while the sum is
    /// whole.
    #[inline(always)]
    pub(crate) fn add_word(&mut self, word: u64) {
        if let (DecimalSum::Whole { mantissa, scale }, Some((term, term_scale))) =
            (*self, crate::packed::positive_parts(word))
        {
            if let Some(whole) = whole_sum(mantissa, scale, term, term_scale) {
                *self = whole;
                return;
            }
        }
        self.add(crate::packed::node_decimal(word));
    }

    /// The sum as a node's packed word; `None` when it is too wide to pack.
    #[inline]
    pub(crate) fn word(self) -> Option<u64> {
        match self {
            DecimalSum::Whole { mantissa, scale } => crate::packed::positive_word(mantissa, scale),
            DecimalSum::Decimal(sum) => crate::packed::node_word(sum),
        }
    }

    /// The sum.
    #[inline]
    pub(crate) fn value(self) -> Decimal {
        match self {
            DecimalSum::Whole { mantissa, scale } => whole_decimal(mantissa, scale),
            DecimalSum::Decimal(sum) => sum,
        }
    }
}

/// The word ([`crate::packed::node_word`]) of the sum of terms given as words, as
/// [`DecimalSum`] gives it, in two passes over the terms and none of its branches on their
/// values; `None` when a term is negative or wide or the sum does not pack, for [`DecimalSum`]
/// to say.
#[inline(always)]
pub(crate) fn word_sum(terms: impl Iterator<Item = u64> + Clone) -> Option<u64> {
    // Terms not negative added one by one give a sum at the greatest scale of those that are
    // not zero; zeros alone give the last one's scale.
    let (mut top, mut last, mut any) = (0u32, 0u32, false);
    for word in terms.clone() {
        let (mantissa, scale) = crate::packed::positive_parts(word)?;
        top = top.max(if mantissa != 0 { scale } else { 0 });
        any |= mantissa != 0;
        last = scale;
    }
    if !any {
        return crate::packed::positive_word(0, last);
    }
    let mut sum = 0u128;
    for word in terms {
        let (mantissa, scale) = crate::packed::positive_parts(word)?;
        // A zero's scale may be above `top`; any power then gives it as zero.
        let power = POWERS_OF_TEN.get(top.saturating_sub(scale) as usize)?;
        sum = sum.checked_add(u128::from(mantissa) * u128::from(*power))?;
    }
    crate::packed::positive_word(u64::try_from(sum).ok()?, top)
}

/// `mantissa / 10^scale + term_mantissa / 10^term_scale` as a whole sum, or `None` when the
/// sum does not fit.
#[inline(always)]
fn whole_sum(mantissa: u64, scale: u32, term_mantissa: u64, term_scale: u32) -> Option<DecimalSum> {
    // At one scale, a zero on either side gives the other as it is, as the rules below do.
    if scale == term_scale {
        return Some(DecimalSum::Whole {
            mantissa: mantissa.checked_add(term_mantissa)?,
            scale,
        });
    }
    if mantissa == 0 {
        return Some(DecimalSum::Whole {
            mantissa: term_mantissa,
            scale: term_scale,
        });
    }
    if term_mantissa == 0 {
        return Some(DecimalSum::Whole { mantissa, scale });
    }
    let common = scale.max(term_scale);
    let aligned = |m: u64, s: u32| m.checked_mul(*POWERS_OF_TEN.get((common - s) as usize)?);
    let sum = aligned(mantissa, scale)?.checked_add(aligned(term_mantissa, term_scale)?)?;
    // A decimal's mantissa is at most 96 bits, so a sum that fits 64 needs no more care.
    Some(DecimalSum::Whole {
        mantissa: sum,
        scale: common,
    })
}

/// `10^i` for every `i` whose power fits 64 bits.
const POWERS_OF_TEN: [u64; 20] = {
    let mut powers = [1u64; 20];
    let mut i = 1;
    while i < powers.len() {
        powers[i] = powers[i - 1] * 10;
        i += 1;
    }
    powers
};

#[inline]
fn whole_decimal(mantissa: u64, scale: u32) -> Decimal {
    Decimal::from_parts(mantissa as u32, (mantissa >> 32) as u32, 0, false, scale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn term() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            8 => (0i64..400, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s)),
            2 => (0u32..4).prop_map(|s| Decimal::new(0, s)),
            1 => (0u32..4).prop_map(|s| -Decimal::new(0, s)),
            1 => (-400i64..0, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s)),
            1 => (0i64..i64::MAX, 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
            1 => Just(Decimal::ONE / Decimal::from(3)),
        ]
    }

    proptest! {
        /// The sum is the decimal that adding one by one gives, to its scale and sign.
        #[test]
        fn sums_as_decimal_addition_does(terms in prop::collection::vec(term(), 0..12)) {
            let mut sum = DecimalSum::default();
            let mut expected = Decimal::ZERO;
            for term in &terms {
                sum.add(*term);
                expected += *term;
                prop_assert_eq!(sum.value().serialize(), expected.serialize(), "{:?}", terms);
            }
        }
    }

    proptest! {
        /// A term added as its node word sums as the term added as a decimal, and the sum's
        /// word is the sum's.
        #[test]
        fn words_sum_as_their_decimals_do(terms in prop::collection::vec(term(), 0..12)) {
            let (mut by_word, mut by_decimal) = (DecimalSum::default(), DecimalSum::default());
            for term in &terms {
                match crate::packed::node_word(*term) {
                    Some(word) => by_word.add_word(word),
                    None => by_word.add(*term),
                }
                by_decimal.add(*term);
                prop_assert_eq!(by_word.value().serialize(), by_decimal.value().serialize());
                prop_assert_eq!(by_word.word(), crate::packed::node_word(by_decimal.value()));
            }
        }
    }

    proptest! {
        /// Terms summed in two passes give what adding them one by one gives, when they
        /// sum that way at all.
        #[test]
        fn a_sum_of_words_is_the_sum_of_their_decimals(terms in prop::collection::vec(term(), 0..12)) {
            let words: Option<Vec<u64>> = terms.iter().map(|t| crate::packed::node_word(*t)).collect();
            let Some(words) = words else { return Ok(()) };
            let mut one_by_one = DecimalSum::default();
            words.iter().for_each(|&word| one_by_one.add_word(word));
            let all_whole = terms.iter().all(|t| !t.is_sign_negative());
            match word_sum(words.iter().copied()) {
                Some(word) => prop_assert_eq!(Some(word), one_by_one.word(), "{:?}", terms),
                None => prop_assert!(!all_whole || one_by_one.word().is_none(), "{:?}", terms),
            }
        }
    }

    #[test]
    fn zeros_keep_the_scale_decimal_addition_keeps() {
        let d = |text: &str| text.parse::<Decimal>().expect("decimal");
        let sum = |terms: &[&str]| {
            let mut sum = DecimalSum::default();
            terms.iter().for_each(|t| sum.add(d(t)));
            sum.value().to_string()
        };
        assert_eq!(sum(&["0.00", "1"]), "1");
        assert_eq!(sum(&["1", "0.00"]), "1");
        assert_eq!(sum(&["0.50", "0"]), "0.50");
        assert_eq!(sum(&["0.5", "1.25"]), "1.75");
        assert_eq!(sum(&[]), "0");
    }
}
