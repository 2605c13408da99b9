//! Parts of a repository scored on their own, after the graph and before the report: the
//! sub-projects of a monorepo (`--per-project`, beside the whole-repository verdict) and
//! separate systems, whose best part becomes the repository's verdict (CI confined to one
//! directory is not credited to training elsewhere).

use crate::assess::capabilities;
use crate::catalogue::Catalogue;
use crate::graph::{Automation, Graph};
use crate::model::{Evidence, Facts, FileFacts, ModelResult, Tier};
use std::collections::{BTreeMap, HashMap};

/// Files that make a directory a project root of its own inside a monorepo.
pub(crate) const PROJECT_MARKERS: &[&str] = &[
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "dvc.yaml",
    "MLproject",
    "databricks.yml",
];

/// Sub-project roots: directories below the root holding a project marker, outermost only.
pub(crate) fn sub_projects(files: &[String]) -> Vec<String> {
    let roots: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let (dir, name) = f.rsplit_once('/')?;
            PROJECT_MARKERS.contains(&name).then(|| dir.to_string())
        })
        .collect();
    let mut outer = outermost(&roots);
    outer.truncate(100);
    outer
}

/// The evidence that belongs to a sub-project: its own files, plus automated evidence from
/// outside it (a root CI workflow) whose entry point reaches into it. Attestations and waivers
/// are repository-wide and stay with the whole-repository verdict.
pub(crate) fn project_evidence(
    auto: &Automation,
    graph: &Graph,
    root: &str,
    evs: &[Evidence],
) -> Vec<Evidence> {
    let prefix = format!("{root}/");
    let mut known: HashMap<String, bool> = HashMap::new();
    let mut reaches = |entry: &str| -> bool {
        *known.entry(entry.to_string()).or_insert_with(|| {
            auto.entry_reach(graph, entry)
                .iter()
                .any(|p| p.starts_with(&prefix))
        })
    };
    evs.iter()
        .filter(|e| {
            e.path.starts_with(&prefix)
                || e.path == ".git"
                || (e.tier == Tier::Automated && e.chain.first().is_some_and(|h| reaches(&h.path)))
        })
        .cloned()
        .collect()
}

/// `a/tests` → `a`, `tests` → `` (root), `tests/unit` → `` (a test suite's sub-folder): the
/// project a test directory belongs to.
fn test_dir_parent(dir: &str) -> Option<String> {
    let parts: Vec<&str> = dir.split('/').collect();
    let i = parts
        .iter()
        .position(|p| matches!(*p, "tests" | "test" | "unit_tests" | "integration_tests"))?;
    Some(parts[..i].join("/"))
}

/// The deepest directory holding every path (root: "").
pub(crate) fn common_dir<'a>(paths: impl IntoIterator<Item = &'a str>) -> String {
    let mut common: Option<Vec<&str>> = None;
    for p in paths {
        let dir: Vec<&str> = p.split('/').collect();
        let dir = &dir[..dir.len() - 1];
        common = Some(match common {
            None => dir.to_vec(),
            Some(c) => c
                .iter()
                .zip(dir)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| *a)
                .collect(),
        });
    }
    common.unwrap_or_default().join("/")
}

/// Files that make a directory a system of its own among its siblings (a course's chapter, an
/// example): a project marker, or its own build, documentation or requirements.
const SYSTEM_MARKERS: &[&str] = &[
    "Makefile",
    "README.md",
    "requirements.txt",
    "docker-compose.yml",
    "environment.yml",
];

/// The systems a CI file acts on inside `scope`, the directory holding all it reaches: the
/// sub-directories it reaches when each is a numbered unit of its own ([`SYSTEM_MARKERS`]) and
/// a sibling unit it does not reach lies beside them (a root workflow testing chapters 1 and 3
/// of a book does not test chapter 2); else `scope` itself.
fn systems_within(scope: &str, reached: &[&str], files: &[String]) -> Vec<String> {
    let prefix = format!("{scope}/");
    let mut children: Vec<&str> = Vec::new();
    for p in reached {
        match p.strip_prefix(&prefix).and_then(|r| r.split_once('/')) {
            Some((child, _)) => children.push(child),
            None => return vec![scope.to_string()],
        }
    }
    children.sort_unstable();
    children.dedup();
    // Units of a collection are numbered (`ch-01-data`, `week2`, `03_pipelines`); the services
    // of one system are named for their role (`api`, `pipeline`, `airflow`) and work together.
    let system = |child: &str| {
        child.chars().any(|c| c.is_ascii_digit())
            && PROJECT_MARKERS
                .iter()
                .chain(SYSTEM_MARKERS)
                .any(|m| files.binary_search(&format!("{prefix}{child}/{m}")).is_ok())
    };
    let unreached_sibling = files
        .iter()
        .filter_map(|f| f.strip_prefix(&prefix))
        .any(|r| {
            r.split_once('/')
                .is_some_and(|(c, _)| !children.contains(&c) && system(c))
        });
    if children.len() < 2 || !children.iter().all(|c| system(c)) || !unreached_sibling {
        return vec![scope.to_string()];
    }
    children.iter().map(|c| format!("{prefix}{c}")).collect()
}

/// Levels for a repository of unrelated systems (a course, a collection of examples): when
/// every CI file lives outside the sub-directory it acts in (a root workflow whose jobs run,
/// test, build and deploy only what lies there), that CI tests and deploys that directory's
/// system, not the training code elsewhere. Each such directory
/// (with the CI reaching it) and the rest of the repository (without that CI) are then scored
/// alone, and each staged model gets the best of them, with a note. Pooling them would credit
/// one exercise's CI/CD to another's training pipeline (mlops-zoomcamp: Google 2 / Azure 3
/// instead of 1 / 1). None when CI runs at the root or there is none.
pub(crate) fn separate_systems(
    cat: &Catalogue,
    auto: &Automation,
    graph: &Graph,
    facts: &Facts,
    evs: &[Evidence],
) -> Option<BTreeMap<String, ModelResult>> {
    let is_ci = |p: &str| matches!(facts.get(p), Some(FileFacts::Entry { system, .. }) if crate::ci::is_ci_system(system));
    let mut scopes: Vec<String> = Vec::new();
    let mut entries: Vec<&str> = Vec::new();
    for path in facts.keys().filter(|p| is_ci(p)) {
        // Where a CI file's jobs act: the files they run, build, test or deploy.
        let reached = auto.entry_reach(graph, path);
        let mut reached: Vec<&str> = reached
            .iter()
            .map(String::as_str)
            .filter(|p| p != path && !is_ci(p))
            .collect();
        if reached.is_empty() {
            continue;
        }
        reached.sort_unstable();
        // A test directory tests the code beside it: CI that only runs `tests/` acts on the
        // project holding it (the directory above), not on `tests/` alone.
        let mut scope = common_dir(reached.iter().copied());
        while let Some(parent) = test_dir_parent(&scope) {
            scope = parent;
        }
        // CI at the root, or a CI file beside the code it builds that another pipeline runs
        // (a CodeBuild buildspec in its asset directory, one stage of a pipeline defined
        // elsewhere): one system. CI acting in the root `src/` acts on the repository's own
        // source tree. A CI file in the folder it acts on, started by its own trigger (a
        // sample's `cloudbuild.yaml` among other samples), is that folder's system.
        // A folder named for its part in an application (`backend/upload-handler`,
        // `frontend`) is one of that application's services, not a sample of its own.
        let inside = path.starts_with(&format!("{scope}/"));
        if scope.is_empty()
            || scope == "src"
            || (inside && (run_from_elsewhere(auto, graph, path) || names_a_role(&scope)))
        {
            return None;
        }
        scopes.extend(systems_within(&scope, &reached, graph.files));
        entries.push(path);
    }
    if scopes.is_empty() {
        return None;
    }
    scopes.sort();
    scopes.dedup();
    let roots = joined_roots(auto, graph, evs, &entries, outermost(&scopes))?;
    let under = |p: &str| roots.iter().any(|r| p.starts_with(&format!("{r}/")));
    let from_scoped_ci = |e: &Evidence| {
        entries.contains(&e.path.as_str())
            || (e.tier == Tier::Automated
                && e.chain
                    .first()
                    .is_some_and(|h| entries.contains(&h.path.as_str())))
    };
    let mut parts: Vec<(String, Vec<Evidence>)> = roots
        .iter()
        .map(|r| (format!("`{r}`"), project_evidence(auto, graph, r, evs)))
        .collect();
    parts.push((
        "the rest of the repository".into(),
        evs.iter()
            .filter(|e| !under(&e.path) && !from_scoped_ci(e))
            .cloned()
            .collect(),
    ));
    let mut best: BTreeMap<String, (ModelResult, String)> = BTreeMap::new();
    for (name, part) in parts {
        let caps = capabilities::assess(cat, part);
        for (id, m) in crate::assess::models::evaluate(cat, &caps) {
            if m.level().is_none() {
                continue;
            }
            if best.get(&id).is_none_or(|(b, _)| m.level() > b.level()) {
                best.insert(id, (m, name.clone()));
            }
        }
    }
    let ci = named_folders(&roots);
    Some(
        best.into_iter()
            .map(|(id, (mut m, name))| {
                let why = format!(
                    "scored as separate systems: CI acts only inside {ci}, so its CI/CD is not \
                     credited to code elsewhere; this level is that of {name}"
                );
                m.note = Some(match m.note.take() {
                    Some(n) => format!("{n}; {why}"),
                    None => why,
                });
                (id, m)
            })
            .collect(),
    )
}

/// The systems' folders as a note names them: a collection may hold dozens, so the first
/// three are named and the rest counted.
fn named_folders(roots: &[String]) -> String {
    const NAMED: usize = 3;
    let mut out = roots
        .iter()
        .take(NAMED)
        .map(|r| format!("`{r}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if roots.len() > NAMED {
        out.push_str(&format!(" and {} other folders", roots.len() - NAMED));
    }
    out
}

/// Folder names that say what part of one application a folder is.
const ROLE_DIRS: &[&str] = &[
    "backend",
    "frontend",
    "services",
    "service",
    "api",
    "server",
    "client",
    "web",
    "ui",
    "app",
    "apps",
    "infra",
    "infrastructure",
    "deploy",
    "deployment",
];

/// Whether a folder of `dir`'s path is named for a part of one application ([`ROLE_DIRS`]).
fn names_a_role(dir: &str) -> bool {
    dir.split('/')
        .any(|p| ROLE_DIRS.contains(&p.to_ascii_lowercase().as_str()))
}

/// Whether another entry point's walk reaches the CI file `path` (a pipeline defined in
/// infrastructure code that runs the buildspec as one of its stages).
fn run_from_elsewhere(auto: &Automation, graph: &Graph, path: &str) -> bool {
    auto.entry_seeds
        .keys()
        .filter(|q| q.as_str() != path)
        .any(|q| auto.entry_reach(graph, q).iter().any(|p| p == path))
}

/// The directories of `dirs` that no other one holds.
fn outermost(dirs: &[String]) -> Vec<String> {
    let mut out: Vec<String> = dirs
        .iter()
        .filter(|s| !dirs.iter().any(|o| s.starts_with(&format!("{o}/"))))
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The systems' directories once each takes in what joins it from outside
/// ([`joined_from_outside`]): the directory holding both it and the file that joins it (a
/// sample's pipeline beside the components folder its build tests). None when that is the
/// root, or when the rest of the repository serves what a system hands over: one system.
fn joined_roots(
    auto: &Automation,
    graph: &Graph,
    evs: &[Evidence],
    entries: &[&str],
    mut roots: Vec<String>,
) -> Option<Vec<String>> {
    for _ in 0..8 {
        let mut changed = false;
        for root in roots.iter_mut() {
            let prefix = format!("{root}/");
            let under = |p: &str| p.starts_with(&prefix);
            match joined_from_outside(auto, graph, evs, entries, &under) {
                Joined::No => {}
                Joined::Whole => return None,
                Joined::By(p) => {
                    let dir = common_dir([format!("{prefix}_").as_str(), p.as_str()]);
                    if dir.is_empty() || dir == "src" {
                        return None;
                    }
                    *root = dir;
                    changed = true;
                }
            }
        }
        roots = outermost(&roots);
        if !changed {
            return Some(roots);
        }
    }
    None
}

/// How the rest of the repository joins a system it does not hold.
enum Joined {
    No,
    /// It serves what the system hands over: one system with the whole repository.
    Whole,
    /// The file (an entry point, a training pipeline) that runs code inside the system.
    By(String),
}

/// Whether the rest of the repository makes one system with the directory CI acts in
/// (`under`): it serves what it hands over, or automation or a training pipeline outside it
/// runs code inside it.
fn joined_from_outside(
    auto: &Automation,
    graph: &Graph,
    evs: &[Evidence],
    entries: &[&str],
    under: &dyn Fn(&str) -> bool,
) -> Joined {
    // A system that serves what the rest of the repository hands over (a server in the CI's
    // directory loading the registry version a pipeline elsewhere promotes, or polling the
    // directory it writes) is one system with it, whatever its CI reaches.
    if crate::assess::deployments::hands_over(evs, &|p: &str| under(p)) {
        return Joined::Whole;
    }
    // Other automation that runs code inside it (an Airflow DAG starting the tested
    // service's container) makes one system with it too.
    let mut others = auto
        .entry_seeds
        .keys()
        .filter(|e| !under(e) && !entries.contains(&e.as_str()));
    if let Some(e) = others.find(|e| auto.entry_reach(graph, e).iter().any(|p| under(p))) {
        return Joined::By(e.clone());
    }
    // So does a training pipeline defined elsewhere whose steps run code inside it (an Azure
    // ML `command(code=...)` in a notebook naming the tested package's folder), run by a
    // person or not: one ML system, tested by that CI.
    let mut pipelines = evs.iter().filter(|e| {
        e.capability == crate::catalogue::builtin::capability::ML_PIPELINE_ORCHESTRATION
            && e.facets
                .iter()
                .any(|f| f == crate::catalogue::builtin::facet::TRAINING)
            && !under(&e.path)
    });
    match pipelines.find(|e| Automation::reaches_file(graph, &e.path, under)) {
        Some(e) => Joined::By(e.path.clone()),
        None => Joined::No,
    }
}

/// The verdict of each sub-project (`--per-project`).
pub(crate) fn per_project(
    cat: &Catalogue,
    auto: &Automation,
    graph: &Graph,
    files: &[String],
    evs: &[Evidence],
) -> Vec<crate::model::Project> {
    sub_projects(files)
        .into_iter()
        .map(|root| {
            let caps = capabilities::assess(cat, project_evidence(auto, graph, &root, evs));
            crate::model::Project {
                models: crate::assess::models::evaluate(cat, &caps),
                capabilities: caps
                    .iter()
                    .filter(|c| c.tier > Tier::None)
                    .map(|c| (c.id.clone(), c.tier))
                    .collect(),
                path: root,
            }
        })
        .collect()
}

/// Replaces each model's result by the separate systems' one where that is lower.
pub(crate) fn take_lower(
    models: &mut BTreeMap<String, ModelResult>,
    best: BTreeMap<String, ModelResult>,
) {
    for (id, m) in best {
        if m.level() < models.get(&id).and_then(|p| p.level()) {
            models.insert(id, m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder under one named for its part in an application is one of its services; a
    /// sample's folder is not; systems nested in one another keep the outer.
    #[test]
    fn role_folders_and_outermost_systems() {
        assert!(names_a_role("backend/upload-handler"));
        assert!(names_a_role("Frontend"));
        assert!(!names_a_role("machine_learning/pipelines-flex/catboost"));
        assert!(!names_a_role("gen_ai/flutter/home_listings"));
        assert_eq!(
            outermost(&["a/b".into(), "a".into(), "c".into(), "a/b".into()]),
            ["a", "c"]
        );
        let roots: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        assert_eq!(named_folders(&roots[..2]), "`a`, `b`");
        assert_eq!(named_folders(&roots), "`a`, `b`, `c` and 2 other folders");
    }
}
