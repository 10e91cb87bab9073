//! The preamble of the fuzz targets that take source text: only valid files go further.

/// The model of `bytes`, when they are UTF-8 and a valid `.nabla` file.
pub fn model_of(bytes: &[u8]) -> Option<nabla::ir::Model> {
    let source = std::str::from_utf8(bytes).ok()?;
    nabla::compile(source).0
}
