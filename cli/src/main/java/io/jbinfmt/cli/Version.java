package io.jbinfmt.cli;

import picocli.CommandLine;

/** The version line of {@code jbinfmt --version}, from the jar's manifest. */
public final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Version.class.getPackage().getImplementationVersion();
        return new String[]{"jbinfmt " + (v == null ? "(development build)" : v)
                + " on Java " + Runtime.version() + ", " + System.getProperty("os.arch")};
    }
}
