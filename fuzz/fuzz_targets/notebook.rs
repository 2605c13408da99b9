//! The notebook reader: any bytes as an `.ipynb`, then every line lookup a rule or a report
//! makes on the result.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ripen::read::{self, ReadOutcome};

fuzz_target!(|data: &[u8]| {
    if let ReadOutcome::Doc(doc) = read::from_bytes("notebooks/n.ipynb", data) {
        let lines = doc.text.lines().count();
        for i in 0..=lines + 1 {
            let _ = doc.file_line(i);
            let _ = doc.line_text(i);
            let _ = doc.is_comment_line(i);
        }
        for (off, _) in doc.text.char_indices().step_by(7) {
            let _ = doc.line_index(off);
        }
        for l in 0..=u32::try_from(lines).unwrap_or(u32::MAX).saturating_add(2) {
            let _ = doc.text_at_file_line(l);
        }
        let _ = doc.structured();
    }
});
