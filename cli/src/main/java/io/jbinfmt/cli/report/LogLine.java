package io.jbinfmt.cli.report;

/** A record of a log and where it stands, {@code FILE:LINE}, for messages. */
record LogLine(String where, LogRecord record) {
}
