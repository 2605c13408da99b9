//! Stage 5: the automation graph. Which evidence is *automated* (docs/levels.md, T3), and why.
//!
//! Entry points are CI configurations and orchestrator schedules; edges are what their
//! commands run (scripts, `python -m`, Makefile targets, DVC stages, job specs, Python imports).
//! Every implemented evidence record reachable from an entry point is promoted to automated and
//! given the chain of hops from the trigger to itself. Nothing is ever executed.

mod declared;
mod edges;
mod failures;
mod foreign;
mod images;
mod memo;
mod python_edges;
mod reach;
mod references;
mod resolve;
mod stops;
mod upstream;
mod walk;

pub(crate) use edges::{collected_test, is_test_file};
pub(crate) use images::tags_images;
pub use memo::{EdgeMemo, Probes};
pub use reach::jobs_at;
pub use walk::{build, build_shared};

use crate::model::{EntryPoint, Facts, FileFacts, Hop, Trigger, Unresolved};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};

pub(crate) type NodeId = (String, Option<String>);

#[derive(Debug, Clone)]
pub(crate) struct Reach {
    /// The shortest chain from any entry point.
    pub(crate) chain: Vec<Hop>,
    /// Indices into [`Automation::trigger_sets`]: the triggers of every seed that reaches here.
    pub(crate) trigger_sets: Vec<u32>,
    /// The walk modes every walk that reached here was in ([`memo::MODE_TESTS`],
    /// [`memo::MODE_TRACKING_OFF`]): a bit set only when no walk came without it.
    pub(crate) always: u8,
}

pub struct Graph<'a> {
    pub(crate) files: &'a [String],
    pub(crate) file_set: HashSet<&'a str>,
    /// Every directory holding a file (slices of `files`): most references name no directory
    /// of the tree, and this rejects them before any path is built.
    pub(crate) dir_set: HashSet<&'a str>,
    pub(crate) facts: &'a Facts,
    /// [`Graph::edges_entry`] memoised per (node, via tests): every walk from every entry point and
    /// every [`Automation::reaches`] query meets the same nodes again.
    pub(crate) edge_cache: &'a EdgeMemo,
    /// What the edge being computed reads of the file list (when the memo tracks it).
    pub(crate) recording: RefCell<Option<Probes>>,
    /// The images the repository's build commands tag, built when first asked
    /// ([`Graph::image_dockerfiles`]).
    pub(crate) images: std::cell::OnceCell<images::ImageIndex>,
    /// Per CI file, the jobs that never start ([`Graph::unstarted_jobs`]), with what finding
    /// them read of the file list: asked once per job node, computed once per file.
    pub(crate) unstarted: RefCell<stops::Unstarted>,
    /// The folders below the root that are Python projects of their own (a `pyproject.toml`,
    /// `setup.py` or `setup.cfg`), built when first asked ([`Graph::subprojects`]).
    pub(crate) subprojects: std::cell::OnceCell<Vec<&'a str>>,
    /// The scanned repository's names ([`crate::source::identity::names`]): a CI file that
    /// checks out a repository by another name builds that one. Empty: unknown.
    pub(crate) this_repository: Vec<String>,
    /// The YAML and JSON files that do not parse: a pipeline that includes one cannot load.
    pub(crate) unparsed: HashSet<String>,
}

#[derive(Debug, Default)]
pub struct Automation {
    pub entry_points: Vec<EntryPoint>,
    pub unresolved: Vec<Unresolved>,
    pub(crate) reached: HashMap<NodeId, Reach>,
    /// The jobs of each entry file that a walk reached (keys of `reached` with a job), for
    /// [`Automation::reach_of`]'s lines outside any job: scanning all of `reached` for them
    /// was a tenth of each `ripen history` assembly on azureml-examples (370 workflows).
    pub(crate) jobs_reached: HashMap<String, Vec<Option<String>>>,
    /// The trigger sets of the walks, shared by every node each walk reaches.
    pub(crate) trigger_sets: Vec<BTreeSet<Trigger>>,
    /// Per entry file, where its walks start: (node, hops in the seed chain). What an entry
    /// reaches is walked again when asked ([`Automation::entry_reach`]): keeping every entry's
    /// reach set cost more memory than the rest of the graph in a large monorepo.
    pub(crate) entry_seeds: HashMap<String, Vec<(NodeId, usize)>>,
    /// CI configurations that run nothing of this repository, with why
    /// (`graph::foreign::not_this_repositorys`: copies, retired pipelines, pipelines
    /// for another tree or that cannot load). They start no walk.
    pub copies: Vec<(String, String)>,
    /// Per CI file, the line ranges whose commands may fail without failing their job
    /// ([`crate::model::Job::may_fail`]): checks there gate nothing.
    pub(crate) may_fail: HashMap<String, Vec<(u32, u32)>>,
    /// Per CI file, the line ranges of jobs after a step that runs a script the repository
    /// lacks, with that script: the job fails there, so they never run.
    pub(crate) stopped: HashMap<String, Vec<(u32, u32, String)>>,
    /// Per CI file, the lines where its jobs fail for good ([`stops::Stops::fails`]).
    pub(crate) fails: HashMap<String, Vec<u32>>,
    /// Per CI file, the pipelines whose successful run starts it (a GitHub `workflow_run` job
    /// that checks the conclusion, an Azure pipeline-completion trigger): what gates their run
    /// gates what it deploys.
    pub(crate) after_success: HashMap<String, Vec<String>>,
}

impl Automation {
    /// Whether a walk reaches file `path` other than as a test's import.
    pub(crate) fn runs(&self, path: &str) -> bool {
        self.reached
            .get(&(path.to_string(), None))
            .is_some_and(|r| r.always & memo::MODE_TESTS == 0)
    }

    /// Whether the chain starts at a CI command whose failure fails nothing.
    pub(crate) fn cannot_fail(&self, chain: &[Hop]) -> bool {
        chain.first().is_some_and(|h| {
            let l = h.line.unwrap_or(0);
            self.may_fail
                .get(&h.path)
                .is_some_and(|r| r.iter().any(|(a, b)| (*a..=*b).contains(&l)))
        })
    }
}

pub(crate) fn target_line(facts: &Facts, path: &str, sub: &str) -> Option<u32> {
    match facts.get(path)? {
        FileFacts::Targets { targets, .. } => {
            targets.iter().find(|t| t.name == sub).map(|t| t.line)
        }
        FileFacts::Entry { jobs, .. } => jobs.iter().find(|j| j.name == sub).map(|j| j.line),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract;
    use crate::model::{Evidence, Tier, TriggerKind};
    use crate::read::Document;

    fn build_for(files: &[String], facts: &Facts) -> Automation {
        let memo = EdgeMemo::default();
        build(&Graph::new(files, facts, &memo), &[])
    }

    fn setup(files: &[(&str, &str)]) -> (Vec<String>, Facts) {
        let mut names: Vec<String> = files.iter().map(|(p, _)| p.to_string()).collect();
        names.sort();
        let facts = files
            .iter()
            .filter_map(|(p, c)| {
                extract::extract(&Document::new(p, c.to_string())).map(|f| (p.to_string(), f))
            })
            .collect();
        (names, facts)
    }

    fn ev(path: &str, line: u32) -> Evidence {
        Evidence {
            rule: "r".into(),
            capability: "model_training".into(),
            path: path.into(),
            line: Some(line),
            tier: Tier::Implemented,
            chain: Vec::new(),
            triggers: Vec::new(),
            origin: None,
            snippet: None,
            facets: Vec::new(),
            note: None,
            repository_rule: false,
        }
    }

    /// A Compose service built with the root as context (`context: .`, a Dockerfile in a
    /// folder) runs its `CMD` with the copies read from the root.
    #[test]
    fn compose_root_context_builds_run_their_cmd_from_the_root() {
        let (files, facts) = setup(&[
            (
                "Jenkinsfile",
                "pipeline {\n  agent any\n  stages {\n    stage('d') { steps { sh 'docker compose up -d' } }\n  }\n}\n",
            ),
            (
                "docker-compose.yml",
                "services:\n  trainer:\n    build:\n      context: .\n      dockerfile: src/training/training.Dockerfile\n",
            ),
            (
                "src/training/training.Dockerfile",
                "FROM python:3.10-slim\nWORKDIR /app\nCOPY src/ /app/src/\nCMD [\"python\", \"src/training/train.py\"]\n",
            ),
            ("src/training/train.py", "m.fit(x)\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![ev("src/training/train.py", 1)];
        auto.promote(&facts, &mut evs);
        assert_eq!(evs[0].tier, Tier::Automated, "{evs:?}");
    }

    /// A script named from a folder nothing resolves (an Azure Pipelines step's
    /// `workingDirectory: $(Agent.TempDirectory)/libs`) cannot be looked up: the job is not
    /// stopped there.
    #[test]
    fn a_script_in_an_unknown_folder_stops_nothing() {
        let pipe = "trigger: [main]\nsteps:\n  - script: python setup.py bdist_wheel\n    workingDirectory: $(Agent.TempDirectory)/libs\n  - script: python src/train.py\n";
        let (files, facts) = setup(&[
            ("azure-pipelines.yml", pipe),
            ("libs/a/setup.py", "setup()\n"),
            ("src/train.py", "m.fit(x)\n"),
        ]);
        let auto = build_for(&files, &facts);
        assert!(
            auto.stopped
                .get("azure-pipelines.yml")
                .is_none_or(|s| s.is_empty()),
            "{:?}",
            auto.stopped
        );
    }

    /// A GitLab job of a later stage never starts after an earlier job that always fails,
    /// but only in the pipelines that failing job is part of: a schedule-only job's failure
    /// holds back no push pipeline.
    #[test]
    fn a_later_stage_waits_only_for_jobs_of_its_own_pipelines() {
        let ci = "stages: [test, train]\nlint:\n  stage: test\n  script:\n    - pip install -r requirements-dev.txt\nmonitor:\n  stage: test\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"schedule\"\n  script:\n    - python monitoring/absent.py\ntrain:\n  stage: train\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"push\"\n  script:\n    - python src/train.py\nretrain:\n  stage: train\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"schedule\"\n  script:\n    - python src/train.py\n";
        let memo = EdgeMemo::default();
        let (files, facts) = setup(&[(".gitlab-ci.yml", ci), ("src/train.py", "m.fit(x)\n")]);
        let graph = Graph::new(&files, &facts, &memo);
        let stops = graph.job_stops(".gitlab-ci.yml");
        // `lint` (every pipeline) fails: both train jobs wait for it.
        assert_eq!(
            stops.unstarted,
            vec!["train", "retrain"],
            "{:?}",
            stops.ranges
        );
        let without_lint = ci.replace("requirements-dev.txt", "requirements.txt");
        let (files, facts) = setup(&[
            (".gitlab-ci.yml", &without_lint),
            ("src/train.py", "m.fit(x)\n"),
            ("requirements.txt", "scikit-learn\n"),
        ]);
        let graph = Graph::new(&files, &facts, &memo);
        // Only the scheduled `monitor` fails: the push pipeline's `train` still runs.
        assert_eq!(graph.job_stops(".gitlab-ci.yml").unstarted, vec!["retrain"]);
    }

    /// A job stops at a step that runs a script the repository lacks: nothing after it in
    /// that job runs. A script an earlier step could have fetched, a masked step (`|| true`,
    /// `continue-on-error`), a script named through an unknown variable and other jobs are
    /// not stopped.
    #[test]
    fn a_job_stops_at_an_absent_script() {
        let wf = "on: [push]\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: python missing.py\n      - run: python src/train.py\n  b:\n    runs-on: x\n    steps:\n      - run: python gone.py || true\n      - run: python src/train.py\n  c:\n    runs-on: x\n    steps:\n      - run: git clone https://x/y.git && python fetched.py\n      - run: python src/train.py\n  d:\n    runs-on: x\n    steps:\n      - run: python $SCRIPT\n      - run: python src/train.py\n  e:\n    runs-on: x\n    steps:\n      - run: python optional.py\n        continue-on-error: true\n      - run: python src/train.py\n  f:\n    runs-on: x\n    steps:\n      - run: |\n          ./check.sh || {\n            exit 0\n          }\n      - run: python src/train.py\n";
        let (files, facts) = setup(&[
            (".github/workflows/ci.yml", wf),
            ("src/train.py", "m.fit(x)\n"),
        ]);
        let auto = build_for(&files, &facts);
        let stopped = &auto.stopped[".github/workflows/ci.yml"];
        assert_eq!(stopped.len(), 1, "{stopped:?}");
        assert_eq!(stopped[0].0, 7);
        assert!(stopped[0].2.contains("`missing.py`"), "{stopped:?}");
        let mut evs = vec![
            ev(".github/workflows/ci.yml", 7),
            ev(".github/workflows/ci.yml", 12),
        ];
        auto.promote(&facts, &mut evs);
        assert_eq!(evs[0].tier, Tier::Implemented);
        assert!(evs[0].note.as_deref().unwrap_or("").contains("missing.py"));
        assert_eq!(evs[1].tier, Tier::Automated);
        // Jobs b, c and d still reach the training script.
        let mut train = vec![ev("src/train.py", 1)];
        auto.promote(&facts, &mut train);
        assert_eq!(train[0].tier, Tier::Automated);
    }

    #[test]
    fn schedule_make_python_chain() {
        let (files, facts) = setup(&[
            (
                ".github/workflows/train.yml",
                "on:\n  schedule:\n    - cron: '0 3 * * 1'\njobs:\n  train:\n    runs-on: x\n    steps:\n      - run: make train\n",
            ),
            (
                "Makefile",
                "lint:\n\truff check .\ntrain:\n\tpython src/train.py\n",
            ),
            ("src/train.py", "from src.model import fit\nfit()\n"),
            ("src/model.py", "def fit():\n    m.fit(x)\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![ev("src/model.py", 2), ev("Makefile", 2)];
        auto.promote(&facts, &mut evs);
        assert_eq!(evs[0].tier, Tier::Automated);
        let chain: Vec<String> = evs[0]
            .chain
            .iter()
            .map(|h| format!("{}:{}", h.path, h.line.unwrap_or(0)))
            .collect();
        assert_eq!(
            chain,
            vec![
                ".github/workflows/train.yml:8",
                "Makefile:4",
                "src/train.py:1",
                "src/model.py:2"
            ]
        );
        assert_eq!(evs[0].chain[0].via, "schedule \"0 3 * * 1\"");
        assert_eq!(evs[0].triggers[0].kind, TriggerKind::Schedule);
        // The lint target is not reached by `make train`.
        assert_eq!(evs[1].tier, Tier::Implemented);
    }

    /// Walks of one trigger set stop where an earlier walk of that set already passed no
    /// longer, but a later walk arriving shorter still goes on and shortens the chains below.
    #[test]
    fn later_walks_of_the_same_triggers_still_shorten_chains() {
        let (files, facts) = setup(&[
            (
                ".github/workflows/ci.yml",
                "on: [push]\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: python a.py\n  b:\n    runs-on: x\n    steps:\n      - run: python x.py\n  c:\n    runs-on: x\n    steps:\n      - run: python a.py\n",
            ),
            ("a.py", "import b_mod\n"),
            ("b_mod.py", "import x\n"),
            ("x.py", "import y\n"),
            ("y.py", "def fit():\n    m.fit(x)\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![ev("y.py", 2), ev("b_mod.py", 1)];
        auto.promote(&facts, &mut evs);
        let chain = |e: &Evidence| -> Vec<String> {
            e.chain
                .iter()
                .map(|h| format!("{}:{}", h.path, h.line.unwrap_or(0)))
                .collect()
        };
        // Job b reaches y.py in fewer hops than job a did before it.
        assert_eq!(
            chain(&evs[0]),
            vec![".github/workflows/ci.yml:10", "x.py:1", "y.py:2"]
        );
        // Job c arrives where job a already was: a's chain stays.
        assert_eq!(
            chain(&evs[1]),
            vec![".github/workflows/ci.yml:6", "a.py:1", "b_mod.py:1"]
        );
    }

    #[test]
    fn lint_only_workflow_does_not_automate_training() {
        let (files, facts) = setup(&[
            (
                ".github/workflows/lint.yml",
                "on: [push]\njobs:\n  lint:\n    runs-on: x\n    steps:\n      - run: ruff check src/ && mypy src/train.py\n",
            ),
            ("src/train.py", "model.fit(x)\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![ev("src/train.py", 1)];
        auto.promote(&facts, &mut evs);
        assert_eq!(evs[0].tier, Tier::Implemented);
    }

    #[test]
    fn tests_do_not_make_imported_training_automated() {
        let (files, facts) = setup(&[
            (
                ".github/workflows/ci.yml",
                "on: [push]\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: pytest\n",
            ),
            ("tests/test_train.py", "from src.train import fit\n"),
            ("src/train.py", "model.fit(x)\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![
            ev("src/train.py", 1),
            ev_of("unit_tests", "tests/test_train.py", 1),
        ];
        auto.promote(&facts, &mut evs);
        assert_eq!(evs[0].tier, Tier::Implemented);
        assert_eq!(evs[1].tier, Tier::Automated);
    }

    /// `--cov=src` names the code the tests measure; it does not run `src/` (issue 16, class
    /// b). A test directory beside the code runs its test files only, and a Dockerfile that
    /// copies a directory runs nothing in it.
    #[test]
    fn coverage_targets_and_copies_are_not_run() {
        let (files, facts) = setup(&[
            (
                ".github/workflows/ci.yml",
                "on: [push]\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: pytest tests --cov=src --cov-report=xml\n      - run: python -m pytest src --cov src\n      - run: mypy src && ruff check src\n      - run: docker build -t x .\n      - run: docker run -v src:/app x pytest\n",
            ),
            ("tests/test_train.py", "from src.train import fit\n"),
            ("src/train.py", "model.fit(x)\n"),
            ("src/test_model.py", "def test_fit():\n    pass\n"),
            (
                "Dockerfile",
                "FROM python\nCOPY src /app/src\nRUN pip install -r /app/src/requirements.txt\n",
            ),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![
            ev("src/train.py", 1),
            ev_of("unit_tests", "tests/test_train.py", 1),
            ev_of("unit_tests", "src/test_model.py", 1),
        ];
        auto.promote(&facts, &mut evs);
        assert_eq!(evs[0].tier, Tier::Implemented, "{:?}", evs[0].chain);
        assert_eq!(evs[1].tier, Tier::Automated);
        assert_eq!(evs[2].tier, Tier::Automated);
    }

    /// The tier `train.py` (a training call) gets when the workflow `ci` is the repository's
    /// only CI file.
    fn training_tier(ci: &str) -> Tier {
        let (files, facts) = setup(&[
            (".github/workflows/ci.yml", ci),
            ("train.py", "model.fit(x)\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![ev_of("model_training", "train.py", 1)];
        auto.promote(&facts, &mut evs);
        evs[0].tier
    }

    fn ev_of(capability: &str, path: &str, line: u32) -> Evidence {
        Evidence {
            capability: capability.into(),
            ..ev(path, line)
        }
    }

    /// Known over-detection (issue 16, class i): CI that runs the training code only through
    /// tests or a smoke run does not train, and tracking on a path CI switches off does not
    /// track. A full run of the same script still does both.
    /// A runner pointed at a folder (`mlflow.run("src/train")` in a driver under `ml/`) finds
    /// the folder from the driver's own place, never the root's file of the same name.
    #[test]
    fn a_named_folder_is_found_from_the_driver_not_the_root() {
        let (files, facts) = setup(&[
            (
                ".github/workflows/ci.yml",
                "on: [push]\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: python ml/driver.py\n",
            ),
            (
                "ml/driver.py",
                "import mlflow\nmlflow.run(\"src/train\", \"main\")\nmlflow.run(\"src/eval\")\n",
            ),
            (
                "ml/src/train/MLproject",
                "name: train\nentry_points:\n  main:\n    command: python fit.py\n",
            ),
            ("ml/src/train/fit.py", "model.fit(x)\n"),
            (
                "MLproject",
                "name: root\nentry_points:\n  main:\n    command: python root.py\n",
            ),
            ("root.py", "print(1)\n"),
        ]);
        let auto = build_for(&files, &facts);
        assert!(auto.runs("ml/src/train/fit.py"));
        assert!(!auto.runs("root.py"));
    }

    #[test]
    fn smoke_runs_and_switched_off_tracking_are_not_automated() {
        let (files, facts) = setup(&[
            (
                ".github/workflows/ci.yml",
                "on: [push]\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: pytest tests\n      - run: python smoke.py --fast_dev_run\n      - run: python steps.py --max_steps 10\n      - run: WANDB_MODE=disabled python quiet.py\n      - run: python flags.py --no-track\n",
            ),
            (
                ".github/workflows/train.yml",
                "on:\n  schedule:\n    - cron: '0 3 * * 1'\njobs:\n  train:\n    runs-on: x\n    steps:\n      - run: python full.py --max_steps 50000\n",
            ),
            ("tests/test_train.py", "def test_fit():\n    model.fit(x)\n"),
            ("smoke.py", "model.fit(x)\n"),
            ("steps.py", "model.fit(x)\n"),
            ("quiet.py", "wandb.log(m)\nmodel.fit(x)\n"),
            ("flags.py", "mlflow.log_metric(m)\n"),
            ("full.py", "wandb.log(m)\nmodel.fit(x)\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![
            ev_of("model_training", "tests/test_train.py", 2),
            ev_of("unit_tests", "tests/test_train.py", 1),
            ev_of("model_training", "smoke.py", 1),
            ev_of("model_training", "steps.py", 1),
            ev_of("experiment_tracking", "quiet.py", 1),
            ev_of("model_training", "quiet.py", 2),
            ev_of("experiment_tracking", "flags.py", 1),
            ev_of("experiment_tracking", "full.py", 1),
            ev_of("model_training", "full.py", 2),
        ];
        auto.promote(&facts, &mut evs);
        let tiers: Vec<(String, Tier)> = evs
            .iter()
            .map(|e| (format!("{}:{}", e.path, e.capability), e.tier))
            .collect();
        let want = [
            Tier::Implemented,
            Tier::Automated,
            Tier::Implemented,
            Tier::Implemented,
            Tier::Implemented,
            Tier::Automated,
            Tier::Implemented,
            Tier::Automated,
            Tier::Automated,
        ];
        for ((name, got), want) in tiers.iter().zip(want) {
            assert_eq!(*got, want, "{name}: {tiers:?}");
        }
        assert!(evs[2].note.as_deref().is_some_and(|n| n.contains("smoke")));
    }

    /// A test runner given a glob over a folder's files (`pytest -s tests/*`) reaches them.
    #[test]
    fn test_runner_globs_reach_the_folder() {
        let (files, facts) = setup(&[
            (
                ".circleci/config.yml",
                "version: 2\njobs:\n  build:\n    steps:\n      - run:\n          command: PYTHONPATH=. pytest -s tests/*\n",
            ),
            ("tests/test_a.py", "def test_a():\n    assert 1\n"),
        ]);
        let auto = build_for(&files, &facts);
        assert!(auto.reached.keys().any(|(p, _)| p == "tests/test_a.py"));
    }

    /// A trial run (docs/levels.md): a GitHub job that only pull requests start (the
    /// workflow's `pull_request`, or its `if:` on the event) and that keeps nothing trains
    /// only as a test does. The same job uploading its model, holding a secret, or started by
    /// the push too, trains for real.
    #[test]
    fn pull_request_trials_that_keep_nothing_are_not_automated() {
        let tier = |job: &str| {
            let ci = format!(
                "on:\n  push:\n  pull_request:\njobs:\n  train:\n    runs-on: x\n{job}    steps:\n      - uses: actions/setup-python@v5\n        with:\n          python-version: '3.11'\n      - run: python train.py\n"
            );
            training_tier(&ci)
        };
        let pr_only = "    if: github.event_name == 'pull_request'\n";
        assert_eq!(tier(pr_only), Tier::Implemented);
        assert_eq!(tier(""), Tier::Automated);
        let kept = [
            "    if: github.event_name == 'pull_request'\n    env:\n      MLFLOW_TRACKING_URI: ${{ secrets.MLFLOW_URI }}\n",
            "    if: ${{ github.event_name == 'pull_request' }}\n    permissions:\n      id-token: write\n",
        ];
        for job in kept {
            assert_eq!(tier(job), Tier::Automated, "{job}");
        }
        let upload = format!(
            "{pr_only}    steps:\n      - run: python train.py\n      - uses: actions/upload-artifact@v4\n        with:\n          path: model.pkl\n"
        );
        let ci = format!(
            "on: [pull_request]\njobs:\n  train:\n    runs-on: x\n{}",
            upload.replacen(pr_only, "", 1)
        );
        assert_eq!(training_tier(&ci), Tier::Automated);
    }

    /// A push job named as a test of the whole (`Example End-to-End`) that keeps nothing only
    /// tries the code out; the same job named for its work trains.
    #[test]
    fn end_to_end_test_jobs_that_keep_nothing_are_not_automated() {
        let tier = |name: &str| {
            let ci = format!(
                "on: [push]\njobs:\n  e2e:\n    name: {name}\n    runs-on: x\n    steps:\n      - run: python train.py\n      - run: pytest test_service.py\n"
            );
            training_tier(&ci)
        };
        assert_eq!(
            tier("Example End-to-End (train, serve, test)"),
            Tier::Implemented
        );
        assert_eq!(tier("Train and evaluate"), Tier::Automated);
    }

    /// A root buildspec is started from outside, unless the repository declares its CodeBuild
    /// project: then the project says when (its webhook's pushes, or by hand without one).
    #[test]
    fn declared_codebuild_projects_say_when_the_buildspec_starts() {
        let reached_on_push = |triggers: &str| {
            let template = format!(
                "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Build:\n    Type: AWS::CodeBuild::Project\n    Properties:\n      Source:\n        Type: GITHUB\n        Location: https://github.com/acme/forecast\n{triggers}"
            );
            let buildspec =
                "version: 0.2\nphases:\n  build:\n    commands:\n      - python train.py\n";
            let (files, facts) = setup(&[
                ("infra/pipeline.yml", template.as_str()),
                ("buildspec.yml", buildspec),
                ("train.py", "model.fit(x)\n"),
            ]);
            let auto = build_for(&files, &facts);
            let mut evs = vec![ev_of("model_training", "train.py", 1)];
            auto.promote(&facts, &mut evs);
            evs[0].triggers.iter().map(|t| t.kind).collect::<Vec<_>>()
        };
        assert_eq!(reached_on_push(""), vec![TriggerKind::Manual]);
        assert_eq!(
            reached_on_push(
                "      Triggers:\n        Webhook: true\n        FilterGroups:\n          - - Type: EVENT\n              Pattern: PUSH\n"
            ),
            vec![TriggerKind::Push]
        );
    }

    /// A CodePipeline's buildspec file is a path from the root: one that exists only beside the
    /// template (a folder meant to become its own repository) is not what it runs.
    #[test]
    fn buildspec_files_are_found_from_the_root_only() {
        let template = "Resources:\n  Build:\n    Type: AWS::CodeBuild::Project\n    Properties:\n      Source:\n        BuildSpec: model-code/buildspec.yml\n  Pipe:\n    Type: AWS::CodePipeline::Pipeline\n    Properties:\n      Stages:\n        - Name: Source\n          Actions:\n            - ActionTypeId: {Category: Source, Provider: CodeCommit}\n              Configuration: {RepositoryName: models}\n        - Name: Build\n          Actions:\n            - ActionTypeId: {Category: Build, Provider: CodeBuild}\n              Configuration: {ProjectName: !Ref Build}\n";
        let buildspec = "version: 0.2\nphases:\n  build:\n    commands:\n      - python train.py\n";
        let reached = |spec_at: &str| {
            let (files, facts) = setup(&[
                ("lab/pipeline.yml", template),
                (spec_at, buildspec),
                ("train.py", "model.fit(x)\n"),
            ]);
            let memo = EdgeMemo::default();
            let graph = Graph::new(&files, &facts, &memo);
            graph
                .edges_entry(&("lab/pipeline.yml".to_string(), None), false)
                .0
                .iter()
                .any(|e| e.to.0 == spec_at)
        };
        assert!(reached("model-code/buildspec.yml"));
        assert!(!reached("lab/model-code/buildspec.yml"));
    }

    /// A test step whose failure CI ignores (`|| true`, `set +e`) gates nothing: the
    /// deployment after it is not gated; without the mask it is.
    #[test]
    fn masked_tests_gate_nothing() {
        let run = |mask: &str| {
            let ci = format!(
                "on: [push]\njobs:\n  d:\n    runs-on: x\n    steps:\n      - run: pytest tests{mask}\n      - run: kubectl apply -f k8s/deploy.yaml\n"
            );
            let (files, facts) = setup(&[
                (".github/workflows/ci.yml", ci.as_str()),
                ("tests/test_a.py", "def test_a():\n    assert 1\n"),
                ("k8s/deploy.yaml", "kind: Deployment\n"),
            ]);
            let memo = EdgeMemo::default();
            let graph = Graph::new(&files, &facts, &memo);
            let auto = build(&graph, &[]);
            let mut evs = vec![
                ev_of("unit_tests", "tests/test_a.py", 1),
                ev_of("unit_tests", ".github/workflows/ci.yml", 6),
                ev_of("continuous_delivery", ".github/workflows/ci.yml", 7),
            ];
            auto.promote(&facts, &mut evs);
            crate::assess::facets::add_graph_facets(&auto, &graph, &mut evs);
            evs
        };
        let has = |e: &Evidence, f: &str| e.facets.iter().any(|x| x == f);
        let masked = run(" || true");
        assert!(
            masked.iter().all(|e| e.tier == Tier::Automated),
            "{masked:?}"
        );
        assert!(has(&masked[0], "masked") && has(&masked[1], "masked"));
        assert!(!has(&masked[2], "gated"), "{masked:?}");
        let plain = run("");
        assert!(!has(&plain[0], "masked") && !has(&plain[1], "masked"));
        assert!(has(&plain[2], "gated"), "{plain:?}");
    }

    #[test]
    fn cycles_terminate_and_unresolved_is_kept() {
        let (files, facts) = setup(&[
            (
                ".gitlab-ci.yml",
                "build:\n  script:\n    - make all\n    - python missing/run.py\n",
            ),
            ("Makefile", "all: all\n\tmake all\n\tbash a.sh\n"),
            ("a.sh", "source b.sh\nbash b.sh\n"),
            ("b.sh", "bash a.sh\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![ev("b.sh", 1)];
        auto.promote(&facts, &mut evs);
        assert_eq!(evs[0].tier, Tier::Automated);
        assert!(
            auto.unresolved
                .iter()
                .any(|u| u.command.contains("missing/run.py"))
        );
    }

    /// `just`, `task` and npm/yarn/pnpm scripts are targets like make's: what they run is
    /// reached through them.
    #[test]
    fn task_runners_reach_their_commands() {
        let (files, facts) = setup(&[
            (
                ".github/workflows/ci.yml",
                "on: push\njobs:\n  d:\n    runs-on: x\n    steps:\n      - run: just ship\n      - run: task train\n      - run: cd web && npm run deploy\n      - run: npm run deploy\n",
            ),
            (
                "justfile",
                "ship env=\"prod\": \n    bash deploy.sh {{env}}\n",
            ),
            ("deploy.sh", "kubectl apply -f k8s/\n"),
            (
                "Taskfile.yml",
                "version: '3'\ntasks:\n  train:\n    cmds:\n      - python train.py\n",
            ),
            ("train.py", "model.fit(x)\n"),
            (
                "web/package.json",
                "{\n  \"scripts\": {\n    \"deploy\": \"flyctl deploy\"\n  }\n}\n",
            ),
            (
                "package.json",
                "{\n  \"scripts\": {\n    \"deploy\": \"flyctl deploy\"\n  }\n}\n",
            ),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![
            ev("deploy.sh", 1),
            ev("train.py", 1),
            ev("web/package.json", 3),
            ev("package.json", 3),
        ];
        auto.promote(&facts, &mut evs);
        for e in &evs {
            assert_eq!(e.tier, Tier::Automated, "{}", e.path);
        }
    }

    /// The Python task runners' tasks are targets too, and a runner without the task does what
    /// it would without one: `pdm run python x.py` runs the script, a bare `tox` without any
    /// configuration is a test run, `hatch run lint:all` of an environment that inherits
    /// `default`'s scripts runs them, a setup.cfg tox environment runs its commands.
    #[test]
    fn python_task_runners_reach_their_commands() {
        let (files, facts) = setup(&[
            (
                ".github/workflows/ci.yml",
                "on: push\njobs:\n  d:\n    runs-on: x\n    steps:\n      - run: pdm run python eval.py\n      - run: hatch run lint:fit\n      - run: cd svc && tox -e train\n      - run: cd docs && tox\n      - run: pdm run report\n      - run: dvc repro\n",
            ),
            ("eval.py", "model.fit(x)\n"),
            (
                "pyproject.toml",
                "[tool.hatch.envs.default.scripts]\nfit = \"python fit.py\"\n[tool.hatch.envs.lint]\n[tool.pdm.scripts]\nreport = { call = \"pkg.report:main\" }\n",
            ),
            ("fit.py", "model.fit(x)\n"),
            ("pkg/report.py", "model.fit(x)\n"),
            (
                "svc/setup.cfg",
                "[metadata]\nname = svc\n[testenv:train]\ncommands = python {toxinidir}/train.py\n",
            ),
            ("svc/train.py", "model.fit(x)\n"),
            ("docs/tests/test_docs.py", "def test_a():\n    assert 1\n"),
            ("Dvcfile", "cmd: python stage.py\nouts:\n- path: m.pkl\n"),
            ("stage.py", "model.fit(x)\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![
            ev("eval.py", 1),
            ev("fit.py", 1),
            ev("pkg/report.py", 1),
            ev("svc/train.py", 1),
            ev_of("unit_tests", "docs/tests/test_docs.py", 1),
            ev("stage.py", 1),
        ];
        auto.promote(&facts, &mut evs);
        for e in &evs {
            assert_eq!(e.tier, Tier::Automated, "{}", e.path);
        }
    }

    #[test]
    fn dvc_repro_reaches_stage_commands() {
        let (files, facts) = setup(&[
            (
                "Jenkinsfile",
                "pipeline {\n  stages {\n    stage('t') { steps { sh 'dvc repro' } }\n  }\n}\n",
            ),
            (
                "dvc.yaml",
                "stages:\n  train:\n    cmd: python src/train.py\n    deps: [src/train.py]\n",
            ),
            ("src/train.py", "model.fit(x)\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![ev("src/train.py", 1)];
        auto.promote(&facts, &mut evs);
        assert_eq!(evs[0].tier, Tier::Automated);
        assert_eq!(evs[0].triggers[0].kind, TriggerKind::External);
    }

    /// Shell lines as CI files write them: a `#` inside quotes, a command substitution and a
    /// command continued over lines with `\` all reach the script.
    #[test]
    fn shell_lines_reach_their_scripts() {
        let (files, facts) = setup(&[
            (
                ".github/workflows/ci.yml",
                "on: [push]\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: |\n          echo \"step #1\"; python a.py\n          echo \"$(python b.py)\"\n          python c.py \\\n            --epochs 3\n",
            ),
            ("a.py", "fit()\n"),
            ("b.py", "fit()\n"),
            ("c.py", "fit()\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![ev("a.py", 1), ev("b.py", 1), ev("c.py", 1)];
        auto.promote(&facts, &mut evs);
        let lines: Vec<Option<u32>> = evs.iter().map(|e| e.chain[0].line).collect();
        assert!(evs.iter().all(|e| e.tier == Tier::Automated), "{evs:?}");
        assert_eq!(lines, vec![Some(7), Some(8), Some(9)]);
    }

    /// A GitOps application deploys its path on a push to it: the manifests there are
    /// reached. One whose path is not in this tree (another repository's folder) starts
    /// nothing, even in the same file, and a manual sync is started by a person.
    #[test]
    fn gitops_applications_apply_their_path_when_it_is_here() {
        let app = |name: &str, path: &str, policy: &str| {
            format!(
                "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\nspec:\n  source:\n    repoURL: https://github.com/acme/ml\n    path: {path}\n{policy}"
            )
        };
        let auto_sync = "  syncPolicy:\n    automated: {}\n";
        let apps = format!(
            "{}---\n{}---\n{}",
            app("serving", "k8s", auto_sync),
            app("platform", "monitoring", auto_sync),
            app("canary", "canary", "")
        );
        let (files, facts) = setup(&[
            ("argocd/apps.yaml", apps.as_str()),
            ("k8s/isvc.yaml", "kind: InferenceService\n"),
            ("canary/isvc.yaml", "kind: InferenceService\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![ev("k8s/isvc.yaml", 1), ev("canary/isvc.yaml", 1)];
        auto.promote(&facts, &mut evs);
        assert_eq!(evs[0].tier, Tier::Automated);
        assert_eq!(evs[0].triggers[0].kind, TriggerKind::Push);
        assert_eq!(evs[0].chain[1].via, "applies k8s");
        assert_eq!(evs[1].triggers[0].kind, TriggerKind::Manual);
        let platform = auto
            .entry_points
            .iter()
            .find(|e| e.job.as_deref() == Some("platform"))
            .expect("listed");
        assert!(platform.triggers.is_empty(), "{platform:?}");
    }
}
