//! Containers: what `docker build`, `docker compose` and `docker run` commands run.

use super::Action;
use super::classify::classify;
use super::programs::DOCKER_VALUE_FLAGS;

/// The flags of `docker run` that take a value.
const RUN_VALUE_FLAGS: &[&str] = &[
    "-v",
    "--volume",
    "-w",
    "--workdir",
    "-e",
    "--env",
    "--env-file",
    "-p",
    "--publish",
    "--name",
    "--network",
    "--net",
    "-u",
    "--user",
    "--entrypoint",
    "--mount",
    "--gpus",
    "--shm-size",
    "-m",
    "--memory",
    "--cpus",
    "--platform",
    "--runtime",
    "-l",
    "--label",
    "--add-host",
    "--ipc",
    "-h",
    "--hostname",
    "--device",
    "--cap-add",
    "--cap-drop",
    "--security-opt",
    "--ulimit",
    "--restart",
    "--log-driver",
    "--log-opt",
    "--pull",
    "--tmpfs",
    "--cidfile",
    "--pid",
    "--group-add",
    "--memory-swap",
    "--cpuset-cpus",
    "--detach-keys",
];

/// Where the command starts in the arguments of `docker run` (after the flags and the image)
/// or `docker exec` (after the flags and the container), if it has one.
pub(super) fn docker_run_command(args: &[&str]) -> Option<usize> {
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if !a.starts_with('-') {
            break;
        }
        i += if RUN_VALUE_FLAGS.contains(a) { 2 } else { 1 };
    }
    // args[i] is the image; what follows is the command.
    (i + 1 < args.len()).then_some(i + 1)
}

/// The repository folders a `docker run` mounts (`-v $PWD/src:/app/src`, `--volume
/// .:/work`, `--mount type=bind,source=$(pwd),target=/app`): `(container path, folder)`, the
/// folder relative to where the command runs ("" for that folder itself). A host path is the
/// repository's when it starts at the working directory: `.`, `$PWD`, `${PWD}`, a command
/// substitution (`$(pwd)`, `$(realpath .)`: the lexer keeps it as `$(…)`), the CI workspace
/// (`$GITHUB_WORKSPACE`, `${{ github.workspace }}`, `$CI_PROJECT_DIR`) or Make's `$(CURDIR)`.
pub(super) fn repository_mounts(args: &[&str]) -> Vec<(String, String)> {
    const ROOTS: &[&str] = &[
        "$(…)",
        "$PWD",
        "${PWD}",
        "$GITHUB_WORKSPACE",
        "${GITHUB_WORKSPACE}",
        "${{ github.workspace }}",
        "${{github.workspace}}",
        "$CI_PROJECT_DIR",
        "${CI_PROJECT_DIR}",
        "$(CURDIR)",
        ".",
    ];
    let folder = |host: &str| -> Option<String> {
        let rest = ROOTS.iter().find_map(|r| {
            host.strip_prefix(r)
                .filter(|t| t.is_empty() || t.starts_with('/'))
        })?;
        let rel = rest.trim_matches('/').trim_start_matches("./");
        (!rel.contains("..") && !rel.contains('$')).then(|| rel.to_string())
    };
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if !a.starts_with('-') {
            break;
        }
        let value = |flag: &str| {
            a.strip_prefix(flag)
                .and_then(|v| v.strip_prefix('='))
                .map(str::to_string)
                .or_else(|| {
                    (*a == flag)
                        .then(|| args.get(i + 1).map(|v| v.to_string()))
                        .flatten()
                })
        };
        if let Some(v) = value("-v").or_else(|| value("--volume")) {
            let mut fields = v.split(':');
            if let (Some(host), Some(target)) = (fields.next(), fields.next())
                && target.starts_with('/')
                && let Some(rel) = folder(host)
            {
                out.push((target.trim_end_matches('/').to_string(), rel));
            }
        } else if let Some(v) = value("--mount") {
            let field = |k: &str| {
                v.split(',').find_map(|f| {
                    f.split_once('=')
                        .filter(|(n, _)| n.trim() == k)
                        .map(|(_, x)| x.to_string())
                })
            };
            let source = field("source").or_else(|| field("src"));
            let target = field("target")
                .or_else(|| field("dst"))
                .or_else(|| field("destination"));
            if let (Some(host), Some(target)) = (source, target)
                && target.starts_with('/')
                && let Some(rel) = folder(&host)
            {
                out.push((target.trim_end_matches('/').to_string(), rel));
            }
        }
        i += if RUN_VALUE_FLAGS.contains(a) { 2 } else { 1 };
    }
    // The longest container path first: `/app/src` before `/app`.
    out.sort_by_key(|(c, _)| std::cmp::Reverse(c.len()));
    out
}

/// Writes the mounted container paths in `words` (the command a container runs) as the
/// repository's folders: `cd /root/solution/src && python3 server.py` under `-v
/// $PWD/src:/root/solution/src` runs `src/server.py`.
pub(super) fn unmount(words: &mut [String], mounts: &[(String, String)]) {
    if mounts.is_empty() {
        return;
    }
    for w in words.iter_mut() {
        let mut out = String::with_capacity(w.len());
        let mut rest = w.as_str();
        'scan: while !rest.is_empty() {
            for (target, rel) in mounts {
                if let Some(after) = rest.strip_prefix(target.as_str()) {
                    let boundary =
                        out.is_empty() || out.ends_with([' ', '=', '"', '\'', ';', '&', '(', '\t']);
                    let end = after.is_empty()
                        || after.starts_with(['/', ' ', '"', '\'', ';', '&', ')', '\t', '\n']);
                    if boundary && end {
                        out.push_str(if rel.is_empty() { "." } else { rel });
                        rest = after;
                        continue 'scan;
                    }
                }
            }
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        *w = out;
    }
}

/// `docker run [flags] IMAGE` with no command of its own (`docker container run` too): the
/// command the image starts, by the image's name.
pub(super) fn docker_run_image(args: &[String]) -> Option<Action> {
    let sub = usize::from(args.first().is_some_and(|a| a == "container"));
    if args.get(sub).map(String::as_str) != Some("run") {
        return None;
    }
    let rest: Vec<&str> = args[sub + 1..].iter().map(String::as_str).collect();
    let mut i = 0;
    while let Some(a) = rest.get(i) {
        if !a.starts_with('-') {
            break;
        }
        i += if RUN_VALUE_FLAGS.contains(a) { 2 } else { 1 };
    }
    // The image, and nothing after it.
    let image = rest.get(i).filter(|_| i + 1 == rest.len())?;
    // A registry or tag held in a variable still names the image (`$REGISTRY/acme/train:$SHA`),
    // and so does the variable that holds it all (`$IMAGE_URI`).
    image_key(image).map(|_| Action::Image(image.to_string()))
}

/// `docker compose [-f FILE] [--project-directory DIR] up|run|start|create [SERVICE...]`: the
/// services of the Compose file (`facts::compose`), all of them when none is named; `run
/// SERVICE CMD...` and `exec SERVICE CMD...` run CMD in the service's container instead.
pub(super) fn compose(args: &[String]) -> Option<Action> {
    const GLOBAL_VALUE: &[&str] = &["-p", "--project-name", "--profile", "--env-file", "--ansi"];
    const VALUE: &[&str] = &[
        "-e",
        "--env",
        "-l",
        "--label",
        "-u",
        "--user",
        "-w",
        "--workdir",
        "-v",
        "--volume",
        "-p",
        "--publish",
        "--name",
        "--entrypoint",
        "--exit-code-from",
        "--scale",
        "-t",
        "--timeout",
        "--attach",
        "--no-attach",
        "--pull",
        "--wait-timeout",
        "--index",
    ];
    let mut file = None;
    let mut dir = None;
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        match args[i].as_str() {
            "-f" | "--file" => file = args.get(i + 1).cloned(),
            "--project-directory" => dir = args.get(i + 1).cloned(),
            a if GLOBAL_VALUE.contains(&a) => {}
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    let sub = args.get(i)?.as_str();
    let mut rest = Vec::new();
    let mut it = args[i + 1..].iter();
    while let Some(a) = it.next() {
        if VALUE.contains(&a.as_str()) {
            it.next();
        } else if !a.starts_with('-') || !rest.is_empty() {
            rest.push(a.clone());
        }
    }
    let services = |names: Vec<String>| Action::Make {
        dir: dir.clone(),
        file: Some(file.clone().unwrap_or_else(|| "compose.yaml".into())),
        targets: names,
    };
    match sub {
        "up" | "start" | "create" | "restart" => Some(services(rest)),
        "run" | "exec" if rest.len() > 1 => classify(&rest[1..]),
        "run" => Some(services(rest)),
        _ => None,
    }
}

/// `docker build [-f file] [context]`.
pub(super) fn docker_build(args: &[String]) -> Action {
    let mut file = None;
    let mut context = None;
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        if a == "-f" || a == "--file" {
            file = it.next().cloned();
        } else if let Some(v) = a.strip_prefix("--file=") {
            file = Some(v.to_string());
        } else if DOCKER_VALUE_FLAGS.contains(&a.as_str()) {
            it.next();
        } else if a == "build" && context.is_none() {
            // `docker buildx build`
        } else if !a.starts_with('-') {
            context = Some(a.clone());
        }
    }
    Action::Docker { file, context }
}

/// `gcloud run deploy SERVICE --image IMAGE` (a service runs its image) and `gcloud run jobs
/// deploy|create|update JOB --image IMAGE --execute-now` (the job runs once, now): the command
/// the image starts, by its name or the variable that holds it. A job deployed without
/// `--execute-now` runs when something executes it.
pub(super) fn cloud_run_image(args: &[String]) -> Option<Action> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let at = words.iter().position(|w| *w == "run")?;
    let rest = &words[at + 1..];
    let job = match rest {
        ["deploy", ..] => false,
        ["jobs", "deploy" | "create" | "update", ..] => true,
        _ => return None,
    };
    if job && !rest.contains(&"--execute-now") {
        return None;
    }
    let image = flag_values(rest, "--image").next()?;
    image_key(image).map(|_| Action::Image(image.to_string()))
}

/// The values given to `flag` (`--image=X` or `--image X`), in order.
fn flag_values<'a>(words: &'a [&'a str], flag: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    words.iter().enumerate().filter_map(move |(i, w)| {
        w.strip_prefix(flag)
            .and_then(|v| v.strip_prefix('='))
            .or_else(|| (*w == flag).then(|| words.get(i + 1).copied()).flatten())
    })
}

/// `gcloud ai custom-jobs create --worker-pool-spec=...,container-image-uri=IMAGE`: a Vertex AI
/// custom job whose worker runs a custom container starts that image's command (not with
/// `executor-image-uri`, a prebuilt container running the job's `python-module` or `script`).
pub(super) fn vertex_custom_job_image(args: &[String]) -> Option<Action> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let at = words.iter().position(|w| *w == "custom-jobs")?;
    if words.get(at + 1) != Some(&"create") {
        return None;
    }
    flag_values(&words, "--worker-pool-spec").find_map(|spec| {
        let image = spec
            .split(',')
            .find_map(|kv| kv.trim().strip_prefix("container-image-uri="))?;
        image_key(image).map(|_| Action::Image(image.to_string()))
    })
}

/// What an image named for the repository it is built in is known by
/// ([`this_repository`]).
const THIS_REPOSITORY: &str = "this-repository";

/// The CI expressions that name the scanned repository itself (`${{ github.repository }}`,
/// `$GITHUB_REPOSITORY`, GitLab's `$CI_PROJECT_PATH` and `$CI_REGISTRY_IMAGE`), written as one name: an image named so
/// (`ghcr.io/${{ github.repository }}:train-latest`) is the same image in every workflow of
/// the repository.
pub(crate) fn this_repository(s: &str) -> std::borrow::Cow<'_, str> {
    static REPO: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\$\{\{\s*github\.(?:repository|event\.repository\.name)\s*\}\}|\$\{?(?:GITHUB_REPOSITORY|CI_PROJECT_PATH|CI_PROJECT_NAME|CI_REGISTRY_IMAGE)\b\}?")
            .expect("this repository")
    });
    REPO.replace_all(s, THIS_REPOSITORY)
}

/// The repository name of an image reference (`europe-docker.pkg.dev/p/r/retrain-job:latest`
/// → `retrain-job`), when it is written out. An image named for the repository itself
/// ([`this_repository`]) is told from the repository's other images by its tag's first word
/// (`:train-latest` and `:train-${{ github.sha }}` are `this-repository-train`, `:serve-v2`
/// is `this-repository-serve`).
pub(crate) fn image_name(image: &str) -> Option<String> {
    let image = this_repository(image);
    let last = image.rsplit('/').next()?;
    let name = last.split(['@', ':']).next()?;
    if name == THIS_REPOSITORY {
        let family = last
            .split_once(':')
            .and_then(|(_, tag)| tag.split(['-', '_', '.', '$']).next())
            .filter(|w| {
                w.len() > 1
                    && w.chars().all(|c| c.is_ascii_alphabetic())
                    && !matches!(*w, "latest" | "main" | "master" | "sha" | "dev" | "prod")
            });
        return Some(match family {
            Some(f) => format!("{THIS_REPOSITORY}-{f}"),
            None => THIS_REPOSITORY.to_string(),
        });
    }
    let ok = !name.is_empty()
        && name != "x"
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    ok.then(|| name.to_string())
}

/// What an image named only by a variable is known by (`$var:IMAGE_URI` for `$IMAGE_URI`,
/// `${IMAGE_URI}:latest`, `${{ env.IMAGE_URI }}`): builds and runs that spell the same variable
/// name the same image, when one Dockerfile is built so.
pub(crate) const VARIABLE_IMAGE: &str = "$var:";

/// The key an image is known by: its name ([`image_name`]), else the variable that holds it
/// ([`VARIABLE_IMAGE`]); None for anything else.
pub(crate) fn image_key(image: &str) -> Option<String> {
    static VARIABLE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^(?:\$\{\{\s*(?:env\.|vars\.)?([A-Za-z_]\w*)\s*\}\}|\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*))(?::\S+)?$")
            .expect("image variable")
    });
    let image = image.trim().trim_matches(|c| c == '"' || c == '\'');
    if let Some(name) = image_name(image) {
        return Some(name);
    }
    let c = VARIABLE.captures(image)?;
    let var = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3))?;
    Some(format!("{VARIABLE_IMAGE}{}", var.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An image named for the repository is one image wherever it is written, told apart
    /// from the repository's other images by its tag's first word.
    #[test]
    fn images_named_for_the_repository() {
        let name = |s: &str| image_name(s).unwrap_or_default();
        assert_eq!(
            name("ghcr.io/${{ github.repository }}:train-latest"),
            "this-repository-train"
        );
        assert_eq!(
            name("ghcr.io/${{ github.repository }}:train-${{ github.sha }}"),
            "this-repository-train"
        );
        assert_eq!(name("$CI_REGISTRY_IMAGE:serve"), "this-repository-serve");
        assert_eq!(name("$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"), "this-repository");
        assert_eq!(name("${CI_REGISTRY_IMAGE}:latest"), "this-repository");
        assert_eq!(name("$CI_REGISTRY_IMAGE/trainer:latest"), "trainer");
        assert_eq!(
            name("europe-docker.pkg.dev/p/r/retrain-job:latest"),
            "retrain-job"
        );
    }

    /// The repository's folders a container mounts, and their paths inside it written back
    /// as the folders; a host path elsewhere (`/data`, `$HOME/x`) mounts nothing of it.
    #[test]
    fn mounted_folders_are_the_repository() {
        let args = [
            "-d",
            "-v",
            "$(…)/src:/root/solution/src",
            "--volume=$PWD:/app",
            "-v",
            "/data:/data",
            "--mount",
            "type=bind,source=${{ github.workspace }}/conf,target=/etc/conf",
            "img",
        ];
        let mounts = repository_mounts(&args);
        assert_eq!(
            mounts,
            vec![
                ("/root/solution/src".to_string(), "src".to_string()),
                ("/etc/conf".to_string(), "conf".to_string()),
                ("/app".to_string(), String::new()),
            ]
        );
        let mut words = vec![
            "/bin/bash".to_string(),
            "-c".to_string(),
            "cd /root/solution/src && python3 server.py --conf /etc/conf/a.yml".to_string(),
            "/app/train.py".to_string(),
            "/application/x.py".to_string(),
            "/data/x.csv".to_string(),
        ];
        unmount(&mut words, &mounts);
        assert_eq!(words[2], "cd src && python3 server.py --conf conf/a.yml");
        assert_eq!(words[3], "./train.py");
        assert_eq!(words[4], "/application/x.py");
        assert_eq!(words[5], "/data/x.csv");
        assert!(repository_mounts(&["-v", "$HOME/x:/x", "img"]).is_empty());
        assert!(repository_mounts(&["-v", "../up:/x", "img"]).is_empty());
    }
}
