package io.jbinfmt.tracer.engine;

import io.jbinfmt.tracer.ptrace.StopEvent;

/**
 * How a traced tree ended, as either engine's loop saw it.
 *
 * @param rootEnd      the command's end: {@link StopEvent.Exited} or {@link StopEvent.Killed}; null if never seen
 * @param spawnErrno   the errno of the command's own exec when the kernel refused it, else 0
 * @param disturbances how many unexpected tracer errors were logged (0 for an undisturbed run)
 * @param refused      why the command was not run at all, though the kernel would have exec'd it; else null
 */
public record TreeEnd(StopEvent rootEnd, int spawnErrno, int disturbances, String refused) {
    /** The command was not run, for {@code why}. */
    public static TreeEnd refused(String why) {
        return new TreeEnd(null, 0, 0, why);
    }

}
