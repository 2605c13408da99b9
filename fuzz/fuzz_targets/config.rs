//! The config loader: `.ripen.yml`, `ripen.toml` and `pyproject.toml`'s `[tool.ripen]`,
//! chosen by the first byte. Errors are fine; panics are not.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let dir = Path::new(".");
    match which % 3 {
        0 => {
            let _ = ripen::config::Config::parse(".ripen.yml", &text, dir);
        }
        1 => {
            let _ = ripen::config::Config::parse_toml("ripen.toml", &text, dir);
        }
        _ => {
            let _ = ripen::config::Config::parse_pyproject("pyproject.toml", &text, dir);
        }
    }
});
