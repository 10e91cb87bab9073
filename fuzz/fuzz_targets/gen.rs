//! Any valid file: `nabla gen` (the library call, into memory) makes a trainer project or says
//! why it cannot, in both number types, never panics, and gives the same files every time.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../shared/source.rs"]
mod source;
use nabla::codegen::{self, Dtype, GenError};

fuzz_target!(|bytes: &[u8]| {
    let Some(model) = source::model_of(bytes) else {
        return;
    };
    for dtype in [Dtype::F64, Dtype::F32] {
        let options = codegen::Options {
            dtype,
            package: codegen::names::package_name("fuzz"),
            source: "fuzz.nabla".to_string(),
            language: nabla::words::Language::English,
        };
        let first = codegen::generate(&model, &options);
        if let Err(GenError::Internal(message)) = &first {
            panic!("{message}");
        }
        assert!(
            first == codegen::generate(&model, &options),
            "generation is deterministic"
        );
    }
});
