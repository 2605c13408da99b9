//! Facets that need the automation graph: a pipeline that reaches training code contains a
//! training step; a deployment run by the same automation as tests or a validation gate is
//! gated; tests that collect nothing, steps whose code is elsewhere, builds reached through
//! scripts. What deploys beyond a single rule's reading is `assess::deployments`.

use crate::catalogue::builtin::{capability, facet};
use crate::graph::{Automation, Graph};
use crate::model::{Evidence, Facts, FileFacts, Tier, TriggerKind};
use std::collections::{BTreeSet, HashMap};

/// What the automation reaches but cannot do as committed: test runners with no tests,
/// `dvc repro` with no pipeline, pipelines whose steps' code is in another repository.
/// Returns where the commands that fail when run are (a test runner with no tests, `dvc
/// repro` with no pipeline): their jobs fail there ([`crate::assess::failing`]).
pub(crate) fn what_cannot_run(
    files: &[String],
    facts: &Facts,
    evs: &mut [Evidence],
) -> Vec<(String, u32)> {
    let automated: Vec<bool> = evs.iter().map(|e| e.tier == Tier::Automated).collect();
    tests_that_run_nothing(files, evs);
    dvc_runs_without_pipeline(files, facts, evs);
    let failing = evs
        .iter()
        .zip(automated)
        .filter(|(e, was)| *was && e.tier != Tier::Automated)
        .filter_map(|(e, _)| Some((e.path.clone(), e.line?)))
        .collect();
    steps_in_another_repository(files, facts, evs);
    python_that_cannot_compile(facts, evs);
    pipelines_with_stub_training(facts, evs);
    dvc_training_stages_without_code(files, facts, evs);
    failing
}

/// A DVC pipeline (or an MLflow project) whose every stage or entry point named for training
/// (or running a command that says so) runs a script the repository does not hold (`cmd:
/// python src/train.py` with no `src/train.py`) has no training step that can run: its
/// `training` facet, read from the stage names, is dropped, with a note.
pub(crate) fn dvc_training_stages_without_code(
    files: &[String],
    facts: &Facts,
    evs: &mut [Evidence],
) {
    for e in evs.iter_mut().filter(|e| {
        e.capability == capability::ML_PIPELINE_ORCHESTRATION
            && e.facets.iter().any(|f| f == facet::TRAINING)
    }) {
        // DVC stages, or an MLflow project's entry points.
        let mlproject = matches!(crate::paths::file_name(&e.path), "MLproject" | "MLProject");
        let Some(FileFacts::Targets { targets, kind }) = facts.get(&e.path) else {
            continue;
        };
        if !(*kind == crate::model::TargetKind::Dvc || mlproject) {
            continue;
        }
        let here = crate::paths::parent(&e.path);
        let says_train = |s: &str| s.to_ascii_lowercase().contains("train");
        // Per training stage, the scripts its commands run, each with whether it is here.
        let stages: Vec<Vec<(String, bool)>> = targets
            .iter()
            .filter(|t| says_train(&t.name) || t.commands.iter().any(|c| says_train(&c.text)))
            .map(|t| {
                t.commands
                    .iter()
                    .filter(|c| !c.cwd.as_deref().is_some_and(|d| d.contains('$')))
                    .flat_map(|c| {
                        // The stage runs in its `wdir`, from the file's folder.
                        let base = match c.cwd.as_deref() {
                            Some(d) if d.starts_with('/') => {
                                Some(d.trim_start_matches('/').to_string())
                            }
                            Some(d) => crate::paths::join(here, d),
                            None => Some(here.to_string()),
                        };
                        crate::shell::parse_line(&c.text, &mut None)
                            .into_iter()
                            .map(move |s| (base.clone(), s))
                    })
                    .filter_map(|(base, s)| {
                        let script = crate::shell::handover::script_run(&s)?.to_string();
                        // Held where the stage runs, or (a path from the root) at the root.
                        let held = [base.as_deref().unwrap_or(""), ""]
                            .iter()
                            .filter_map(|b| crate::paths::join(b, &script))
                            .any(|p| files.binary_search(&p).is_ok());
                        Some((script, held))
                    })
                    .collect()
            })
            .collect();
        let missing = stages
            .iter()
            .all(|scripts| !scripts.is_empty() && scripts.iter().all(|(_, held)| !held));
        if stages.is_empty() || !missing {
            continue;
        }
        e.facets.retain(|f| f != facet::TRAINING);
        e.note = Some(format!(
            "its training stage runs `{}`, which the repository does not hold",
            stages[0][0].0
        ));
    }
}

/// A Python file whose indentation Python cannot compile (`facts::py_syntax`) runs nothing:
/// what a rule read in it is only mentioned, with a note.
pub(crate) fn python_that_cannot_compile(facts: &Facts, evs: &mut [Evidence]) {
    for e in evs.iter_mut().filter(|e| e.tier > Tier::Mentioned) {
        if let Some(FileFacts::Python {
            broken: Some(line), ..
        }) = facts.get(&e.path)
        {
            let why = format!(
                "Python cannot compile this file (its indentation at line {line}): nothing in it runs"
            );
            runs_nothing(e, &why);
            e.tier = Tier::Mentioned;
        }
    }
}

/// A test gate needs tests that exist: a Python test runner (`pytest`, `python -m unittest`,
/// `tox`, `nox`, `behave`) in a repository with no file it would collect (`test*.py`,
/// `*_test.py`, `*.feature`, a module under `tests/`) runs no tests, whatever runs it. Its `test-command` evidence stays
/// `implemented`, with a note, unless the command collects tests of another kind (doctests,
/// notebooks with nbval, a `-p` pattern of its own).
pub(crate) fn tests_that_run_nothing(files: &[String], evs: &mut [Evidence]) {
    let has_tests = files.iter().any(|f| {
        (crate::graph::collected_test(f) || crate::graph::is_test_file(f))
            && !matches!(crate::paths::file_name(f), "conftest.py" | "__init__.py")
    });
    if has_tests {
        return;
    }
    for e in evs.iter_mut().filter(|e| {
        e.rule == "test-command"
            && e.tier == Tier::Automated
            && !e.snippet.as_deref().is_some_and(|s| {
                ["doctest", "nbval", " -p ", "--pattern"]
                    .iter()
                    .any(|w| s.contains(w))
            })
    }) {
        runs_nothing(
            e,
            "runs a test runner, but the repository has no test file for it to collect: no tests run",
        );
    }
}

/// Evidence the automation reaches but that does nothing as committed: `implemented`, with why.
fn runs_nothing(e: &mut Evidence, why: &str) {
    e.tier = Tier::Implemented;
    e.chain.clear();
    e.triggers.clear();
    e.note = Some(why.into());
}

/// `dvc repro` (or `dvc exp run`) in a repository with no `dvc.yaml` or `Dvcfile` anywhere has
/// no pipeline to run: it fails, and what a rule read from its line (a pipeline run, a check)
/// stays `implemented`, with a note.
pub(crate) fn dvc_runs_without_pipeline(files: &[String], facts: &Facts, evs: &mut [Evidence]) {
    let has_pipeline = files.iter().any(|f| {
        matches!(
            crate::paths::file_name(f),
            "dvc.yaml" | "dvc.yml" | "Dvcfile"
        )
    });
    // A script that writes the stages (`dvc stage add`, `dvc run -n`) makes the pipeline the
    // command then runs (a generator of example repositories).
    let writes_stages = facts.iter().any(|(_, f)| {
        let mut any = false;
        f.each_command(&mut |_, c| {
            any |= c.text.contains("dvc stage add") || c.text.contains("dvc run ")
        });
        any
    });
    if has_pipeline || writes_stages {
        return;
    }
    let runs_dvc = |s: &str| {
        let words: Vec<&str> = s.split_whitespace().collect();
        // An old-style stage file named on the line (`dvc repro train.dvc`) is a pipeline.
        (words.windows(2).any(|w| w == ["dvc", "repro"])
            || words.windows(3).any(|w| w == ["dvc", "exp", "run"]))
            && !words.iter().any(|w| w.ends_with(".dvc"))
    };
    for e in evs
        .iter_mut()
        .filter(|e| e.tier == Tier::Automated && e.snippet.as_deref().is_some_and(runs_dvc))
    {
        runs_nothing(
            e,
            "runs `dvc repro`, but the repository has no dvc.yaml: there is no pipeline to run",
        );
    }
}

/// A pipeline whose steps' code lives in folders the repository does not have (an Azure ML
/// `PythonScriptStep(source_directory="data-science/src/")` of a template library whose
/// consumers hold that folder) trains in another repository: its `training` facet, read from
/// the definition's text, is dropped, with a note. Only when every such folder is absent; a
/// storage URI (`s3://...`) is no folder.
pub(crate) fn steps_in_another_repository(files: &[String], facts: &Facts, evs: &mut [Evidence]) {
    // A folder of the tree, or a file (`code="preprocess.py"` of a SageMaker step is the
    // script itself).
    let exists = |dir: &str| {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        files.iter().any(|f| f.starts_with(&prefix) || f == dir)
    };
    for e in evs.iter_mut().filter(|e| {
        e.capability == capability::ML_PIPELINE_ORCHESTRATION
            && e.facets.iter().any(|f| f == facet::TRAINING)
    }) {
        let Some(FileFacts::Python { code_dirs, .. }) = facts.get(&e.path) else {
            continue;
        };
        let here = crate::paths::parent(&e.path);
        let named: Vec<&String> = code_dirs
            .iter()
            // Code fetched from storage (`source_dir="s3://" + BUCKET + "/model.tar.gz"`) is
            // the pipeline's own, packaged: no folder of another repository.
            .filter(|d| !d.is_empty() && *d != "." && !d.contains(['$', '{', ':']))
            .collect();
        let absent =
            |d: &str| !exists(d) && crate::paths::join(here, d).is_none_or(|j| !exists(&j));
        if named.is_empty() || !named.iter().all(|d| absent(d)) {
            continue;
        }
        e.facets.retain(|f| f != facet::TRAINING);
        e.note = Some(format!(
            "its steps' code ({}) is not in this repository: a pipeline for another repository",
            named[0]
        ));
    }
}

/// A pipeline's `training` facet read from its text (a step named `retrain_model`) needs a
/// step that trains: in a file whose every function named for training is a stub
/// (`FileFacts::Python::training_stubs`: `pass  # YOUR CODE HERE`, a `return {"status": ...}`),
/// the facet is dropped, with a note. A pipeline that reaches training code elsewhere gets the
/// facet back from the graph (`add_graph_facets`).
pub(crate) fn pipelines_with_stub_training(facts: &Facts, evs: &mut [Evidence]) {
    for e in evs.iter_mut().filter(|e| {
        e.capability == capability::ML_PIPELINE_ORCHESTRATION
            && e.facets.iter().any(|f| f == facet::TRAINING)
            && matches!(
                facts.get(&e.path),
                Some(FileFacts::Python {
                    training_stubs: true,
                    ..
                })
            )
    }) {
        e.facets.retain(|f| f != facet::TRAINING);
        e.note.get_or_insert_with(|| {
            "its training steps are stubs: the functions named for training do nothing".into()
        });
    }
}

/// Facets reached through scripts (issue 16, class g): a CI job that runs a Makefile target, a
/// shell or Python script, a DVC stage or any other hop that builds the image or package is a
/// CI job that builds. Automated evidence with the `builds` facet outside the CI file whose job
/// reaches it gives that job a `ci` record with the facet, at the line that starts the chain,
/// with the same chain and triggers. (Deployment needs no such record: `continuous_delivery`
/// evidence in a script is promoted through the same chain.)
pub(crate) fn ci_builds_through_scripts(facts: &Facts, evs: &mut Vec<Evidence>) {
    let mut seen: BTreeSet<(String, Option<u32>)> = evs
        .iter()
        .filter(|e| e.capability == capability::CI && e.facets.iter().any(|f| f == facet::BUILDS))
        .map(|e| (e.path.clone(), e.line))
        .collect();
    let mut add = Vec::new();
    for e in evs.iter().filter(|e| {
        e.tier == Tier::Automated
            && e.capability != capability::CI
            && e.facets.iter().any(|f| f == facet::BUILDS)
    }) {
        let Some(first) = e.chain.first() else {
            continue;
        };
        let ci_entry = matches!(
            facts.get(&first.path),
            Some(FileFacts::Entry { system, .. }) if crate::ci::is_ci_system(system)
        );
        if !ci_entry || first.path == e.path || !seen.insert((first.path.clone(), first.line)) {
            continue;
        }
        let via = e.chain.get(1).map(|h| h.via.as_str()).unwrap_or("");
        add.push(Evidence {
            rule: "graph-ci-builds-through-script".into(),
            capability: capability::CI.into(),
            path: first.path.clone(),
            line: first.line,
            tier: Tier::Automated,
            chain: e.chain.clone(),
            triggers: e.triggers.clone(),
            origin: None,
            snippet: Some(crate::shell::shorten(&format!(
                "{via} → builds in {}",
                e.path
            ))),
            facets: vec![facet::BUILDS.into()],
            note: None,
            repository_rule: e.repository_rule,
        });
    }
    evs.extend(add);
}

/// Facets that need the graph: a pipeline that reaches training code contains a training
/// step; a deployment run by the same automation as tests or a validation gate is gated.
pub(crate) fn add_graph_facets(auto: &Automation, graph: &Graph, evs: &mut [Evidence]) {
    let mut index: HashMap<String, Vec<(Option<u32>, String)>> = HashMap::new();
    // A gate whose failure CI ignores gates nothing (docs/levels.md, "Release gates").
    let masked = |e: &Evidence| e.facets.iter().any(|f| f == facet::MASKED);
    for e in evs
        .iter()
        .filter(|e| e.tier >= Tier::Implemented && !masked(e))
    {
        index
            .entry(e.path.clone())
            .or_default()
            .push((e.line, e.capability.clone()));
    }
    // Checks run on pull requests gate what is deployed on push, by whichever CI system: the
    // code reaching the deploying branch passed them (made-with-ml: PR CI trains, evaluates and
    // tests; a push to main deploys). Whether branch protection requires them is not observable.
    // A check whose failure fails nothing (`continue-on-error`, `allow_failure`) gates nothing.
    let pr_checked = evs.iter().any(|e| {
        e.tier == Tier::Automated
            && !masked(e)
            && !auto.cannot_fail(&e.chain)
            && capability::RELEASE_GATES.contains(&e.capability.as_str())
            && e.triggers
                .iter()
                .any(|t| t.kind == TriggerKind::PullRequest)
    });
    // Release gates the deploying automation itself runs: automated checks that can fail
    // (a check in a job that never runs, or whose failure fails nothing, gates nothing), and
    // that check something: the pipeline's own run (`dvc repro`) is the release, not a gate.
    let mut gates: HashMap<String, Vec<(Option<u32>, String)>> = HashMap::new();
    for e in evs.iter().filter(|e| {
        e.tier == Tier::Automated
            && capability::RELEASE_GATES.contains(&e.capability.as_str())
            && !masked(e)
            && !e.facets.iter().any(|f| f == facet::RUNS_PIPELINE)
            && !auto.cannot_fail(&e.chain)
    }) {
        gates
            .entry(e.path.clone())
            .or_default()
            .push((e.line, e.capability.clone()));
    }
    for e in evs.iter_mut() {
        // Say so where the owner reads it: run outside pull requests, the pipeline's own run
        // checks nothing before the release it is part of.
        if e.facets.iter().any(|f| f == facet::RUNS_PIPELINE)
            && e.tier == Tier::Automated
            && e.note.is_none()
            && !e
                .triggers
                .iter()
                .any(|t| t.kind == TriggerKind::PullRequest)
        {
            e.note = Some(
                "the pipeline's own run: part of the release it precedes, not a gate before it"
                    .into(),
            );
        }
        if e.capability == capability::ML_PIPELINE_ORCHESTRATION
            && e.tier >= Tier::Implemented
            && !e.facets.iter().any(|f| f == facet::TRAINING)
            && Automation::reaches(graph, &e.path, &index, &[capability::MODEL_TRAINING])
        {
            e.facets.push(facet::TRAINING.into());
        }
        if e.capability == capability::ML_PIPELINE_ORCHESTRATION
            && e.facets.iter().any(|f| f == facet::TRAINING)
            && let Some(step) = training_step_that_fits_nothing(graph, &index, &e.path)
        {
            e.facets.retain(|f| f != facet::TRAINING);
            e.note.get_or_insert_with(|| {
                format!("its training step's code ({step}) fits no model: the step trains nothing")
            });
        }
        if e.capability == capability::CONTINUOUS_DELIVERY
            && e.tier == Tier::Automated
            && !e.facets.iter().any(|f| f == facet::GATED)
            && let Some(entry) = e.chain.first().map(|h| h.path.clone())
        {
            // Started by pushes: a push trigger, Azure Pipelines' default one, or a trigger
            // configured outside the repository (Cloud Build, Jenkins, CodePipeline), which
            // builds the branch the pull requests merge into.
            let on_push = e.triggers.iter().any(|t| {
                matches!(
                    t.kind,
                    TriggerKind::Push | TriggerKind::Default | TriggerKind::External
                )
            });
            // Held in its pipeline for a person's approval after the pipeline's own trigger.
            let approved = e.triggers.iter().any(crate::ci::is_approval)
                && e.triggers.iter().any(|t| t.kind != TriggerKind::Manual);
            // Started by another pipeline's success: that pipeline's checks gate it too.
            let upstream = auto.after_success.get(&entry).into_iter().flatten();
            // A follower's chain begins at its upstream: the follower's own checks count too.
            let followers = e
                .chain
                .iter()
                .skip(1)
                .map(|h| &h.path)
                .filter(|p| auto.entry_seeds.contains_key(p.as_str()));
            let gated = (on_push && pr_checked)
                || approved
                || std::iter::once(&entry)
                    .chain(upstream)
                    .chain(followers)
                    .any(|from| {
                        auto.entry_reach(graph, from)
                            .iter()
                            .any(|p| gates.contains_key(p.as_str()))
                    });
            if gated {
                e.facets.push(facet::GATED.into());
            }
        }
    }
}

/// Modules of Python's standard library a placeholder step imports (argument parsing, files,
/// logging): code importing only these can fit no model.
const STDLIB: &[&str] = &[
    "os",
    "sys",
    "argparse",
    "json",
    "pathlib",
    "logging",
    "time",
    "datetime",
    "typing",
    "re",
    "shutil",
    "random",
    "math",
    "dataclasses",
    "textwrap",
    "uuid",
];

/// The training step of a pipeline defined in Python whose code the graph reaches in the
/// repository (a file named for training: `src/component/train.py`) when that code imports
/// nothing but the standard library and nothing the pipeline reaches, nor the pipeline
/// itself, fits a model (no `model_training` evidence): a scaffold whose step only writes
/// "Trained model" to a file. None when the step's code is not in the repository (an image
/// built elsewhere), uses any library (a managed job, a baseline ripen does not read as
/// training), or anything fits.
fn training_step_that_fits_nothing(
    graph: &Graph,
    index: &HashMap<String, Vec<(Option<u32>, String)>>,
    pipeline: &str,
) -> Option<String> {
    if !pipeline.ends_with(".py") {
        return None;
    }
    let trains = |p: &str| {
        index
            .get(p)
            .is_some_and(|evs| evs.iter().any(|(_, c)| c == capability::MODEL_TRAINING))
    };
    if trains(pipeline) {
        return None;
    }
    let reached = std::cell::RefCell::new(Vec::new());
    Automation::reaches_file(graph, pipeline, |p| {
        reached.borrow_mut().push(p.to_string());
        false
    });
    let reached = reached.into_inner();
    if reached.iter().any(|p| trains(p)) {
        return None;
    }
    let placeholder = |p: &str| match graph.facts.get(p) {
        Some(FileFacts::Python { imports, .. }) => imports
            .iter()
            .all(|(_, m)| STDLIB.contains(&m.split('.').next().unwrap_or(m.as_str()))),
        _ => false,
    };
    reached.into_iter().find(|p| {
        p.ends_with(".py") && crate::paths::file_name(p).contains("train") && placeholder(p)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::test_support::ev;

    /// A pipeline whose training functions are all stubs loses its text-read training facet.
    #[test]
    fn stub_training_steps_train_nothing() {
        let facts = |stubs: bool| -> Facts {
            [(
                "pipelines/retrain.py".to_string(),
                FileFacts::Python {
                    imports: Vec::new(),
                    literals: Vec::new(),
                    code_dirs: Vec::new(),
                    schedules: Vec::new(),
                    dags: Vec::new(),
                    sys_paths: Vec::new(),
                    selectors: Vec::new(),
                    training_stubs: stubs,
                    broken: None,
                    routes: Vec::new(),
                },
            )]
            .into_iter()
            .collect()
        };
        for stubs in [true, false] {
            let mut evs = vec![ev(
                "ml_pipeline_orchestration",
                "pipelines/retrain.py",
                Tier::Implemented,
                &["training"],
            )];
            pipelines_with_stub_training(&facts(stubs), &mut evs);
            assert_eq!(evs[0].facets.is_empty(), stubs);
        }
    }

    /// A pipeline whose every step folder is absent loses its training facet; one whose folder
    /// exists keeps it.
    /// `dvc repro` without a `dvc.yaml` runs nothing; with one, it stays automated.
    #[test]
    fn dvc_repro_needs_a_pipeline_file() {
        let run = || {
            let mut e = ev(
                "ml_pipeline_orchestration",
                ".github/workflows/retrain.yml",
                Tier::Automated,
                &[],
            );
            e.snippet = Some("run: dvc repro".into());
            vec![e]
        };
        let mut misnamed = run();
        dvc_runs_without_pipeline(&["dcv.yaml".to_string()], &Facts::default(), &mut misnamed);
        assert_eq!(misnamed[0].tier, Tier::Implemented);
        assert!(misnamed[0].note.as_deref().unwrap().contains("no dvc.yaml"));
        let mut present = run();
        dvc_runs_without_pipeline(
            &["ml/dvc.yaml".to_string()],
            &Facts::default(),
            &mut present,
        );
        assert_eq!(present[0].tier, Tier::Automated);
    }

    #[test]
    fn steps_in_absent_folders_train_in_another_repository() {
        let facts_with = |dir: &str| -> Facts {
            [(
                "sdk/pipeline.py".to_string(),
                FileFacts::Python {
                    imports: Vec::new(),
                    literals: Vec::new(),
                    code_dirs: vec![dir.to_string()],
                    schedules: Vec::new(),
                    dags: Vec::new(),
                    sys_paths: Vec::new(),
                    selectors: Vec::new(),
                    training_stubs: false,
                    broken: None,
                    routes: Vec::new(),
                },
            )]
            .into_iter()
            .collect()
        };
        let files = vec!["sdk/pipeline.py".to_string(), "src/train.py".to_string()];
        let pipeline = || {
            vec![ev(
                "ml_pipeline_orchestration",
                "sdk/pipeline.py",
                Tier::Implemented,
                &[facet::TRAINING],
            )]
        };
        let mut elsewhere = pipeline();
        steps_in_another_repository(&files, &facts_with("data-science/src"), &mut elsewhere);
        assert!(elsewhere[0].facets.is_empty());
        assert!(
            elsewhere[0]
                .note
                .as_deref()
                .unwrap()
                .contains("data-science/src")
        );
        let mut here = pipeline();
        steps_in_another_repository(&files, &facts_with("src"), &mut here);
        assert_eq!(here[0].facets, vec![facet::TRAINING.to_string()]);
        // A step's `code=` naming the script itself, beside the definition.
        let mut script = pipeline();
        let files = vec![
            "sdk/pipeline.py".to_string(),
            "sdk/preprocess.py".to_string(),
        ];
        steps_in_another_repository(&files, &facts_with("preprocess.py"), &mut script);
        assert_eq!(script[0].facets, vec![facet::TRAINING.to_string()]);
    }
}
