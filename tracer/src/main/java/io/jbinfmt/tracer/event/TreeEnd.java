package io.jbinfmt.tracer.event;

/**
 * How a traced tree ended, as either engine's loop saw it.
 *
 * @param rootEnd      the command's end: {@link StopEvent.Exited} or {@link StopEvent.Killed}; null if never seen
 * @param spawnErrno   the errno of the command's own exec when the kernel refused it, else 0
 * @param disturbances how many unexpected tracer errors were logged (0 for an undisturbed run)
 */
public record TreeEnd(StopEvent rootEnd, int spawnErrno, int disturbances) {
}
