package io.jbinfmt.cli;

/** {@code -Djbinfmt.debug.timing=true}: prints how long each start-up step took since the JVM started. */
final class StartupTiming {
    private static final boolean ON = Boolean.getBoolean("jbinfmt.debug.timing");

    private StartupTiming() {
    }

    static void mark(String step) {
        if (ON) {
            long uptime = java.time.Duration.between(ProcessHandle.current().info().startInstant().orElseThrow(),
                    java.time.Instant.now()).toMillis();
            System.err.println("jbinfmt: timing: " + uptime + " ms: " + step);
        }
    }
}
