//! Any bytes as a long-layout CSV (`unit,code,value,stage,evidence,note`) or as a JSON input:
//! a JSON file starts with `[` or `{` (after blanks), anything else is read as CSV. Read
//! against every shipped set; a batch that reads is scored, ranked and explained.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let json = data
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'[' || *b == b'{');
    let file = if json { "x.json" } else { "x.csv" };
    for plan in parindex_fuzz::plans() {
        parindex_fuzz::read_and_score(plan, file, data);
    }
});
