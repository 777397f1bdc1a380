//! Any bytes as a wide CSV input (`unit,<code>,<code>…`), read against every shipped set; a
//! batch that reads is scored, ranked and explained.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for plan in parindex_fuzz::plans() {
        parindex_fuzz::read_and_score(plan, "x.csv", data);
    }
});
