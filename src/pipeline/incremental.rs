//! What an edit can change: `ripen history` reuses a commit's levels when no edit of the next
//! one can move them. Two versions of a file are compared on what assembly reads of them.

use crate::matcher::{CrossModule, Hit};
use crate::model::{BuildTarget, Command, FileFacts, Job, Trigger};
use crate::pipeline::file_scan::{FileScan, ForLevels};

// Every comparison below destructures its type whole, naming each field it leaves out: a field
// added to a hit, a command, a trigger, a job, a target, the project facts or a file's scan
// fails to compile here until someone decides whether history compares it. (Comparing a
// hand-picked list of fields let a new one be silently ignored, and history serve stale
// levels.)

impl FileScan {
    /// Whether two versions of a file give assembly the same input for levels: all but byte
    /// counts, warnings and the lines that only place a chain's hops, and, read
    /// [`ForLevels`], mentions. Without `edges`, what only the file's own graph edges read (a
    /// Python file's imports and literals, a script's commands) is left out; without `lines`,
    /// the lines of the evidence, and in a CI or Make/DVC file the lines of its jobs or
    /// targets, triggers and commands, as long as each hit stays in the same jobs.
    pub(crate) fn same_for_levels(
        &self,
        other: &FileScan,
        for_levels: Option<ForLevels>,
        edges: bool,
        lines: bool,
    ) -> bool {
        let FileScan {
            rel: _,
            origin,
            hits,
            unmatched: _,
            facts,
            calls,
            cross: _,
            project,
            bytes: _,
            warning: _,
            binary,
            unparsed,
        } = self;
        let (ca, cb) = (self.counted(for_levels), other.counted(for_levels));
        let mut ha = hits.iter().filter(|h| ca(h));
        let mut hb = other.hits.iter().filter(|h| cb(h));
        let same_hits = loop {
            match (ha.next(), hb.next()) {
                (None, None) => break true,
                (Some(a), Some(b)) if self.same_hit(a, other, b, lines) => {}
                _ => break false,
            }
        };
        same_hits
            && *binary == other.binary
            && *unparsed == other.unparsed
            && *calls == other.calls
            && *origin == other.origin
            && match for_levels {
                Some(_) => project.same_for_levels(&other.project),
                None => *project == other.project,
            }
            && same_cross(
                self.cross_counted(for_levels),
                other.cross_counted(for_levels),
                lines,
            )
            // A module that needs an import decides through its imports whether it trains.
            && same_facts(
                facts.as_deref(),
                other.facts.as_deref(),
                edges
                    || self
                        .cross_counted(for_levels)
                        .is_some_and(|c| !c.needs.is_empty()),
                lines,
            )
    }

    /// Two hits alike: their line, or with `lines` off the jobs or targets holding it.
    fn same_hit(&self, a: &Hit, other: &FileScan, b: &Hit, lines: bool) -> bool {
        let Hit {
            rule,
            line,
            comment_only,
            facets,
            snippet,
        } = a;
        *rule == b.rule
            && (if lines {
                *line == b.line
            } else {
                self.jobs_at(*line) == other.jobs_at(b.line)
            })
            && *comment_only == b.comment_only
            && *facets == b.facets
            && *snippet == b.snippet
    }
}

/// Cross-module facts alike: the same rules provided and needed, the needed hits at the same
/// lines only when `lines` (a call that moves only moves its evidence).
fn same_cross(a: Option<CrossModule>, b: Option<CrossModule>, lines: bool) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => {
            x.provides == y.provides
                && x.needs.len() == y.needs.len()
                && x.needs.iter().zip(&y.needs).all(|(h, k)| {
                    h.rule == k.rule
                        && (!lines || h.line == k.line)
                        && h.comment_only == k.comment_only
                        && h.facets == k.facets
                        && h.snippet == k.snippet
                })
        }
        (x, y) => x == y,
    }
}

/// Commands alike but for their lines, which only place a hop.
fn same_commands(x: &[Command], y: &[Command]) -> bool {
    x.len() == y.len()
        && x.iter().zip(y).all(|(c, d)| {
            let Command {
                line: _,
                text,
                shell,
                cwd,
            } = c;
            *text == d.text && *shell == d.shell && *cwd == d.cwd
        })
}

/// Triggers alike but for their lines.
fn same_triggers(x: &[Trigger], y: &[Trigger]) -> bool {
    x.len() == y.len()
        && x.iter().zip(y).all(|(t, u)| {
            let Trigger {
                kind,
                detail,
                line: _,
                paths,
            } = t;
            *kind == u.kind && *detail == u.detail && *paths == u.paths
        })
}

/// Jobs alike but for where they sit in the file.
fn same_jobs(x: &[Job], y: &[Job]) -> bool {
    x.len() == y.len()
        && x.iter().zip(y).all(|(j, k)| {
            let Job {
                name,
                line: _,
                end: _,
                triggers,
                commands,
                may_fail,
                trial,
                never,
                after,
            } = j;
            *name == k.name
                && *after == k.after
                && *trial == k.trial
                && *never == k.never
                && may_fail.len() == k.may_fail.len()
                && same_triggers(triggers, &k.triggers)
                && same_commands(commands, &k.commands)
        })
}

/// Make/DVC targets alike but for where they sit in the file.
fn same_targets(x: &[BuildTarget], y: &[BuildTarget]) -> bool {
    x.len() == y.len()
        && x.iter().zip(y).all(|(t, u)| {
            let BuildTarget {
                name,
                line: _,
                end: _,
                deps,
                commands,
            } = t;
            *name == u.name && *deps == u.deps && same_commands(commands, &u.commands)
        })
}

/// [`FileScan::same_for_levels`] for the graph facts: lines count only where they place a job
/// or a target, and there only with `lines`.
pub(crate) fn same_facts(
    a: Option<&FileFacts>,
    b: Option<&FileFacts>,
    edges: bool,
    lines: bool,
) -> bool {
    let commands = |x: &[Command], y: &[Command]| !edges || same_commands(x, y);
    let unplaced = |x: &[(u32, String)], y: &[(u32, String)]| {
        x.len() == y.len() && x.iter().zip(y).all(|(c, d)| c.1 == d.1)
    };
    match (a, b) {
        (Some(FileFacts::Commands(x)), Some(FileFacts::Commands(y))) => commands(x, y),
        (
            Some(FileFacts::Python {
                imports: ia,
                literals: la,
                code_dirs: da,
                schedules: sa,
                dags: ga,
                sys_paths: pa,
                selectors: xa,
                training_stubs: ta,
                broken: ba,
                routes: ra,
            }),
            Some(FileFacts::Python {
                imports: ib,
                literals: lb,
                code_dirs: db,
                schedules: sb,
                dags: gb,
                sys_paths: pb,
                selectors: xb,
                training_stubs: tb,
                broken: bb,
                routes: rb,
            }),
        ) => {
            // DAG ids are what other files' triggers resolve into, as jobs are.
            unplaced(sa, sb)
                && ga == gb
                && ta == tb
                && ba == bb
                && unplaced(ra, rb)
                && (!edges
                    || (unplaced(ia, ib)
                        && commands(la, lb)
                        && da == db
                        && pa == pb
                        // Stages place imports by line: then the lines count.
                        && xa == xb
                        && (xa.is_empty() || ia == ib)))
        }
        // Jobs and targets start walks (and others' commands resolve into targets): they are
        // compared whatever `edges` says.
        (
            Some(FileFacts::Entry {
                system: sa,
                triggers: ta,
                jobs: ja,
                includes: ia,
                name: na,
            }),
            Some(FileFacts::Entry {
                system: sb,
                triggers: tb,
                jobs: jb,
                includes: ib,
                name: nb,
            }),
        ) if !lines => {
            sa == sb
                && na == nb
                && same_triggers(ta, tb)
                && same_commands(ia, ib)
                && same_jobs(ja, jb)
        }
        (
            Some(FileFacts::Targets {
                kind: ka,
                targets: ta,
            }),
            Some(FileFacts::Targets {
                kind: kb,
                targets: tb,
            }),
        ) if !lines => ka == kb && same_targets(ta, tb),
        // With `lines`, everything (the derived equality of the facts).
        (x, y) => x == y,
    }
}

/// What an edit of a file can change in a tree's levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EditEffect {
    /// The two versions are the same for levels ([`FileScan::same_for_levels`]): nothing.
    Nothing,
    /// They differ only in the file's own graph edges (its imports, literals or commands):
    /// the levels change only if a walk of the automation graph went through the file.
    Edges,
    /// They differ in the lines of the file's evidence too, which a model shows only where
    /// it cites that file (evidence is ordered by path before line).
    Lines,
    /// Anything else assembly reads.
    Levels,
}

/// How an edit from `old` to `new` (None: a scan that found nothing) can change the levels.
pub(crate) fn edit_effect(
    old: Option<&FileScan>,
    new: Option<&FileScan>,
    for_levels: Option<ForLevels>,
) -> EditEffect {
    // Equal without the file's own graph edges (and without lines unless `lines`), or nothing
    // but those edges on either side.
    let off_graph = |lines| match (old, new) {
        (Some(a), Some(b)) if !a.only_edges(for_levels) || !b.only_edges(for_levels) => {
            a.same_for_levels(b, for_levels, false, lines)
        }
        (Some(s), None) | (None, Some(s)) => s.only_edges(for_levels),
        _ => true,
    };
    // In a CI or Make/DVC file, a line picks the job or target.
    let entry = |s: Option<&FileScan>| s.is_some_and(FileScan::has_jobs_or_targets);
    let same = match (old, new) {
        (Some(a), Some(b)) => a.same_for_levels(b, for_levels, true, true),
        (None, None) => true,
        _ => false,
    };
    if same {
        EditEffect::Nothing
    } else if entry(old) || entry(new) {
        // The same jobs or targets, doing the same, with each hit in the same ones: the
        // walks are the same, only lines moved.
        match (old, new) {
            (Some(a), Some(b)) if a.same_for_levels(b, for_levels, true, false) => {
                EditEffect::Lines
            }
            _ => EditEffect::Levels,
        }
    } else if off_graph(true) {
        EditEffect::Edges
    } else if off_graph(false) {
        EditEffect::Lines
    } else {
        EditEffect::Levels
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::evidence::{self, ProjectFacts};
    use crate::matcher::Matcher;
    use crate::model::Tier;
    use crate::pipeline::file_scan::{
        Rules, needs_content, needs_content_with, scan_file, scan_file_with,
    };

    fn scanned(m: &Matcher, rel: &str, text: &str) -> Option<FileScan> {
        scan_file(m, rel, text.len() as u64, || Ok(text.as_bytes().to_vec()))
    }

    fn effect(
        m: &Matcher,
        for_levels: Option<ForLevels>,
        rel: &str,
        a: &str,
        b: &str,
    ) -> EditEffect {
        edit_effect(
            scanned(m, rel, a).as_ref(),
            scanned(m, rel, b).as_ref(),
            for_levels,
        )
    }

    /// `ripen history` reuses a commit's levels when no edit can change them: what each kind of
    /// edit can change decides whether it re-assembles the tree.
    #[test]
    fn edit_effect_tells_what_an_edit_can_change() {
        let cat = Catalogue::load(&[]).expect("built-in rules");
        let m = Matcher::new(&cat.rules).expect("matcher");
        let project = ProjectFacts::default();
        let levels = Some(ForLevels {
            cat: &cat,
            project: &project,
        });
        // Training that no rule needs another module's import for (a `.fit(` call would be
        // pending the import of a framework: see the cross-module case below).
        let train = "import mlflow\nimport torch\n\nmlflow.autolog()\nfor x, y in loader:\n    loss = loss_fn(net(x), y)\n    loss.backward()\n    optimizer.step()\n";
        assert_eq!(
            effect(&m, None, "train.py", train, train),
            EditEffect::Nothing
        );
        // Evidence moves: a model shows it only where it cites the file.
        let shifted = format!("# a comment\n\n{train}");
        assert_eq!(
            effect(&m, None, "train.py", train, &shifted),
            EditEffect::Lines
        );
        // A call that trains once another module provides the import only moves its line.
        let pending = "model.fit(X, y)\n";
        assert_eq!(
            effect(&m, None, "fit.py", pending, &format!("\n\n{pending}")),
            EditEffect::Lines
        );
        // A new import changes where the graph leads from this file, nothing else.
        let more = format!("{train}import helpers\n");
        assert_eq!(
            effect(&m, None, "train.py", train, &more),
            EditEffect::Edges
        );
        // New evidence.
        let tracked = format!("{train}mlflow.register_model(\"runs:/1/model\", \"churn\")\n");
        assert_eq!(
            effect(&m, None, "train.py", train, &tracked),
            EditEffect::Levels
        );
        // In a workflow, a line picks the job. Jobs that keep their names, triggers and
        // commands, each hit staying in its job, only move evidence.
        let wf = "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ruff check .\n";
        let ci = ".github/workflows/ci.yml";
        let wf_shifted = format!("# ci\n{wf}");
        assert_eq!(effect(&m, None, ci, wf, &wf_shifted), EditEffect::Lines);
        // Tests moved to the other job, a job renamed, another trigger: the walks change.
        let swapped = wf
            .replace("pytest", "PLACEHOLDER")
            .replace("ruff check .", "pytest")
            .replace("PLACEHOLDER", "ruff check .");
        assert_eq!(effect(&m, None, ci, wf, &swapped), EditEffect::Levels);
        let renamed = wf.replace("test:", "unit:");
        assert_eq!(effect(&m, None, ci, wf, &renamed), EditEffect::Levels);
        let nightly = wf.replace("[push]", "[push, schedule]");
        assert_eq!(effect(&m, None, ci, wf, &nightly), EditEffect::Levels);
        // The same commands, but evidence (a marketplace action, no command) in another job.
        let scan_step = "      - uses: github/codeql-action/analyze@v3\n";
        let in_test = wf.replace(
            "      - run: pytest\n",
            &format!("{scan_step}      - run: pytest\n"),
        );
        let in_lint = format!("{wf}{scan_step}");
        assert_eq!(effect(&m, None, ci, &in_test, &in_lint), EditEffect::Levels);
        // Mentions count for no built-in model: read for levels, a new one changes nothing.
        assert!(!cat.counts_mentions());
        let (a, b) = ("# Demo\n", "# Demo\n\nTracked with MLflow.\n");
        assert_eq!(effect(&m, None, "README.md", a, b), EditEffect::Levels);
        assert_eq!(effect(&m, levels, "README.md", a, b), EditEffect::Nothing);
        let commented = format!("{train}# mlflow.log_metric(\"auc\", 0.9)\n");
        assert_eq!(
            effect(&m, levels, "train.py", train, &commented),
            EditEffect::Nothing
        );
    }

    /// Read for levels, rules are skipped only where no hit could count. A notebook is code
    /// even under `docs/`; and a CI or Make file is matched whatever `Rules` says, because
    /// mentions count there (a CI mention stands in for the built-in CI evidence).
    #[test]
    fn rules_are_skipped_only_where_no_hit_can_count() {
        let cat = Catalogue::load(&[]).expect("built-in rules");
        let m = Matcher::new(&cat.rules).expect("matcher");
        let fit = cat
            .rules
            .iter()
            .position(|r| r.id == "sklearn-estimator-fit")
            .expect("rule");
        let mention = cat
            .rules
            .iter()
            .position(|r| r.tier == Tier::Mentioned)
            .expect("a mention rule");
        assert!(evidence::no_hit_can_count(
            &cat,
            "docs/notes.txt",
            &[fit, mention]
        ));
        assert!(!evidence::no_hit_can_count(
            &cat,
            "docs/train.ipynb",
            &[fit]
        ));
        assert!(!evidence::no_hit_can_count(&cat, "notes.py", &[mention]));

        let pipeline = "trigger:\n  - main\nsteps:\n  - script: pytest tests/  # CI\n";
        let rel = "docs/ci/azure-pipelines.yml";
        let scan = |rules| {
            scan_file_with(&m, rel, pipeline.len() as u64, rules, || {
                Ok(pipeline.as_bytes().to_vec())
            })
            .expect("scanned")
        };
        let full = scan(Rules::Run);
        assert!(full.has_jobs_or_targets() && !full.hits.is_empty());
        for rules in [Rules::None, Rules::UnlessMentionsOnly] {
            let s = scan(rules);
            assert_eq!(s.hits.len(), full.hits.len(), "{rules:?}");
            assert!(!s.unmatched());
        }
        // Prose nothing else wants is not read at all.
        assert!(!needs_content_with(&m, "docs/notes.txt", Rules::None));
        assert!(scan_file_with(&m, "docs/notes.txt", 5, Rules::None, || panic!("read")).is_none());
    }

    /// Package-manager lock files of other ecosystems are listed but never read, even where a
    /// wildcard rule (`**/*.yaml`) would match their text.
    #[test]
    fn generated_lock_files_are_not_read() {
        let cat = Catalogue::load(&[]).expect("built-in rules");
        let m = Matcher::new(&cat.rules).expect("matcher");
        let text = "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: model\n";
        let as_manifest = scanned(&m, "deploy/model.yaml", text).expect("scanned");
        assert!(!as_manifest.hits.is_empty(), "the text holds evidence");
        assert!(!needs_content(&m, "ui/pnpm-lock.yaml"));
        assert!(scanned(&m, "ui/pnpm-lock.yaml", text).is_none());
        assert!(
            needs_content(&m, "poetry.lock"),
            "Python lock files are evidence"
        );
    }
}
