package io.jbinfmt.tracer;

/**
 * A descriptor of the command opened on a file instead of inherited: {@code fd} 0 read from a file, 1 or 2
 * written to one (truncated or appended).
 *
 * @param fd   the command's descriptor (0, 1, 2, or any other)
 * @param path the file, bytes as given
 * @param mode how it is opened
 */
public record Redirect(int fd, byte[] path, Mode mode) {
    /** How the file is opened. */
    public enum Mode { READ, WRITE, APPEND }
}
