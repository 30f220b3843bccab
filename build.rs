// The migrations are embedded in the binary (`embed_migrations!`), which sees a changed file
// but not a new migration's directory: rebuild when anything under migrations/ changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
