//! CI files that run nothing of the scanned repository: copies kept for another repository,
//! retired pipelines, pipelines written for another repository's tree (paths it lacks, a
//! checkout or clone of another repository, a sub-folder's own root) and pipelines that cannot
//! load (an included file that does not parse). Each verdict says why, for the report.

use crate::graph::Graph;
use crate::model::FileFacts;

/// Why a CI file runs nothing of this repository, if it does not: a copy its system never runs
/// (`crate::ci::copy_of`), a retired one, or one written for another repository's tree.
pub(crate) fn not_this_repositorys(graph: &Graph, path: &str) -> Option<String> {
    crate::ci::copy_of(path)
        .or_else(|| retired(path))
        .or_else(|| names_only_absent_paths(graph, path))
        .or_else(|| checks_out_another_repository(graph, path))
        .or_else(|| runs_in_a_clone(graph, path))
        .or_else(|| written_for_a_subfolder(graph, path))
        .or_else(|| includes_an_unparsable_file(graph, path))
}

/// A pipeline that includes a file of the tree that does not parse (an Azure Pipelines
/// `template:` of variables or steps with a YAML error): the system cannot compile it, so it
/// runs none of its jobs.
fn includes_an_unparsable_file(graph: &Graph, path: &str) -> Option<String> {
    if graph.unparsed.is_empty() {
        return None;
    }
    let Some(FileFacts::Entry { includes, .. }) = graph.facts.get(path) else {
        return None;
    };
    // Resolved as the walk resolves includes: from the includer's folder, then the root.
    let bases = [crate::paths::parent(path).to_string(), String::new()];
    includes.iter().find_map(|c| {
        let t = c.text.strip_suffix("@self").unwrap_or(&c.text);
        graph
            .resolve_ref(t, &bases)
            .into_iter()
            .find(|f| graph.unparsed.contains(f))
            .map(|f| {
                format!(
                    "cannot load: it includes `{}`, which does not parse, so its system runs none of its jobs",
                    crate::shell::shorten(&f)
                )
            })
    })
}

/// A CI file its system finds wherever a project names it (a CodeBuild buildspec, a Cloud
/// Build or Azure Pipelines file, a Jenkinsfile) that changes into a folder the root lacks but
/// one of its own parent folders holds (`sagemaker-code/staging/model-code/buildspec.yml`
/// running `cd staging/model-code/`): it was written for that parent folder as the root of its
/// own repository (seed code pushed to a new CodeCommit repository), and runs nothing here.
fn written_for_a_subfolder(graph: &Graph, path: &str) -> Option<String> {
    let Some(FileFacts::Entry { system, jobs, .. }) = graph.facts.get(path) else {
        return None;
    };
    if !matches!(
        *system,
        "codebuild" | "cloud-build" | "azure-pipelines" | "jenkins"
    ) {
        return None;
    }
    let parents: Vec<&str> = path
        .char_indices()
        .filter(|(_, c)| *c == '/')
        .map(|(i, _)| &path[..i])
        .collect();
    for c in jobs
        .iter()
        .flat_map(|j| j.commands.iter())
        .filter(|c| c.shell)
    {
        for part in crate::shell::lex::split(&c.text) {
            let [cd, dir, ..] = part.words.as_slice() else {
                continue;
            };
            let dir = dir.trim_start_matches("./").trim_end_matches('/');
            if cd != "cd"
                || dir.is_empty()
                || dir.starts_with(['.', '/', '~', '-'])
                || dir.contains(['$', '{', '`'])
            {
                continue;
            }
            if graph.is_dir(dir) {
                return None;
            }
            if let Some(root) = parents.iter().find(|p| graph.is_dir(&format!("{p}/{dir}"))) {
                return Some(format!(
                    "CI for another repository: it changes into `{}`, a folder only `{root}/` holds: written for that folder as its own repository's root",
                    crate::shell::shorten(dir)
                ));
            }
        }
    }
    None
}

/// A CI file kept in an archive folder (`archive/`, `deprecated/`, `obsolete/`): retired, no
/// longer registered with its system (the live pipelines sit elsewhere).
fn retired(path: &str) -> Option<String> {
    let dir = path.split('/').rev().skip(1).find(|d| {
        matches!(
            d.to_ascii_lowercase().trim_start_matches(['_', '.']),
            "archive" | "archived" | "archives" | "deprecated" | "obsolete" | "attic"
        )
    })?;
    Some(format!(
        "retired: kept under `{dir}/`, it is not the pipeline its system runs"
    ))
}

/// A CI file written for another repository's tree: every path its commands name is absent
/// here (at least two: `cd src/kfp`, `src/client/test/test.sh`, `kubectl apply -f k8s/`) and
/// none resolves. Copied from a tutorial or a sister repository, it runs nothing of this one.
fn names_only_absent_paths(graph: &Graph, path: &str) -> Option<String> {
    if !crate::ci::is_ci_system(match graph.facts.get(path) {
        Some(FileFacts::Entry { system, .. }) => system,
        _ => return None,
    }) {
        return None;
    }
    // Every command, past a step where a job would stop (an absent script is one more sign).
    let (mut edges, mut unresolved) = (Vec::new(), Vec::new());
    if let Some(FileFacts::Entry { jobs, .. }) = graph.facts.get(path) {
        for j in jobs {
            let mut state = crate::shell::ShellState::default();
            for c in &j.commands {
                graph.command_edges(path, c, &[], &mut edges, &mut unresolved, &mut state);
            }
        }
    }
    let mut absent: Vec<&str> = unresolved.iter().map(|u| u.command.as_str()).collect();
    absent.sort_unstable();
    absent.dedup();
    // A step run in a folder of this tree (`working-directory: ./backend` then `pytest`) is
    // this repository's, though it names no file.
    let in_our_folder = || {
        let Some(FileFacts::Entry { jobs, .. }) = graph.facts.get(path) else {
            return false;
        };
        jobs.iter().flat_map(|j| j.commands.iter()).any(|c| {
            c.cwd.as_deref().is_some_and(|d| {
                let d = d.trim_matches('/').trim_start_matches("./");
                !d.is_empty() && !d.contains(['$', '{']) && graph.is_dir(d)
            })
        })
    };
    (edges.is_empty() && absent.len() >= 2 && !in_our_folder()).then(|| {
        let shown: Vec<String> = absent.iter().take(2).map(|c| format!("`{}`", crate::shell::shorten(c))).collect();
        format!(
            "CI for another repository: its commands name only paths that do not exist here ({}); credited only in the repository whose tree it was written for",
            shown.join(", ")
        )
    })
}

/// A CI file that clones a repository (`git clone $_REPO_URL`) and runs every other step in
/// a folder this repository does not have (Cloud Build's `dir: mlops-with-vertex-ai`, a
/// `working-directory:`): those steps run the clone's files, another repository's. Not when
/// the clone is this repository (its URL or the folder bears one of its names).
fn runs_in_a_clone(graph: &Graph, path: &str) -> Option<String> {
    let Some(FileFacts::Entry { jobs, .. }) = graph.facts.get(path) else {
        return None;
    };
    let ours = |name: Option<String>| name.is_some_and(|n| graph.this_repository.contains(&n));
    let mut cloned = false;
    let mut first: Option<&str> = None;
    for c in jobs
        .iter()
        .flat_map(|j| j.commands.iter())
        .filter(|c| c.shell)
    {
        let parts = crate::shell::lex::split(&c.text);
        let words: Vec<&str> = parts
            .first()
            .map(|p| p.words.iter().map(String::as_str).collect())
            .unwrap_or_default();
        if words.starts_with(&["git", "clone"]) {
            let mut args = words[2..].iter().filter(|w| !w.starts_with('-'));
            if args.any(|w| ours(crate::source::identity::repository_name(w))) {
                return None;
            }
            cloned = true;
            continue;
        }
        let dir = c.cwd.as_deref()?.trim_matches('/').trim_start_matches("./");
        if dir.is_empty() || dir.contains(['$', '{']) || graph.is_dir(dir) {
            return None;
        }
        if ours(crate::source::identity::repository_name(dir)) {
            return None;
        }
        first.get_or_insert(dir);
    }
    let first = first.filter(|_| cloned)?;
    Some(format!(
        "CI for another repository: it clones a repository and runs its steps in `{}`, a folder this repository does not have",
        crate::shell::shorten(first)
    ))
}

/// A CI file whose pipeline checks out a repository by a name that is not the scanned
/// repository's (a Jenkins `git url: 'https://github.com/acme/byo-scenario'`): it builds that
/// repository, and its steps run that repository's files. Unknown names decide nothing.
fn checks_out_another_repository(graph: &Graph, path: &str) -> Option<String> {
    let Some(FileFacts::Entry { jobs, .. }) = graph.facts.get(path) else {
        return None;
    };
    if graph.this_repository.is_empty() {
        return None;
    }
    let url = jobs
        .iter()
        .flat_map(|j| j.commands.iter())
        .filter_map(|c| c.text.strip_prefix(crate::ci::CHECKOUT))
        .find(|url| {
            crate::source::identity::repository_name(url)
                .is_some_and(|n| !graph.this_repository.contains(&n))
        })?;
    Some(format!(
        "CI for another repository: it checks out `{}`, not this repository; credited only in that repository",
        crate::shell::shorten(url)
    ))
}
