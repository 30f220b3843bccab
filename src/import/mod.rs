//! Reading meeting documents: finding references to other cases in their texts.

pub mod references;
