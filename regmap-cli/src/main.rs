//! `regmap-cli`: gen, check and schema for YAML register maps.

fn main() {}
