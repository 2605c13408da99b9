//! Secret redaction; the body lives in `ripen::fuzzing` so that `tests/regressions.rs` replays
//! found inputs through exactly the same code.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ripen::fuzzing::redact(data));
