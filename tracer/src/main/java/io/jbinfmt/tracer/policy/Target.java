package io.jbinfmt.tracer.policy;

/**
 * A file the exec chain reached, held open by the tracer so the same file can be handed to the tracee
 * (open-binary rules) even if its path changes meanwhile.
 *
 * @param header its first 256 bytes, zero-filled past the end
 * @param fd     the tracer's descriptor for it
 * @param name   the name the kernel would give the process running it (basename of the path), or null when
 *               the kernel takes it from the file it finally runs
 */
public record Target(byte[] header, int fd, byte[] name) {
}
