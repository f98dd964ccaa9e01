package io.jbinfmt.cli;

/** A log report or diff cannot read: the message names the file (and line) and the reason; exit 125. */
final class BadLogException extends Exception {
    BadLogException(String message) {
        super(message);
    }
}
