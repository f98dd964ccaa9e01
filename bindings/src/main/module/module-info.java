/**
 * The jextract-generated FFM bindings to libc (io.jbinfmt.bindings.libc): this file is the module's descriptor,
 * written by hand; everything under io/ is generated (headers/README.md).
 */
module io.jbinfmt.bindings {
    exports io.jbinfmt.bindings.libc;
}
