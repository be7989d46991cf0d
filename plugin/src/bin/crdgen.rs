//! Regenerates what is committed but generated from the code: the CRDs in `manifests/crds/`
//! (what we install), the stand-ins for the Neo4j operator's target kinds in `tests/fixtures/crds/`
//! (for end-to-end tests), and `docs/validation.md` (from the rule catalogue). A test fails when
//! a committed file differs from what this writes. It also renders the install bundles
//! (`manifests/install/`, embedded in the plugin) from the kustomizations in `manifests/`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kubectl_neo4j::manifests::{self, GeneratedFile};

fn write_all(root: &Path, dir: &str, files: &[GeneratedFile]) -> std::io::Result<()> {
    std::fs::create_dir_all(root.join(dir))?;
    for file in files {
        std::fs::write(root.join(dir).join(file.name), &file.content)?;
        println!("wrote {dir}/{}", file.name);
    }
    Ok(())
}

fn main() -> ExitCode {
    // The workspace root is the parent of this package's directory.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().map(PathBuf::from).unwrap_or_default();
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        write_all(&root, "manifests/crds", &manifests::crd_files()?)?;
        write_all(&root, "tests/fixtures/crds", &manifests::stand_in_crd_files()?)?;
        std::fs::write(root.join("docs/validation.md"), neo4j_api::rules::catalogue::render_markdown())?;
        println!("wrote docs/validation.md");
        std::fs::create_dir_all(root.join("manifests/install"))?;
        for tls in [manifests::Tls::CertManager, manifests::Tls::SelfManaged] {
            let path = format!("manifests/install/{}.yaml", tls.name());
            std::fs::write(root.join(&path), manifests::install_bundle(&root, tls)?)?;
            println!("wrote {path}");
        }
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("crdgen: {err}");
            ExitCode::FAILURE
        }
    }
}
