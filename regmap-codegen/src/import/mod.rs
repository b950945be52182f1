//! Importers of vendor register descriptions.

pub mod hwh;
pub mod ipxact;
pub mod vendor;
mod xml;
