package io.jbinfmt.tracer.spawn;

/**
 * One kind of id (uids or gids) through the kernel engine's two user namespaces, derived from the map of the
 * namespace jbinfmt runs in, so that the command has the ids it would have without jbinfmt. Pure.
 * Root: both namespaces map exactly the ranges of jbinfmt's own, each id to itself (in the initial namespace that is
 * every id; under {@code unshare -r}, 0 alone). Unprivileged: the first maps 0 to our id (only the namespace's root
 * may write {@code register}), the command's maps our id back.
 *
 * @param kind      "uid" or "gid"
 * @param enclosing the map of jbinfmt's own namespace, as /proc/self/uid_map (or gid_map) reads
 * @param outer     the first namespace's map, which we write from outside
 * @param inner     the command's namespace's map, written from inside the first one
 */
public record NamespaceIds(String kind, IdMap enclosing, IdMap outer, IdMap inner) {
    /** For root ({@code unprivileged} false) or for the user whose effective id of this kind is {@code id}. */
    public static NamespaceIds of(String kind, IdMap enclosing, boolean unprivileged, long id) {
        if (unprivileged) {
            return new NamespaceIds(kind, enclosing, IdMap.single(0, id), IdMap.single(id, 0));
        }
        IdMap outer = enclosing.identity();
        return new NamespaceIds(kind, enclosing, outer, outer.identity());
    }

    /** The map file's name: uid_map or gid_map. */
    public String file() {
        return kind + "_map";
    }
}
