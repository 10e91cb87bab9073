//! `--weights W.json`: parameter values saved by a generated trainer, read as the exact decimals
//! the file holds (a trainer prints every number so that it reads back to the same float).

use nabla::eval::exact::Value;
use nabla::ir::{DeclId, DeclKind, Model};
use nabla::shape::Shape;
use nabla::tensor::Tensor;
use nabla::words::{Message, phrase};
use num_rational::BigRational;
use serde_json::Value as Json;

/// The values of the params the file names. Errors name the file and the parameter.
pub fn read(model: &Model, path: &str) -> Result<Vec<(DeclId, Value)>, Message> {
    let mut weights = Vec::new();
    let text = std::fs::read_to_string(path)
        .map_err(|e| phrase::cannot_read(path, super::input::describe(&e)))?;
    let json: Json =
        serde_json::from_str(&text).map_err(|e| phrase::weights_not_json(path, e.to_string()))?;
    let Json::Object(entries) = json else {
        return Err(phrase::weights_not_an_object(path));
    };
    for (name, value) in &entries {
        // A trainer's own records beside the parameters — `"class labels"`, the running
        // averages of batch statistics (`"running mu"`) — have names of more than one word, which
        // no parameter has; a worked step uses none of them.
        if name.contains(' ') {
            continue;
        }
        let Some(index) = model
            .declarations
            .iter()
            .position(|d| &d.name == name && d.kind == DeclKind::Param)
        else {
            let params: Vec<&str> = model
                .declarations
                .iter()
                .filter(|d| d.kind == DeclKind::Param)
                .map(|d| d.name.as_str())
                .collect();
            return Err(phrase::weights_not_a_param(path, name, params.join(", ")));
        };
        let shape = model.declarations[index].shape;
        let mut numbers = Vec::with_capacity(shape.size());
        let found =
            flatten(value, &mut numbers).ok_or_else(|| phrase::weights_not_numbers(path, name))?;
        if found != shape.dims() || numbers.len() != shape.size() {
            return Err(phrase::weights_wrong_shape(
                path,
                name,
                shape,
                Shape::from_dims(&found).map_or_else(|| format!("{found:?}"), |s| s.to_string()),
            ));
        }
        let exact: Option<Vec<BigRational>> = numbers
            .iter()
            .map(|n| {
                nabla::syntax::parse_decimal(n.trim_start_matches('-'))
                    .ok()
                    .map(|r| if n.starts_with('-') { -r } else { r })
            })
            .collect();
        let exact = exact.ok_or_else(|| phrase::weights_inexact(path, name))?;
        weights.push((
            DeclId(index as u32),
            Value::Exact(Tensor::new(shape, exact)),
        ));
    }
    Ok(weights)
}

/// The numbers of nested arrays as text, and the shape they form.
fn flatten(value: &Json, out: &mut Vec<String>) -> Option<Vec<usize>> {
    match value {
        Json::Number(n) => {
            out.push(n.to_string());
            Some(Vec::new())
        }
        Json::Array(items) => {
            let mut inner: Option<Vec<usize>> = None;
            for item in items {
                let shape = flatten(item, out)?;
                match &inner {
                    Some(previous) if *previous != shape => return None,
                    _ => inner = Some(shape),
                }
            }
            let mut shape = vec![items.len()];
            shape.extend(inner.unwrap_or_default());
            Some(shape)
        }
        _ => None,
    }
}
