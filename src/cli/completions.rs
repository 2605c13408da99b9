//! Shell completion scripts and manual pages, generated from the command-line definition so they
//! never drift from it: `ripen completions SHELL`, and the hidden `ripen man` that the release
//! archives take their pages from.

use clap::{Command, Subcommand};
use clap_complete::Shell;
use std::io::Write;
use std::path::PathBuf;

/// The generating subcommands, flattened into the command line's own.
#[derive(Subcommand)]
pub(crate) enum Generate {
    /// Print a shell completion script: bash, zsh, fish, powershell or elvish.
    #[command(after_long_help = "Install, for example:\n  \
bash        ripen completions bash > ~/.local/share/bash-completion/completions/ripen\n  \
zsh         ripen completions zsh > ~/.zfunc/_ripen   (with fpath+=~/.zfunc before compinit)\n  \
fish        ripen completions fish > ~/.config/fish/completions/ripen.fish\n  \
powershell  ripen completions powershell >> $PROFILE")]
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the manual page ripen(1), or write one page per command into DIR.
    #[command(hide = true)]
    Man {
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// Runs one generator on `cmd`, the whole command line (`Cli::command()`).
pub(crate) fn run(what: Generate, mut cmd: Command) -> std::io::Result<()> {
    let mut buf = Vec::new();
    match what {
        Generate::Completions { shell } => {
            clap_complete::generate(shell, &mut cmd, "ripen", &mut buf);
        }
        Generate::Man { dir: None } => clap_mangen::Man::new(cmd).render(&mut buf)?,
        Generate::Man { dir: Some(dir) } => {
            std::fs::create_dir_all(&dir)?;
            return clap_mangen::generate_to(cmd, &dir);
        }
    }
    std::io::stdout().lock().write_all(&buf)
}
