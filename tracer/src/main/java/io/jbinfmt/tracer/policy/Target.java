package io.jbinfmt.tracer.policy;

/**
 * A file the exec chain reached, held open by the tracer so the same file can be handed to the tracee
 * (open-binary rules) even if its path changes meanwhile.
 *
 * @param header its first 256 bytes, zero-filled past the end
 * @param fd     the tracer's descriptor for it
 * @param name   the name the kernel would give the process running it (basename of the path), or null when
 *               the kernel takes it from the file it finally runs
 * @param checked whether the rest of open_exec's checks (executable, not on a noexec mount) were made when it was
 *               opened; if not, {@link ExecTargets#check} makes them once its header decides anything
 */
public record Target(byte[] header, int fd, byte[] name, boolean checked) {
    /** A target checked in full when it was opened. */
    public Target(byte[] header, int fd, byte[] name) {
        this(header, fd, name, true);
    }
}
