package io.jbinfmt.cli.report;

/** A log report or diff cannot read: the message names the file (and line) and the reason; exit 125. */
public final class BadLogException extends Exception {
    BadLogException(String message) {
        super(message);
    }
}
