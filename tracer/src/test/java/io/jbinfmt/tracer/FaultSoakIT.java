package io.jbinfmt.tracer;

import io.jbinfmt.tracer.sys.Signals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@link FaultIT}'s signals at random moments of a rewrite, two hundred times each, for the races a handful of
 * tries does not meet (the soak profile, after {@code mvn verify}). Under notify the kills found a hang once
 * (a traced zombie no one reaped), with five tries, about one run in two.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FaultSoakIT {
    @TempDir
    Path tmp;

    @Test
    void killedStoppedAndTerminatedTwoHundredTimesWhileHeld() throws Exception {
        FaultIT.signalAtRandomMomentsWhileHeld(tmp, null, Signals.SIGKILL, 137, 200);
        FaultIT.signalAtRandomMomentsWhileHeld(tmp, null, Signals.SIGSTOP, 6, 200);
        FaultIT.signalAtRandomMomentsWhileHeld(tmp, null, 15, 143, 200); // SIGTERM
    }
}
