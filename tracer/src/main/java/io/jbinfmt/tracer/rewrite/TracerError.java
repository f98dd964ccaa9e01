package io.jbinfmt.tracer.rewrite;

/** How both user-space engines name a failure of ours in the line they log: the exception and where it was thrown. */
public final class TracerError {
    private TracerError() {
    }

    /** {@code e}, and its first frame. */
    public static String describe(Throwable e) {
        StackTraceElement[] at = e.getStackTrace();
        return e + (at.length > 0 ? " at " + at[0] : "");
    }
}
