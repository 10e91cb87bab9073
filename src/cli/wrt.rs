//! `--wrt a,b,c`: names to declarations.

use nabla::ir::{DeclId, DeclKind, Model};

/// The declarations named, or the default (every param; every input of a file without params).
pub fn resolve(model: &Model, names: &[String]) -> Result<Vec<DeclId>, String> {
    if names.is_empty() {
        return Ok(nabla::autodiff::default_wrt(model));
    }
    let mut wrt = Vec::new();
    for name in names {
        let name = name.trim();
        let Some(index) = model.declarations.iter().position(|d| d.name == name) else {
            let known: Vec<&str> = model
                .declarations
                .iter()
                .filter(|d| matches!(d.kind, DeclKind::Input | DeclKind::Param))
                .map(|d| d.name.as_str())
                .collect();
            return Err(format!(
                "--wrt {name}: no input or param is called `{name}`; the file declares: {}",
                known.join(", ")
            ));
        };
        let declaration = &model.declarations[index];
        if !matches!(declaration.kind, DeclKind::Input | DeclKind::Param) {
            return Err(format!(
                "--wrt {name}: `{name}` is a {}; gradients are taken with respect to inputs and params",
                declaration.kind.keyword()
            ));
        }
        let id = DeclId(index as u32);
        if !wrt.contains(&id) {
            wrt.push(id);
        }
    }
    Ok(wrt)
}
