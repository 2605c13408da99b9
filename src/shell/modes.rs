//! How a command runs what it runs, beyond which files: as a smoke test of the training script
//! (a few steps, `--fast_dev_run`), or with experiment tracking switched off. CI does both to
//! test training code, and neither is automated training or tracking (docs/levels.md,
//! "Known over-detection"). The tables are in `programs.rs`.

use crate::shell::Action;
use crate::shell::lex::Part;
use crate::shell::programs::{
    SMOKE_EPOCH_FLAGS, SMOKE_FLAGS, SMOKE_MAX_STEPS, SMOKE_STEP_FLAGS, TRACKING_OFF_ENV,
    TRACKING_OFF_FLAGS, TRACKING_OFF_VALUES,
};

/// Whether the failure of command `k` of `line` is ignored: later in its `&&`/`||` list, an
/// `||` runs `true`, `:`, `echo ...`, `printf ...` or `exit 0`.
pub(crate) fn failure_ignored(line: &str, parts: &[Part], k: usize) -> bool {
    let mut j = k;
    while j + 1 < parts.len() {
        match separator_after(line, parts[j].raw) {
            Some("||") if always_succeeds(&parts[j + 1].words) => return true,
            Some("||" | "&&") => j += 1,
            _ => return false,
        }
    }
    false
}

/// The operator after a command of `line` (`raw` is a slice of it).
fn separator_after<'l>(line: &'l str, raw: &str) -> Option<&'l str> {
    let start = (raw.as_ptr() as usize).checked_sub(line.as_ptr() as usize)?;
    let rest = line.get(start.checked_add(raw.len())?..)?.trim_start();
    ["||", "&&"]
        .into_iter()
        .find(|op| rest.starts_with(op))
        .map(|op| &rest[..op.len()])
}

fn always_succeeds(words: &[String]) -> bool {
    matches!(
        words
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["true" | ":" | "echo" | "printf", ..] | ["exit", "0"]
    )
}

/// `NAME=value` (a command prefix or an `export`) switches tracking off.
pub(crate) fn env_turns_tracking_off(assignment: &str) -> bool {
    let Some((name, value)) = assignment.split_once('=') else {
        return false;
    };
    let value = value
        .trim_matches(|c| c == '"' || c == '\'')
        .to_ascii_lowercase();
    TRACKING_OFF_ENV
        .iter()
        .any(|(n, off)| *n == name && (off.is_empty() || off.contains(&value.as_str())))
}

/// The flag's name without dashes and the Hydra/argparse value written with it, if any.
fn split_flag(t: &str) -> (&str, Option<&str>) {
    let bare = t.trim_start_matches('-').trim_start_matches('+');
    match bare.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (bare, None),
    }
}

/// The last segment of a dotted Hydra key (`trainer.fast_dev_run` → `fast_dev_run`).
fn key_tail(k: &str) -> &str {
    k.rsplit('.').next().unwrap_or(k)
}

/// The command's flags switch tracking off (`--no-track`, `--report_to none`, `logger=false`).
pub(crate) fn flags_turn_tracking_off(tokens: &[String]) -> bool {
    tokens.iter().enumerate().skip(1).any(|(i, t)| {
        if TRACKING_OFF_FLAGS.contains(&t.as_str()) {
            return true;
        }
        let (k, v) = split_flag(t);
        let value = v
            .map(str::to_string)
            .or_else(|| {
                t.starts_with('-')
                    .then(|| tokens.get(i + 1).cloned())
                    .flatten()
            })
            .map(|v| v.to_ascii_lowercase());
        let Some(value) = value else {
            return false;
        };
        TRACKING_OFF_VALUES
            .iter()
            .any(|(n, off)| (*n == k || *n == key_tail(k)) && off.contains(&value.as_str()))
    })
}

/// A training script run as a smoke test: a script or module run with a smoke flag, with a
/// step limit of at most [`SMOKE_MAX_STEPS`], or for one epoch.
pub(crate) fn is_smoke_run(action: &Action, tokens: &[String]) -> bool {
    if let Action::Either(_, otherwise) = action {
        return is_smoke_run(otherwise, tokens);
    }
    if !matches!(action, Action::Paths(_) | Action::PythonModule(_)) {
        return false;
    }
    tokens.iter().enumerate().skip(1).any(|(i, t)| {
        let flag_like = t.starts_with('-') || t.contains('=');
        if !flag_like {
            return false;
        }
        let (k, v) = split_flag(t);
        let k = key_tail(k);
        if is_test_mode_flag(k) || (k == "mode" && v.is_some_and(is_test_mode_value)) {
            // `--test_dataset_mode True`, `--test-mode`, `--mode=ci`; not `... False`.
            let value = v
                .map(str::to_string)
                .or_else(|| tokens.get(i + 1).filter(|n| !n.starts_with('-')).cloned());
            return !matches!(
                value.map(|v| v.to_ascii_lowercase()).as_deref(),
                Some("false" | "0" | "no" | "none" | "off")
            );
        }
        if SMOKE_FLAGS.contains(&k) {
            // `--fast_dev_run`, `--smoke-test`, `fast_dev_run=true|1|5`; not `=false|0`.
            return !matches!(
                v.map(str::to_ascii_lowercase).as_deref(),
                Some("false" | "0" | "no" | "none")
            );
        }
        let limit = if SMOKE_STEP_FLAGS.contains(&k) {
            SMOKE_MAX_STEPS
        } else if SMOKE_EPOCH_FLAGS.contains(&k) {
            1
        } else {
            return false;
        };
        let value = v.map(str::to_string).or_else(|| tokens.get(i + 1).cloned());
        value
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|n| n <= limit)
    })
}

/// A flag that switches a run to a test, debug or CI mode (`test_mode`, `test-dataset-mode`,
/// `debug_mode`, `ci_mode`): the run exercises the code on a reduced input.
fn is_test_mode_flag(k: &str) -> bool {
    let k = k.to_ascii_lowercase().replace('-', "_");
    let Some(head) = k.strip_suffix("mode").map(|h| h.trim_end_matches('_')) else {
        return false;
    };
    let head = head
        .strip_suffix("dataset")
        .or_else(|| head.strip_suffix("data"))
        .map(|h| h.trim_end_matches('_'))
        .unwrap_or(head);
    matches!(head, "test" | "testing" | "debug" | "ci" | "smoke" | "dev")
}

/// A `--mode` value that makes a run a test (`--mode test`, `--mode=ci`).
fn is_test_mode_value(v: &str) -> bool {
    matches!(
        v.to_ascii_lowercase().as_str(),
        "test" | "testing" | "debug" | "ci" | "smoke"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn smoke_runs() {
        let p = Action::Paths(vec!["train.py".into()]);
        for line in [
            "python train.py --fast_dev_run",
            "python train.py trainer.fast_dev_run=true",
            "python train.py --max_steps 10",
            "python train.py --max-steps=2",
            "python train.py +trainer.limit_train_batches=2",
            "python train.py --smoke-test",
            "python train.py --imgsz 64 --epochs 1 --device cpu",
            "python -m pkg.train trainer.max_epochs=1",
            "python train.py --num-epochs=1",
            "python ./scripts/pipeline.py --test_dataset_mode True",
            "python train.py --test-mode",
            "python train.py --mode=ci",
        ] {
            assert!(is_smoke_run(&p, &toks(line)), "{line}");
        }
        for line in [
            "python train.py --max_steps 5000",
            "python train.py --epochs 20",
            "python train.py --epochs 2",
            "python train.py --epochs $EPOCHS",
            "python train.py trainer.fast_dev_run=false",
            "python train.py data/ci/train.csv",
            "python train.py --test_dataset_mode False",
            "python train.py --mode train",
            "python train.py --test_size 0.2",
        ] {
            assert!(!is_smoke_run(&p, &toks(line)), "{line}");
        }
    }

    #[test]
    fn ignored_failures() {
        let masked = |l: &str| -> Vec<bool> {
            let mut cwd = None;
            crate::shell::parse_line(l, &mut cwd)
                .into_iter()
                .map(|s| s.masked)
                .collect()
        };
        assert_eq!(masked("pytest tests || true"), vec![true]);
        assert_eq!(masked("pytest tests || echo 'tests failed'"), vec![true]);
        assert_eq!(masked("pytest tests || exit 1"), vec![false]);
        assert_eq!(
            masked("pytest tests && python train.py || true"),
            vec![true, true]
        );
        assert_eq!(
            masked("pytest tests || true; python train.py"),
            vec![true, false]
        );
        assert_eq!(masked("echo '|| true'; pytest tests"), vec![false]);
        let mut state = crate::shell::ShellState::default();
        let mut cwd = None;
        crate::shell::parse_line_with("set +e", &mut cwd, &mut state);
        let s = crate::shell::parse_line_with("pytest tests", &mut cwd, &mut state);
        assert!(s[0].masked);
        crate::shell::parse_line_with("set -euo pipefail", &mut cwd, &mut state);
        let s = crate::shell::parse_line_with("pytest tests", &mut cwd, &mut state);
        assert!(!s[0].masked);
    }

    #[test]
    fn tracking_switched_off() {
        assert!(env_turns_tracking_off("WANDB_MODE=disabled"));
        assert!(env_turns_tracking_off("WANDB_MODE='offline'"));
        assert!(!env_turns_tracking_off("WANDB_MODE=online"));
        assert!(!env_turns_tracking_off(
            "MLFLOW_TRACKING_URI=http://mlflow:5000"
        ));
        assert!(flags_turn_tracking_off(&toks("python train.py --no-track")));
        assert!(flags_turn_tracking_off(&toks(
            "python train.py --report_to none"
        )));
        assert!(flags_turn_tracking_off(&toks(
            "python train.py logger=false"
        )));
        assert!(!flags_turn_tracking_off(&toks(
            "python train.py --report_to wandb"
        )));
    }
}
