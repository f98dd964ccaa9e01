package io.jbinfmt.tracer.rules;

/** The flags of a binfmt_misc rule (Documentation/admin-guide/binfmt-misc.rst), in the kernel's display order. */
public enum RuleFlag {
    /** preserve-argv[0]: the interpreter gets the original argv[0] too, and AT_FLAGS_PRESERVE_ARGV0 in its auxv. */
    P('P'),
    /** open-binary: the binary is passed to the interpreter as an open descriptor, AT_EXECFD in its auxv. */
    O('O'),
    /** credentials: like O, and the new process's credentials would come from the binary (see README). */
    C('C'),
    /** fix-binary: the interpreter is opened when the rule is loaded, not at each exec. */
    F('F');

    /** The flag's letter in a register string. */
    public final char letter;

    RuleFlag(char letter) {
        this.letter = letter;
    }

    /** The flag named by {@code letter}, or null. */
    public static RuleFlag of(int letter) {
        for (RuleFlag f : values()) {
            if (f.letter == letter) {
                return f;
            }
        }
        return null;
    }
}
