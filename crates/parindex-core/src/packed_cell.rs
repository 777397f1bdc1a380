//! A batch's cells as it keeps them: 8 bytes a cell instead of the 48 of a [`Cell`], since
//! a province's officials give tens of millions of them.
//!
//! Every value of the shipped sets' inputs (an answer, a level, a date, a number of up to 15
//! significant digits, a ratio of two numbers of up to 6, a survey's one share of satisfied
//! respondents) is kept whole in one word, to its scale and trailing zeros. Text, survey
//! responses by group or by answer, and wider numbers are kept as [`Cell`]s beside the packed
//! ones, the packed cell holding their position.

use std::borrow::Cow;

use rust_decimal::Decimal;

use crate::batch::Cell;
use crate::date::Date;
use crate::packed::{pack_word, unpack_parts, unpack_word};
use crate::value::{Input, Responses, Survey, Value};

/// One unit's input for one leaf at one stage, or none, in one word: the kind in the low
/// three bits, the evidence in the next two, the value in the 59 above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct PackedCell(u64);

const KIND_BITS: u64 = 0b111;
const EVIDENCE_SHIFT: u32 = 3;
const PAYLOAD_SHIFT: u32 = 5;
/// Bits of a number's magnitude, with its scale and sign after: 59 bits in all.
const NUMBER_BITS: u32 = 53;
/// Bits of a ratio's numerator's magnitude and of its denominator's, each with its scale and
/// sign after: 30 and 29 bits.
const NUMERATOR_BITS: u32 = 24;
const DENOMINATOR_BITS: u32 = 23;
/// A survey's one share of satisfied respondents, kept in the payload of a [`CHOICE`] with its
/// top bit set (a level's position needs 16 bits): the satisfied and the asked, each of up to
/// 23 bits with its scale and sign.
const SHARE_FLAG: u64 = 1 << 58;
const SHARE_BITS: u32 = 23;

const EMPTY: u64 = 0;
const NOT_APPLICABLE: u64 = 1;
const BOOL: u64 = 2;
const NUMBER: u64 = 3;
const RATIO: u64 = 4;
const DATE: u64 = 5;
const CHOICE: u64 = 6;
/// A [`Cell`] kept beside the packed cells, at the position in the payload.
const SIDE: u64 = 7;

impl PackedCell {
    /// No input.
    pub(crate) const EMPTY: PackedCell = PackedCell(0);

    /// Whether the cell holds no input.
    pub(crate) fn is_empty(self) -> bool {
        self.kind() == EMPTY
    }

    fn kind(self) -> u64 {
        self.0 & KIND_BITS
    }

    fn payload(self) -> u64 {
        self.0 >> PAYLOAD_SHIFT
    }

    /// The position of the cell kept beside, for a cell that did not pack.
    pub(crate) fn side_position(self) -> Option<usize> {
        (self.kind() == SIDE).then_some(self.payload() as usize)
    }

    /// The cell packed, or `None` when it does not fit and is to be kept beside.
    #[cfg(test)]
    pub(crate) fn pack(cell: &Cell) -> Option<PackedCell> {
        PackedCell::pack_input(&cell.input, cell.evidence)
    }

    /// An input and its evidence packed, or `None` when they do not fit.
    pub(crate) fn pack_input(input: &Input, evidence: Option<bool>) -> Option<PackedCell> {
        let (kind, payload) = match input {
            Input::NotApplicable => (NOT_APPLICABLE, 0),
            Input::Value(Value::Bool(b)) => (BOOL, u64::from(*b)),
            Input::Value(Value::Number(n)) => (NUMBER, pack_word(*n, NUMBER_BITS)?),
            Input::Value(Value::Ratio {
                numerator,
                denominator,
            }) => (
                RATIO,
                pack_pair(
                    (*numerator, NUMERATOR_BITS),
                    (*denominator, DENOMINATOR_BITS),
                )?,
            ),
            Input::Value(Value::Date(d)) => (
                DATE,
                // A date's year is 1 to 9999: 14 bits.
                u64::from(d.year() as u32) | u64::from(d.month()) << 14 | u64::from(d.day()) << 18,
            ),
            Input::Value(Value::Choice(i)) => (CHOICE, u64::from(*i)),
            Input::Value(Value::Survey(survey)) => match survey.parts.as_slice() {
                // A survey row's usual value, `85.5%` or `171/200`: one share, no groups.
                [
                    (
                        None,
                        Responses::Share {
                            satisfied,
                            respondents,
                        },
                    ),
                ] => (
                    CHOICE,
                    SHARE_FLAG | pack_pair((*satisfied, SHARE_BITS), (*respondents, SHARE_BITS))?,
                ),
                _ => return None,
            },
            Input::Value(Value::Text(_)) => return None,
        };
        Some(PackedCell(
            kind | evidence_bits(evidence) << EVIDENCE_SHIFT | payload << PAYLOAD_SHIFT,
        ))
    }

    /// The cell kept beside the packed ones at `position`.
    pub(crate) fn beside(position: usize) -> PackedCell {
        PackedCell(SIDE | (position as u64) << PAYLOAD_SHIFT)
    }

    /// The cell, taken from `side` when it was kept beside; `None` when empty.
    pub(crate) fn unpack(self, side: &[Cell]) -> Option<Cow<'_, Cell>> {
        if let Some(position) = self.side_position() {
            return side.get(position).map(Cow::Borrowed);
        }
        let (value, evidence) = self.read(side)?;
        let input = value.map_or(Input::NotApplicable, |v| Input::Value(v.into_owned()));
        Some(Cow::Owned(Cell { input, evidence }))
    }

    /// The cell's value (`None` when not applicable) and evidence, without building the
    /// cell: scoring's hot path. `None` when empty.
    #[inline]
    pub(crate) fn read(self, side: &[Cell]) -> Option<(Option<Cow<'_, Value>>, Option<bool>)> {
        let payload = self.payload();
        let value = match self.kind() {
            EMPTY => return None,
            SIDE => {
                let cell = side.get(payload as usize)?;
                return Some((value_of(Cow::Borrowed(cell)), cell.evidence));
            }
            NOT_APPLICABLE => return Some((None, self.evidence())),
            BOOL => Value::Bool(payload & 1 == 1),
            NUMBER => Value::Number(unpack_word(payload, NUMBER_BITS)),
            RATIO => {
                let (numerator, denominator) =
                    unpack_pair(payload, NUMERATOR_BITS, DENOMINATOR_BITS);
                Value::Ratio {
                    numerator,
                    denominator,
                }
            }
            DATE => {
                let year = (payload & 0x3fff) as i32;
                let (month, day) = (((payload >> 14) & 0xf) as u8, (payload >> 18) as u8);
                // Packed from a date, so it is one.
                Value::Date(Date::new(year, month, day)?)
            }
            _ if payload & SHARE_FLAG != 0 => {
                let (satisfied, respondents) = unpack_pair(payload, SHARE_BITS, SHARE_BITS);
                Value::Survey(Box::new(Survey::share(satisfied, respondents)))
            }
            _ => Value::Choice(payload as u16),
        };
        Some((Some(Cow::Owned(value)), self.evidence()))
    }

    /// A number, a ratio or a survey's share packed whole, as mantissas and scales, without
    /// building its value.
    #[inline]
    pub(crate) fn packed_value(self) -> Option<PackedValue> {
        let payload = self.payload();
        match self.kind() {
            NUMBER => Some(PackedValue::Number(unpack_parts(payload, NUMBER_BITS))),
            RATIO => {
                let (numerator, denominator) =
                    split_pair(payload, NUMERATOR_BITS, DENOMINATOR_BITS);
                Some(PackedValue::Ratio(
                    unpack_parts(numerator, NUMERATOR_BITS),
                    unpack_parts(denominator, DENOMINATOR_BITS),
                ))
            }
            CHOICE if payload & SHARE_FLAG != 0 => {
                let (satisfied, respondents) = split_pair(payload, SHARE_BITS, SHARE_BITS);
                Some(PackedValue::Share(
                    unpack_parts(satisfied, SHARE_BITS),
                    unpack_parts(respondents, SHARE_BITS),
                ))
            }
            _ => None,
        }
    }

    /// The word of a value packed whole, without its evidence: the same for the same value,
    /// and never 0. `None` for no input, not applicable, and a cell kept beside.
    #[inline]
    pub(crate) fn value_word(self) -> Option<u64> {
        match self.kind() {
            EMPTY | NOT_APPLICABLE | SIDE => None,
            _ => Some(self.0 & !(0b11 << EVIDENCE_SHIFT)),
        }
    }

    /// The evidence recorded in a packed cell; a cell kept beside records its own.
    pub(crate) fn evidence(self) -> Option<bool> {
        match (self.0 >> EVIDENCE_SHIFT) & 0b11 {
            0 => None,
            1 => Some(false),
            _ => Some(true),
        }
    }

    /// The same packed cell with its evidence recorded.
    pub(crate) fn with_evidence(self, evidence: Option<bool>) -> PackedCell {
        PackedCell(self.0 & !(0b11 << EVIDENCE_SHIFT) | evidence_bits(evidence) << EVIDENCE_SHIFT)
    }
}

/// Two decimals of up to `bits` bits of magnitude each, in one payload: the first in the low
/// word, the second above it, each word its magnitude with its scale and sign after.
fn pack_pair((low, low_bits): (Decimal, u32), (high, high_bits): (Decimal, u32)) -> Option<u64> {
    Some(pack_word(low, low_bits)? | pack_word(high, high_bits)? << (low_bits + 6))
}

/// The two decimals [`pack_pair`] packed; bits above the second word are not its.
fn unpack_pair(payload: u64, low_bits: u32, high_bits: u32) -> (Decimal, Decimal) {
    let (low, high) = split_pair(payload, low_bits, high_bits);
    (unpack_word(low, low_bits), unpack_word(high, high_bits))
}

/// The two words of a payload made by [`pack_pair`].
fn split_pair(payload: u64, low_bits: u32, high_bits: u32) -> (u64, u64) {
    let word = |bits: u32| (1u64 << (bits + 6)) - 1;
    (
        payload & word(low_bits),
        (payload >> (low_bits + 6)) & word(high_bits),
    )
}

/// A number, a ratio or a survey's one share as a packed cell holds it: each decimal as its
/// signed mantissa and its scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PackedValue {
    /// A number.
    Number((i64, u32)),
    /// A ratio: the numerator, then the denominator.
    Ratio((i64, u32), (i64, u32)),
    /// A survey's share: the satisfied, then the asked.
    Share((i64, u32), (i64, u32)),
}

fn evidence_bits(evidence: Option<bool>) -> u64 {
    match evidence {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    }
}

/// A cell's value, borrowed when the cell is.
pub(crate) fn value_of(cell: Cow<'_, Cell>) -> Option<Cow<'_, Value>> {
    match cell {
        Cow::Borrowed(Cell {
            input: Input::Value(value),
            ..
        }) => Some(Cow::Borrowed(value)),
        Cow::Owned(Cell {
            input: Input::Value(value),
            ..
        }) => Some(Cow::Owned(value)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn round_trip(cell: &Cell) -> Cell {
        let mut side = Vec::new();
        let packed = PackedCell::pack(cell).unwrap_or_else(|| {
            side.push(cell.clone());
            PackedCell::beside(0)
        });
        packed.unpack(&side).expect("a cell").into_owned()
    }

    fn same(a: &Cell, b: &Cell) -> bool {
        let exact = |v: &Value| match v {
            Value::Number(n) => n.serialize().to_vec(),
            Value::Ratio {
                numerator,
                denominator,
            } => [numerator.serialize(), denominator.serialize()].concat(),
            Value::Survey(survey) => survey
                .parts
                .iter()
                .flat_map(|(_, responses)| match responses {
                    Responses::Share {
                        satisfied,
                        respondents,
                    } => [satisfied.serialize(), respondents.serialize()].concat(),
                    Responses::Counts(_) => Vec::new(),
                })
                .collect(),
            _ => Vec::new(),
        };
        a == b
            && match (&a.input, &b.input) {
                (Input::Value(x), Input::Value(y)) => exact(x) == exact(y),
                _ => true,
            }
    }

    #[test]
    fn a_cell_is_eight_bytes() {
        assert_eq!(std::mem::size_of::<PackedCell>(), 8);
    }

    #[test]
    fn the_empty_cell_is_all_zeros_and_unpacks_to_none() {
        assert_eq!(PackedCell::EMPTY, PackedCell::default());
        assert!(PackedCell::EMPTY.is_empty());
        assert_eq!(PackedCell::EMPTY.unpack(&[]), None);
    }

    #[test]
    fn every_kind_of_input_comes_back_with_its_evidence() {
        let decimal = |t: &str| t.parse::<Decimal>().expect("decimal");
        let values = [
            Input::NotApplicable,
            Input::Value(Value::Bool(true)),
            Input::Value(Value::Bool(false)),
            Input::Value(Value::Number(decimal("87.50"))),
            Input::Value(Value::Number(decimal("-0.001"))),
            Input::Value(Value::Number(Decimal::MAX)),
            Input::Value(Value::Ratio {
                numerator: decimal("45"),
                denominator: decimal("50.0"),
            }),
            Input::Value(Value::Ratio {
                numerator: Decimal::MAX,
                denominator: decimal("3"),
            }),
            Input::Value(Value::Date(Date::new(2024, 2, 29).expect("a date"))),
            Input::Value(Value::Date(Date::new(9999, 12, 31).expect("a date"))),
            Input::Value(Value::Choice(0)),
            Input::Value(Value::Choice(u16::MAX)),
            Input::Value(Value::Text("trễ hạn".into())),
            Input::Value(Value::Survey(Box::new(Survey {
                parts: vec![(
                    None,
                    Responses::Counts(vec![("hài lòng".into(), Decimal::from(3))]),
                )],
            }))),
            share(decimal("85.50"), Decimal::ONE_HUNDRED),
            share(decimal("171"), decimal("200")),
            share(Decimal::MAX, decimal("200")),
            Input::Value(Value::Survey(Box::new(Survey {
                parts: vec![(
                    Some("người dân".into()),
                    Responses::Share {
                        satisfied: decimal("9"),
                        respondents: decimal("10"),
                    },
                )],
            }))),
        ];
        for input in values {
            for evidence in [None, Some(false), Some(true)] {
                let cell = Cell {
                    input: input.clone(),
                    evidence,
                };
                assert!(same(&round_trip(&cell), &cell), "{cell:?}");
            }
        }
    }

    /// A survey's one share, with no groups.
    fn share(satisfied: Decimal, respondents: Decimal) -> Input {
        Input::Value(Value::Survey(Box::new(Survey::share(
            satisfied,
            respondents,
        ))))
    }

    #[test]
    fn text_survey_and_wide_numbers_are_kept_beside() {
        let beside = |input: Input| {
            PackedCell::pack(&Cell {
                input,
                evidence: None,
            })
            .is_none()
        };
        assert!(beside(Input::Value(Value::Text("x".into()))));
        assert!(!beside(share(
            Decimal::new((1 << 23) - 1, 1),
            Decimal::from(100)
        )));
        assert!(beside(share(Decimal::new(1 << 23, 1), Decimal::from(100))));
        assert!(beside(share(Decimal::from(3), Decimal::new(1 << 23, 0))));
        assert!(beside(Input::Value(Value::Number(
            Decimal::ONE / Decimal::from(3)
        ))));
        let number = |m: i64| Input::Value(Value::Number(Decimal::new(m, 2)));
        assert!(!beside(number((1 << 53) - 1)));
        assert!(!beside(number(-(1 << 53) + 1)));
        assert!(beside(number(1 << 53)));
        let ratio = |n: i64, d: i64| {
            Input::Value(Value::Ratio {
                numerator: Decimal::new(n, 1),
                denominator: Decimal::new(d, 0),
            })
        };
        assert!(!beside(ratio((1 << 24) - 1, (1 << 23) - 1)));
        assert!(beside(ratio(1 << 24, 50)));
        assert!(beside(ratio(45, 1 << 23)));
    }

    #[test]
    fn evidence_is_recorded_on_a_packed_cell_without_touching_its_value() {
        let cell = Cell {
            input: Input::Value(Value::Number(Decimal::new(-123, 1))),
            evidence: None,
        };
        let packed = PackedCell::pack(&cell).expect("packs");
        let with = packed
            .with_evidence(Some(true))
            .unpack(&[])
            .expect("a cell");
        assert_eq!(with.evidence, Some(true));
        assert_eq!(with.input, cell.input);
        let without = packed.with_evidence(Some(true)).with_evidence(None);
        assert_eq!(without, packed);
    }

    /// A decimal of a magnitude below `2^bits`, at any scale.
    fn decimal_below(bits: u32) -> impl Strategy<Value = Decimal> {
        (-(1i64 << bits)..(1i64 << bits), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s))
    }

    fn any_decimal() -> impl Strategy<Value = Decimal> {
        // Around each packed width, on both sides of it, and wider.
        prop_oneof![
            crate::packed::tests::any_decimal(),
            decimal_below(24),
            decimal_below(25),
            decimal_below(54),
            decimal_below(60),
        ]
    }

    proptest! {
        #[test]
        fn numbers_and_ratios_come_back_to_their_scale(
            n in any_decimal(),
            d in any_decimal(),
            evidence in proptest::option::of(any::<bool>()),
        ) {
            let number = Cell { input: Input::Value(Value::Number(n)), evidence };
            prop_assert!(same(&round_trip(&number), &number));
            let ratio = Cell {
                input: Input::Value(Value::Ratio { numerator: n, denominator: d }),
                evidence,
            };
            prop_assert!(same(&round_trip(&ratio), &ratio));
            let survey = Cell { input: share(n, d), evidence };
            prop_assert!(same(&round_trip(&survey), &survey));
        }
    }
}
