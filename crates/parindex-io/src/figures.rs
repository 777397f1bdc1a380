//! Decimals as text, written from their integer mantissa and scale: results documents and
//! summaries write millions of them, and the formatting machinery costs more than the digits.

use rust_decimal::Decimal;

/// `mantissa` and `scale` without the trailing zeros of the decimals, `split` giving a
/// mantissa's last digit and the rest.
fn without_trailing_zeros<M: Copy + PartialEq + Default>(
    mut mantissa: M,
    mut scale: u32,
    split: impl Fn(M) -> (M, M),
) -> (M, u32) {
    while scale > 0 {
        let (digit, rest) = split(mantissa);
        if digit != M::default() {
            break;
        }
        mantissa = rest;
        scale -= 1;
    }
    (mantissa, scale)
}

/// A decimal's text on the stack, the same as [`Decimal`]'s `Display` writes it.
pub(crate) struct DecimalText {
    bytes: [u8; 64],
    start: usize,
}

impl DecimalText {
    /// The text without trailing zeros (`1.5`, `60`): `x.normalize().to_string()`.
    pub(crate) fn trimmed(x: Decimal) -> Self {
        let (mantissa, scale) = (x.mantissa().unsigned_abs(), x.scale());
        let (mantissa, scale) = match u64::try_from(mantissa) {
            Ok(small) => {
                let (small, scale) = without_trailing_zeros(small, scale, |m| (m % 10, m / 10));
                (u128::from(small), scale)
            }
            Err(_) => without_trailing_zeros(mantissa, scale, |m| (m % 10, m / 10)),
        };
        // Zero has no sign once normalised.
        let negative = x.is_sign_negative() && mantissa != 0;
        Self::write(negative, mantissa, scale)
    }

    /// The text with the decimals it carries (`89.50`): `x.to_string()`.
    pub(crate) fn scaled(x: Decimal) -> Self {
        // A negative zero keeps its sign here, as `Display` keeps it.
        Self::write(x.is_sign_negative(), x.mantissa().unsigned_abs(), x.scale())
    }

    /// `-`, the digits of `mantissa` with a point `scale` digits from the right, and as many
    /// zeros before them as the point needs.
    fn write(negative: bool, mantissa: u128, scale: u32) -> Self {
        // Most mantissas fit in 64 bits, whose division by ten is a multiplication; a 128-bit
        // one's is a call, several times slower.
        match u64::try_from(mantissa) {
            Ok(small) => Self::write_digits(negative, small, scale, |m| ((m % 10) as u8, m / 10)),
            Err(_) => Self::write_digits(negative, mantissa, scale, |m| ((m % 10) as u8, m / 10)),
        }
    }

    /// [`DecimalText::write`] with `split` giving a mantissa's last digit and the rest.
    fn write_digits<M: Copy + PartialEq + Default>(
        negative: bool,
        mut mantissa: M,
        scale: u32,
        split: impl Fn(M) -> (u8, M),
    ) -> Self {
        let mut text = DecimalText {
            bytes: [0; 64],
            start: 64,
        };
        let mut digits = 0;
        let push = |text: &mut DecimalText, byte: u8| {
            text.start -= 1;
            text.bytes[text.start] = byte;
        };
        // A decimal has at most 29 digits and a scale of at most 28: the buffer always holds
        // them, a point, a leading zero and the sign.
        while mantissa != M::default() || digits <= scale {
            if digits == scale && scale > 0 {
                push(&mut text, b'.');
            }
            let (digit, rest) = split(mantissa);
            push(&mut text, b'0' + digit);
            mantissa = rest;
            digits += 1;
        }
        if negative {
            push(&mut text, b'-');
        }
        text
    }

    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits, a point and a sign were written.
        std::str::from_utf8(&self.bytes[self.start..]).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn writes_what_display_writes() {
        let mut values: Vec<Decimal> = [
            "0",
            "-0",
            "0.00",
            "-0.00",
            "1",
            "-1",
            "10",
            "100.0",
            "0.5",
            "0.50",
            "-0.05",
            "89.50",
            "1234567.891",
            "0.0000000000000000000000000001",
            "-7.9228162514264337593543950335",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "12.3400",
        ]
        .iter()
        .map(|t| Decimal::from_str(t).expect("decimal"))
        .collect();
        values.push(Decimal::MAX);
        values.push(Decimal::MIN);
        values.push(-Decimal::ZERO);
        values.push(Decimal::new(0, 5).set_sign_negative_and(true));
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let mantissa = i64::from_ne_bytes(state.to_ne_bytes()) >> (state % 60);
            values.push(Decimal::new(mantissa, (state >> 40) as u32 % 29));
        }
        for x in values {
            // A figure goes into a CSV file as it is: never quoted, never taken for a formula.
            for text in [DecimalText::scaled(x), DecimalText::trimmed(x)] {
                assert_eq!(crate::csv::escape(text.as_str()), text.as_str(), "{x:?}");
            }
            assert_eq!(DecimalText::scaled(x).as_str(), x.to_string(), "{x:?}");
            assert_eq!(
                DecimalText::trimmed(x).as_str(),
                x.normalize().to_string(),
                "{x:?}"
            );
        }
    }

    trait NegativeZero {
        fn set_sign_negative_and(self, negative: bool) -> Self;
    }

    impl NegativeZero for Decimal {
        fn set_sign_negative_and(mut self, negative: bool) -> Self {
            self.set_sign_negative(negative);
            self
        }
    }
}
