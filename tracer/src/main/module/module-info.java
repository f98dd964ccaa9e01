/**
 * jbinfmt's tracer: binfmt_misc in user space, as a library. Embedders use {@code io.jbinfmt.tracer}
 * ({@code TracedProcessBuilder}, or {@code Session} and {@code SessionOptions}) with rules from
 * {@code io.jbinfmt.tracer.rules}; the other exported packages are the types that API names (an exec and its plan,
 * outcomes, stop observers, fault steps) and the few pieces the command line and the benchmarks use. The engines,
 * the rewrite mechanism and the host plumbing are not exported.
 * <p>
 * Its native calls need {@code --enable-native-access=io.jbinfmt.tracer,io.jbinfmt.bindings} on the module path
 * ({@code ALL-UNNAMED} on the class path).
 */
module io.jbinfmt.tracer {
    requires io.jbinfmt.bindings;

    // the embedding API and the types it names
    exports io.jbinfmt.tracer;
    exports io.jbinfmt.tracer.rules;
    exports io.jbinfmt.tracer.policy;
    exports io.jbinfmt.tracer.outcome;
    exports io.jbinfmt.tracer.ptrace;
    exports io.jbinfmt.tracer.rewrite;
    // what the command line and the benchmarks use besides: errno names, the host's architecture, the F rules'
    // load-time check and the tracee's view of its files (`rules test`), the inherited environment, host facts
    exports io.jbinfmt.tracer.sys;
    exports io.jbinfmt.tracer.arch;
    exports io.jbinfmt.tracer.lookup;
    exports io.jbinfmt.tracer.spawn;
}
