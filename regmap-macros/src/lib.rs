//! Procedural macros of regmap. Every macro here is a thin shim: parsing,
//! checking and emitting live in `regmap-codegen`, shared with the CLI.
