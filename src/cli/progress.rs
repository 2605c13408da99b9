//! A progress bar on stderr for scans that take over a second.
//!
//! Only on a terminal (stderr), never on stdout, never colour-coded (so `NO_COLOR` has nothing
//! to turn off), and off with `RIPEN_NO_PROGRESS=1`. The library only counts
//! ([`crate::config::Progress`]); this draws.

use crate::config::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// How long a scan runs before the bar appears: quick scans never show one.
pub(crate) const DELAY: Duration = Duration::from_secs(1);
pub(crate) const TICK: Duration = Duration::from_millis(100);

/// Whether a bar may be drawn at all.
pub(crate) fn enabled() -> bool {
    std::io::stderr().is_terminal()
        && std::env::var_os("RIPEN_NO_PROGRESS").is_none_or(|v| v.is_empty() || v == "0")
}

/// Runs `f` with counters to update; when it runs longer than a second on a terminal, a bar on
/// stderr shows the files scanned, and is cleared when `f` returns.
pub(crate) fn with_progress<T>(f: impl FnOnce(Option<Arc<Progress>>) -> T) -> T {
    if !enabled() {
        return f(None);
    }
    let progress = Arc::new(Progress::default());
    let (stop, stopped) = mpsc::channel::<()>();
    let p = Arc::clone(&progress);
    let drawer = std::thread::spawn(move || {
        if stopped.recv_timeout(DELAY) != Err(RecvTimeoutError::Timeout) {
            return;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} files {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message("scanning");
        loop {
            let total = p.total.load(Ordering::Relaxed);
            let done = p.done.load(Ordering::Relaxed).min(total);
            if total > 0 {
                bar.set_length(total);
                bar.set_position(done);
            }
            bar.set_message(match total {
                0 => "walking",
                t if done == t => "assembling",
                _ => "scanning",
            });
            bar.tick();
            if stopped.recv_timeout(TICK) != Err(RecvTimeoutError::Timeout) {
                break;
            }
        }
        bar.finish_and_clear();
    });
    let out = f(Some(progress));
    let _ = stop.send(());
    let _ = drawer.join();
    out
}
