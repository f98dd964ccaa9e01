package io.jbinfmt.cli;

import io.jbinfmt.tracer.Session;
import sun.misc.Signal;

/**
 * Keeps termination signals sent to jbinfmt from killing the tracer before the command: they are passed on to
 * the command instead, and jbinfmt exits when the command does. Ctrl-C and Ctrl-\ typed at a terminal already
 * reach the command (it is in jbinfmt's foreground process group), so those are not sent a second time.
 */
final class SignalForwarding {
    private SignalForwarding() {
    }

    static void install(Session session) {
        for (String name : new String[]{"INT", "QUIT", "TERM", "HUP"}) {
            Signal signal = new Signal(name);
            boolean fromTerminal = name.equals("INT") || name.equals("QUIT");
            try {
                Signal.handle(signal, s -> {
                    if (!(fromTerminal && session.receivesTerminalSignals())) {
                        session.signal(s.getNumber());
                    }
                });
            } catch (IllegalArgumentException e) {
                // the JVM reserves this signal (QUIT without -Xrs): leave it to the JVM
            }
        }
    }
}
