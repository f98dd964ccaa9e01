package io.jbinfmt.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A user namespace with the uid and gid maps a test chooses (several ranges, as newuidmap gives rootless
 * containers), held by a sleeping process; {@link #prefix} runs a command in it as its root (nsenter), so the
 * command's pid is the one started. Made by root: the maps are written from the namespace's parent, by this JVM or,
 * for a {@link #nested} one, by a shell in the parent namespace.
 */
final class UserNamespace implements AutoCloseable {
    private final Process holder;

    private UserNamespace(Process holder) {
        this.holder = holder;
    }

    /** A namespace below this JVM's, with these maps (map-file text: one "inside outside count" a line). */
    static UserNamespace of(String uidMap, String gidMap) throws Exception {
        UserNamespace ns = start(List.of());
        try {
            Files.writeString(Path.of("/proc/" + ns.pid() + "/uid_map"), uidMap);
            Files.writeString(Path.of("/proc/" + ns.pid() + "/gid_map"), gidMap);
        } catch (IOException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** A namespace below this one, with these maps, written by this namespace's root. */
    UserNamespace nested(String uidMap, String gidMap) throws Exception {
        UserNamespace ns = start(prefix());
        List<String> write = new ArrayList<>(prefix());
        write.addAll(List.of("sh", "-c", "printf %s \"$2\" > /proc/$1/uid_map && printf %s \"$3\" > /proc/$1/gid_map",
                "sh", Long.toString(ns.pid()), uidMap, gidMap));
        Process w = new ProcessBuilder(write).redirectErrorStream(true).start();
        String out = new String(w.getInputStream().readAllBytes());
        if (w.waitFor() != 0) {
            ns.close();
            throw new IllegalStateException("the nested namespace's maps were refused: " + out);
        }
        return ns;
    }

    private static UserNamespace start(List<String> prefix) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("unshare", "--user", "sleep", "infinity"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        UserNamespace ns = new UserNamespace(p);
        Path own = prefix.isEmpty() ? Path.of("/proc/self/ns/user")
                : Path.of("/proc/" + prefix.get(prefix.size() - 1) + "/ns/user");
        // unshare(1) has made the namespace when its user namespace is no longer the one it started in
        for (int i = 0; i < 500; i++) {
            if (!p.isAlive()) {
                throw new IllegalStateException("unshare --user failed: " + new String(p.getInputStream()
                        .readAllBytes()));
            }
            try {
                if (!Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/ns/user"))
                        .equals(Files.readSymbolicLink(own))) {
                    return ns;
                }
            } catch (IOException notYet) {
                // between fork and exec
            }
            Thread.sleep(10);
        }
        ns.close();
        throw new IllegalStateException("unshare --user made no namespace in 5 s");
    }

    /** The holder's pid, our view. */
    long pid() {
        return holder.pid();
    }

    /** What runs a command in this namespace, as its root. */
    List<String> prefix() {
        return List.of("nsenter", "--user", "--target", Long.toString(pid()));
    }

    @Override
    public void close() {
        holder.destroyForcibly();
    }
}
