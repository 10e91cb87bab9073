//! Any valid file: derive in every form and format; JSON output is valid JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../shared/source.rs"]
mod source;
use nabla::pipeline::{self, DeriveOptions, Form};
use nabla::render::derive::Format;

fuzz_target!(|bytes: &[u8]| {
    let Some(model) = source::model_of(bytes) else {
        return;
    };
    for form in [Form::Vector, Form::Scalar] {
        for format in [Format::Text, Format::Markdown, Format::Latex, Format::Json] {
            let options = DeriveOptions {
                wrt: Vec::new(),
                form,
                format,
                language: nabla::words::Language::Vietnamese,
            };
            match pipeline::derive(&model, &options) {
                Ok(output) if format == Format::Json => {
                    serde_json::from_str::<serde_json::Value>(&output).expect("derive JSON parses");
                }
                Ok(_) => {}
                Err(pipeline::Failure::Internal(message)) => panic!("{}", message.english()),
                Err(_) => {}
            }
        }
    }
    let _ = pipeline::graph(&model, true, nabla::words::Language::Vietnamese);
});
